/**
 * `status`: the head of the log, and for each projection (at its current version) the
 * position of its newest snapshot and how far behind the head it is: what a server started
 * now would have to catch up on before /readyz answers 200.
 */
import type { EventStore } from '../event-store/port.js';
import { allReadModels, READ_MODEL_VERSIONS } from '../../projections/index.js';
import { PROJECTION_NAMES, type ProjectionName } from '../../projections/runner/read-models.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { ON_ROWS_VERSION } from '../../projections/runner/facts-on-rows.js';
import { formatCount } from './progress.js';
import { table } from './text-table.js';

export interface ProjectionStatus {
  readonly name: ProjectionName;
  readonly version: number;
  /** Null when the version has no snapshot: a start folds the whole log. */
  readonly snapshotPosition: number | null;
  readonly snapshotRecordedAt: string | null;
  /** Head − snapshot position (embedded positions count events; KurrentDB's are log offsets). */
  readonly lag: number;
}

export interface StoreStatus {
  readonly store: EventStore['kind'];
  readonly head: number;
  readonly headRecordedAt: string | null;
  readonly readModels: string;
  readonly projections: readonly ProjectionStatus[];
}

export async function storeStatus(store: EventStore, snapshots: SnapshotStore, readModels: string): Promise<StoreStatus> {
  const head = await store.headPosition();
  const [newest] = await store.readAll({ direction: 'backwards', maxCount: 1 });
  // The read models are folded together over shared facts: one snapshot holds all four.
  const snapshot = snapshots.latest(allReadModels.name, ON_ROWS_VERSION);
  const versions = new Map(READ_MODEL_VERSIONS.split(' ').map((entry) => entry.split(':') as [string, string]));
  const projections = PROJECTION_NAMES.map((name): ProjectionStatus => {
    const version = Number(versions.get(name));
    return {
      name,
      version,
      snapshotPosition: snapshot?.position ?? null,
      snapshotRecordedAt: snapshot?.recordedAt ?? null,
      lag: Math.max(0, head - (snapshot?.position ?? 0)),
    };
  });
  return { store: store.kind, head, headRecordedAt: newest?.recordedAt ?? null, readModels, projections };
}

export function statusTable(status: StoreStatus): string {
  const rows = status.projections.map((p) => [
    p.name, String(p.version), p.snapshotPosition === null ? 'none' : formatCount(p.snapshotPosition), p.snapshotRecordedAt ?? '-', formatCount(p.lag),
  ]);
  const header = ['projection', 'version', 'snapshot position', 'snapshot recorded at', status.store === 'embedded' ? 'lag (events)' : 'lag (log offset)'];
  return [
    `store       ${status.store}`,
    `head        ${formatCount(status.head)}${status.headRecordedAt ? `  (recorded ${status.headRecordedAt})` : '  (empty log)'}`,
    `read models ${status.readModels}`,
    '',
    ...table([header, ...rows], [false, true, true, false, true]),
  ].join('\n');
}
