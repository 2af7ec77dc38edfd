/** An app on a fresh store (test/support/test-store.ts: in memory unless TEST_EVENT_STORE says), for app.inject tests. */
import { loadConfig } from '../../src/config.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { openTestStore } from '../support/test-store.js';

export async function buildTestApp(env: Record<string, string> = {}, given?: EventStore) {
  const store = given ?? await openTestStore();
  try {
    const config = loadConfig({ AUTH: 'off', ...env });
    const app = await buildApp({ store, config });
    await app.ready();
    return { app, store, config };
  } catch (error) {
    // The test never gets the store to close: a stand-in left running would hold its process open.
    if (given === undefined) await store.close().catch(() => undefined);
    throw error;
  }
}
