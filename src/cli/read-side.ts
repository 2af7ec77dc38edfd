/**
 * What the CLI opens: the server's event store (from the same configuration) and its
 * read-model file, `DATA_DIR/read-models.db`. An embedded store that does not exist is a
 * failure, never created: an empty log would answer zeros for a mistyped DATA_DIR.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { EventStore } from '../event-store/port.js';
import { openStore } from '../event-store/open-store.js';
import { upcastingStore } from '../event-store/upcasting-store.js';
import { upcasters } from '../../migrations/upcasters/index.js';
import { openSnapshotStore, type Snapshot, type SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { openStatisticsHistory } from '../../projections/runner/statistics-history.js';
import { ON_ROWS_VERSION, onRows } from '../../projections/runner/facts-on-rows.js';
import { allReadModels, readModelsOver, type AllReadModelsState } from '../../projections/all-read-models.js';
import type { Projection } from '../../projections/projection.js';

export class CliFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliFailure';
  }
}

export function readModelsPath(config: Config): string {
  return resolve(join(config.DATA_DIR, 'read-models.db'));
}

/** The statistics' history the server keeps beside the read models. */
export function statisticsHistoryPath(config: Config): string {
  return resolve(join(config.DATA_DIR, 'statistics-history.db'));
}

/** The server's store, read through the upcasters as the server reads it. */
export async function openConfiguredStore(config: Config, access: 'writer' | 'reader' = 'reader'): Promise<EventStore> {
  if (config.EVENT_STORE === 'embedded') {
    const path = resolve(join(config.DATA_DIR, 'events.db'));
    if (!existsSync(path)) throw new CliFailure(`no event store at ${path}: set DATA_DIR to the server's data directory`);
  }
  // A reader may run beside the server, which is the file's one writer; a writer may not.
  return upcastingStore(await openStore(config, access), upcasters);
}

/** The read-model file, or an empty one in memory when it does not exist and may not be made. */
export function openSnapshots(config: Config, create: boolean): SnapshotStore {
  const path = readModelsPath(config);
  return create || existsSync(path) ? openSnapshotStore(path) : openSnapshotStore(':memory:');
}

/**
 * Saves and prunes as usual, but hides existing snapshots: a runner over it starts from
 * scratch. Closing it leaves the file open: the CLI closes it once, when it is done.
 */
export function fromScratch(snapshots: SnapshotStore): SnapshotStore {
  return {
    latest: () => undefined,
    save: (projection, version, snapshot) => snapshots.save(projection, version, snapshot),
    begin: (projection, version, position, recordedAt) => snapshots.begin(projection, version, position, recordedAt),
    prune: (projection, version, keep) => snapshots.prune(projection, version, keep),
    close: () => undefined,
  };
}

/** Reads snapshots but never writes: a query must not change the read-model file. Closing is the CLI's. */
export function readOnly(snapshots: SnapshotStore): SnapshotStore {
  return {
    latest: (projection, version, atOrBefore) => snapshots.latest(projection, version, atOrBefore),
    save: (_projection: string, _version: number, _snapshot: Snapshot) => ({ chunks: 0, bytes: 0 }),
    begin: () => ({ write: () => undefined, commit: () => ({ chunks: 0, bytes: 0 }), abort: () => undefined }),
    prune: () => undefined,
    close: () => undefined,
  };
}

/**
 * The server's read models as a tool folds them: over the facts in the server's history rows
 * (read only), from its snapshots; without a history of this version, every fact in the heap,
 * folded from the log's start (its snapshots hold no facts to resume from). Close it when done.
 */
export function serverReadModels(historyPath: string | undefined): { readonly projection: Projection<AllReadModelsState>; close(): void } {
  const history = historyPath === undefined ? undefined : openStatisticsHistory(historyPath, ON_ROWS_VERSION);
  if (history === undefined) return { projection: allReadModels, close: () => undefined };
  return { projection: readModelsOver(onRows(history)), close: () => history.close() };
}
