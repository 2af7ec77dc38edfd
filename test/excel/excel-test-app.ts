/** An app at a fixed business date (2026-06-15, China), on a fresh store, for the Excel tests. */
import { loadConfig } from '../../src/config.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { openTestStore } from '../support/test-store.js';

export const NOW = new Date('2026-06-15T04:00:00Z');
export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function buildExcelTestApp(env: Record<string, string> = {}, given?: EventStore) {
  const store = given ?? await openTestStore();
  const config = loadConfig({ AUTH: 'off', ...env });
  const app = await buildApp({ store, config, clock: { now: () => NOW } });
  await app.ready();
  return { app, store, config };
}
