/**
 * Every read model of the product, folded by one runner as one projection over the shared
 * project facts (all-read-models.ts): each event is read, parsed and applied to the facts
 * once. Each read model is seen through a view with what queries need of it: its state (live
 * or as of a moment), the position it reflects, changes, lag and readiness.
 */
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { allReadModels, READ_MODEL_NAMES, type AllReadModelsState, type ReadModelName, type ReadModelStates } from '../all-read-models.js';
import { ProjectionRunner, type Lag, type RunnerLogger, type RunnerStatus } from './projection-runner.js';
import type { SnapshotStore } from './snapshot-store.js';
import { freezeReadModels, type FrozenReadModels } from '../frozen-read-models.js';
import { openWatchers } from '../shared/fact-watchers.js';

export type ProjectionName = ReadModelName;
export const PROJECTION_NAMES: readonly ProjectionName[] = READ_MODEL_NAMES;

/** What a query reads of one read model: its state now or as of a moment, and the position it reflects. */
export interface ReadModelSource<State> {
  readonly state: State;
  readonly position: number;
  stateAsOf(moment: string): Promise<{ readonly state: State; readonly position: number }>;
  /** Resolves true once `position` is applied, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}

/** One read model of the shared runner. */
export class ReadModelView<K extends ProjectionName> implements ReadModelSource<ReadModelStates[K]> {
  constructor(readonly name: K, private readonly runner: ProjectionRunner<AllReadModelsState>) {}

  get state(): ReadModelStates[K] {
    return this.runner.state[this.name];
  }

  get position(): number {
    return this.runner.position;
  }

  get status(): RunnerStatus {
    return this.runner.status;
  }

  get rebuilding(): boolean {
    return this.runner.rebuilding;
  }

  get lastError(): unknown {
    return this.runner.lastError;
  }

  async stateAsOf(moment: string): Promise<{ readonly state: ReadModelStates[K]; readonly position: number }> {
    const { state, position } = await this.runner.stateAsOf(moment);
    return { state: state[this.name], position };
  }

  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.runner.waitFor(position, timeoutMs);
  }

  /** Rebuilds every read model (they share the facts), the current states answering meanwhile. */
  rebuild(): Promise<void> {
    return this.runner.rebuild();
  }
}

export type Views = { readonly [K in ProjectionName]: ReadModelView<K> };

export interface ReadModelsOptions {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly logger?: RunnerLogger;
  readonly snapshotEvery?: number;
  readonly snapshotIntervalMs?: number;
  readonly pinYearEnds?: 'live' | 'always';
}

export class ReadModels {
  /** The one runner folding every read model. */
  readonly runner: ProjectionRunner<AllReadModelsState>;
  readonly runners: Views;

  constructor(options: ReadModelsOptions) {
    this.runner = new ProjectionRunner<AllReadModelsState>({
      store: options.store,
      projection: allReadModels,
      snapshots: options.snapshots,
      asOfCacheSize: 2,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
      ...(options.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: options.snapshotIntervalMs } : {}),
      ...(options.pinYearEnds ? { pinYearEnds: options.pinYearEnds } : {}),
    });
    this.runners = {
      'project-ledger': new ReadModelView('project-ledger', this.runner),
      'pipeline-statistics': new ReadModelView('pipeline-statistics', this.runner),
      compliance: new ReadModelView('compliance', this.runner),
      batches: new ReadModelView('batches', this.runner),
    };
    this.snapshots = options.snapshots;
  }

  private readonly snapshots: SnapshotStore;

  /** Loads the latest snapshot and follows the log from it; does not wait to catch up. */
  async start(): Promise<void> {
    await this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    this.snapshots.close();
  }

  /** The ledger, compliance and batches at the current position, staying so until released (frozen-read-models.ts). */
  freeze(): FrozenReadModels {
    return freezeReadModels(this.runner.state, this.runner.position);
  }

  /** Frozen reads open now (long lists, downloads, a snapshot being written). */
  get frozenReads(): number {
    return openWatchers();
  }

  /** The position every read model has applied. */
  get position(): number {
    return this.runner.position;
  }

  /** Read-your-writes: true once every read model has applied `position`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    return this.runner.waitFor(position, timeoutMs);
  }

  caughtUp(timeoutMs?: number): Promise<boolean> {
    return this.runner.caughtUp(timeoutMs);
  }

  async lags(): Promise<Array<{ readonly name: ProjectionName; readonly status: string; readonly position: number } & Lag>> {
    const lag = await this.runner.lag();
    const status = this.runner.rebuilding ? 'rebuilding' : this.runner.status;
    return PROJECTION_NAMES.map((name) => ({ name, status, position: this.runner.position, ...lag }));
  }

  /** Called after each burst of events the read models have applied. */
  onApplied(_name: ProjectionName, listener: (events: readonly RecordedEvent[]) => void): () => void {
    return this.runner.onApplied(listener);
  }
}
