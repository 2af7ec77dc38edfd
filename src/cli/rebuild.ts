/**
 * `rebuild <projection|all>`: each projection in turn is folded from the start of the log
 * into a fresh state by the same ProjectionRunner the server uses (existing snapshots are
 * hidden from it, not deleted), until it has applied everything the log held when it began;
 * stopping the runner writes the final snapshot, from which the next server start resumes.
 *
 * Snapshots on the way: one every head ÷ 16 events (at least every 100,000), so the ~16 the
 * runner keeps are spread over the whole log, where "as of" replays want them, instead of a
 * serialisation of the whole state every 100,000 events.
 */
import type { EventStore } from '../event-store/port.js';
import { PROJECTIONS } from '../../projections/index.js';
import { ProjectionRunner, type RunnerLogger } from '../../projections/runner/projection-runner.js';
import type { ProjectionName } from '../../projections/runner/read-models.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { createProgress, type ProgressMode } from './progress.js';
import { CliFailure, fromScratch } from './read-side.js';

export interface RebuildResult {
  readonly name: ProjectionName;
  readonly version: number;
  /** The position of the snapshot written (0: the log is empty, nothing written). */
  readonly position: number;
  readonly events: number;
  readonly seconds: number;
}

export interface RebuildDeps {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly progress: ProgressMode;
  readonly logger: RunnerLogger;
}

const SNAPSHOTS_KEPT = 16;
const MIN_SNAPSHOT_EVERY = 100_000;

export async function rebuildProjection<K extends ProjectionName>(name: K, deps: RebuildDeps): Promise<RebuildResult> {
  const projection = PROJECTIONS[name];
  const head = await deps.store.headPosition();
  const runner = new ProjectionRunner({
    store: deps.store,
    projection,
    snapshots: fromScratch(deps.snapshots),
    logger: deps.logger,
    snapshotEvery: Math.max(MIN_SNAPSHOT_EVERY, Math.ceil(head / SNAPSHOTS_KEPT)),
    keepSnapshots: SNAPSHOTS_KEPT,
  });
  const progress = createProgress({ label: name, total: head, mode: deps.progress });
  const started = performance.now();
  const ticker = setInterval(() => progress.update(runner.position), 200);
  try {
    await runner.start();
    while (!(await runner.caughtUp(60_000))) {
      if (runner.status === 'failed' || runner.status === 'stopped') {
        throw new CliFailure(`the rebuild of ${name} stopped at position ${runner.position}: ${describe(runner.lastError)}`, { cause: runner.lastError });
      }
    }
  } finally {
    clearInterval(ticker);
    progress.finish();
  }
  await runner.stop(); // writes the final snapshot
  return { name, version: projection.version, position: runner.position, events: runner.position, seconds: (performance.now() - started) / 1000 };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? 'unknown error');
}
