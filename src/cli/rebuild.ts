/**
 * `rebuild <projection|all>`: folds the log from its start into fresh read models with the
 * server's own machinery (ReadModels; existing snapshots are hidden from it, not deleted),
 * until they have applied everything the log held when they began; stopping writes the final
 * snapshot, from which the next server start resumes. The four read models are folded over
 * one table of project facts, so naming one rebuilds all four (and says so).
 *
 * Snapshots on the way: after every head ÷ 8 events (at least 500,000), and, by the runner's
 * own rule, no sooner than a minute after the last: a few, spread over the log where "as of"
 * replays want them. Each one serialises a whole state (~150 MB of JSON at 10⁵ projects), so
 * more of them would have the rebuild spend its time writing snapshots.
 */
import type { EventStore } from '../event-store/port.js';
import type { RunnerLogger } from '../../projections/runner/projection-runner.js';
import { PROJECTION_NAMES, ReadModels, type ProjectionName } from '../../projections/runner/read-models.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { createProgress, type ProgressMode } from './progress.js';
import { CliFailure, fromScratch } from './read-side.js';

export interface RebuildResult {
  readonly names: readonly ProjectionName[];
  /** The read model named, when one was: it was rebuilt with the others. */
  readonly asked?: ProjectionName;
  /** The position of the snapshots written (0: the log is empty, nothing written). */
  readonly position: number;
  readonly seconds: number;
}

export interface RebuildDeps {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly progress: ProgressMode;
  readonly logger: RunnerLogger;
  /** The read side's history, written afresh beside the snapshots (the server answers "as of" from it). */
  readonly historyPath?: string;
}

const SNAPSHOTS_ON_THE_WAY = 8;
const MIN_SNAPSHOT_EVERY = 500_000;

export function snapshotEveryFor(head: number): number {
  return Math.max(MIN_SNAPSHOT_EVERY, Math.ceil(head / SNAPSHOTS_ON_THE_WAY));
}

interface Folding {
  readonly position: () => number;
  readonly caughtUp: (timeoutMs: number) => Promise<boolean>;
  /** Why it stopped folding, if it did. */
  readonly failure: () => string | undefined;
  readonly stop: () => Promise<void>;
}

export async function rebuild(names: 'all' | ProjectionName, deps: RebuildDeps): Promise<RebuildResult> {
  const head = await deps.store.headPosition();
  const folding = await allReadModels(deps, head);
  const progress = createProgress({ label: 'rebuild all', total: head, mode: deps.progress });
  const started = performance.now();
  const ticker = setInterval(() => progress.update(folding.position()), 200);
  try {
    while (!(await folding.caughtUp(60_000))) {
      const failure = folding.failure();
      if (failure !== undefined) throw new CliFailure(`the rebuild stopped at position ${folding.position()}: ${failure}`);
    }
  } finally {
    clearInterval(ticker);
    progress.finish();
  }
  await folding.stop(); // writes the final snapshots
  return { names: PROJECTION_NAMES, ...(names === 'all' ? {} : { asked: names }), position: folding.position(), seconds: (performance.now() - started) / 1000 };
}

async function allReadModels(deps: RebuildDeps, head: number): Promise<Folding> {
  // The history too, from the log's first event: the snapshots written are then continued by the server's.
  const readModels = new ReadModels({
    store: deps.store, snapshots: fromScratch(deps.snapshots), logger: deps.logger, snapshotEvery: snapshotEveryFor(head),
    ...(deps.historyPath === undefined ? {} : { history: { path: deps.historyPath } }),
  });
  await readModels.start();
  const runners = Object.values(readModels.runners);
  return {
    position: () => readModels.position,
    caughtUp: (ms) => readModels.caughtUp(ms),
    failure: () => {
      const failed = runners.find((runner) => runner.status === 'failed' || runner.status === 'stopped');
      return failed === undefined ? undefined : `${failed.name}: ${describe(failed.lastError)}`;
    },
    stop: () => readModels.stop(),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? 'unknown error');
}
