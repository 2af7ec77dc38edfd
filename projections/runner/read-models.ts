/**
 * Every read model of the product, each kept by its own runner (so one can be rebuilt while
 * the others carry on), with what queries need of them together: wait for a position,
 * listen for changes, report lag and readiness.
 */
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { PROJECTIONS, type ProjectionStates } from '../index.js';
import { ProjectionRunner, type Lag, type RunnerLogger } from './projection-runner.js';
import { LogFeed } from './log-feed.js';
import type { SnapshotStore } from './snapshot-store.js';

export type ProjectionName = keyof ProjectionStates;
export const PROJECTION_NAMES = Object.keys(PROJECTIONS) as ProjectionName[];

export type Runners = { readonly [K in ProjectionName]: ProjectionRunner<ProjectionStates[K]> };

export interface ReadModelsOptions {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly logger?: RunnerLogger;
  readonly snapshotEvery?: number;
  readonly snapshotIntervalMs?: number;
}

export class ReadModels {
  readonly runners: Runners;
  private feed: LogFeed | undefined;

  constructor(private readonly options: ReadModelsOptions) {
    const runner = <K extends ProjectionName>(name: K) => new ProjectionRunner<ProjectionStates[K]>({
      store: options.store,
      projection: PROJECTIONS[name],
      snapshots: options.snapshots,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
      ...(options.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: options.snapshotIntervalMs } : {}),
    });
    this.runners = {
      'project-ledger': runner('project-ledger'),
      'pipeline-statistics': runner('pipeline-statistics'),
      compliance: runner('compliance'),
      batches: runner('batches'),
    };
  }

  private get all(): ProjectionRunner<unknown>[] {
    return PROJECTION_NAMES.map((name) => this.runners[name] as ProjectionRunner<unknown>);
  }

  /**
   * Loads every runner's snapshot, then follows the log once from the lowest position among
   * them: each event is read and parsed once and handed to every runner (a runner already
   * past it skips it).
   */
  async start(): Promise<void> {
    const runners = this.all;
    await Promise.all(runners.map((runner) => runner.load()));
    this.feed = new LogFeed({ store: this.options.store, afterPosition: Math.min(...runners.map((runner) => runner.position)) }, {
      onEvent: (event) => { for (const runner of runners) runner.receive(event); },
      onLive: () => { for (const runner of runners) runner.markLive(); },
      onLost: (error, retryInMs) => { for (const runner of runners) runner.markLost(error, retryInMs); },
      onResubscribed: () => { for (const runner of runners) runner.markCatchingUp(); },
    });
    await this.feed.start();
  }

  async stop(): Promise<void> {
    await this.feed?.stop();
    await Promise.all(this.all.map((runner) => runner.stop()));
    this.options.snapshots.close();
  }

  /** The lowest position every read model has applied. */
  get position(): number {
    return Math.min(...this.all.map((runner) => runner.position));
  }

  /** Read-your-writes: true once every read model has applied `position`. */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const reached = await Promise.all(this.all.map((runner) => runner.waitFor(position, timeoutMs)));
    return reached.every(Boolean);
  }

  async caughtUp(timeoutMs?: number): Promise<boolean> {
    const reached = await Promise.all(this.all.map((runner) => runner.caughtUp(timeoutMs)));
    return reached.every(Boolean);
  }

  async lags(): Promise<Array<{ readonly name: ProjectionName; readonly status: string; readonly position: number } & Lag>> {
    return Promise.all(PROJECTION_NAMES.map(async (name) => {
      const runner = this.runners[name];
      return { name, status: runner.rebuilding ? 'rebuilding' : runner.status, position: runner.position, ...(await runner.lag()) };
    }));
  }

  /** Called after each burst of events the named read model has applied. */
  onApplied(name: ProjectionName, listener: (events: readonly RecordedEvent[]) => void): () => void {
    return this.runners[name].onApplied(listener);
  }
}
