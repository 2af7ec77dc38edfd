/** An app on a fresh in-memory store, for app.inject tests. */
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';

export async function buildTestApp(env: Record<string, string> = {}, store: EventStore = openEmbeddedStore({ path: ':memory:' })) {
  const config = loadConfig({ AUTH: 'off', ...env });
  const app = await buildApp({ store, config });
  await app.ready();
  return { app, store, config };
}
