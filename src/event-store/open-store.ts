import { join } from 'node:path';
import type { Config } from '../config.js';
import type { EventStore } from './port.js';
import { openEmbeddedStore } from './embedded/sqlite-store.js';

/**
 * Opens the store the configuration names: the embedded file by default, else KurrentDB.
 * `reader`: a process beside the server (the CLI) that only reads; on the embedded store it
 * opens the file read-only and leaves the writer lock to the server.
 */
export async function openStore(config: Config, access: 'writer' | 'reader' = 'writer'): Promise<EventStore> {
  if (config.EVENT_STORE === 'kurrentdb') {
    // Loaded only when asked for, so the default start never pays for the gRPC client.
    const { openKurrentDbStore } = await import('./kurrentdb/kurrentdb-store.js');
    return openKurrentDbStore(config.ESDB_CONNECTION_STRING ?? '');
  }
  return openEmbeddedStore({ path: join(config.DATA_DIR, 'events.db'), synchronous: config.STORE_SYNCHRONOUS, access });
}
