import { join } from 'node:path';
import type { Config } from '../config.js';
import type { EventStore } from './port.js';
import { openEmbeddedStore } from './embedded/sqlite-store.js';

/** Opens the store the configuration names: the embedded file by default, else KurrentDB. */
export async function openStore(config: Config): Promise<EventStore> {
  if (config.EVENT_STORE === 'kurrentdb') {
    // Loaded only when asked for, so the default start never pays for the gRPC client.
    const { openKurrentDbStore } = await import('./kurrentdb/kurrentdb-store.js');
    return openKurrentDbStore(config.ESDB_CONNECTION_STRING ?? '');
  }
  return openEmbeddedStore({ path: join(config.DATA_DIR, 'events.db'), synchronous: config.STORE_SYNCHRONOUS });
}
