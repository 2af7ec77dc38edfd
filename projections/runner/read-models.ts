/**
 * Every read model of the product, folded by one runner as one projection over the shared
 * project facts (all-read-models.ts): each event is read, parsed and applied to the facts
 * once. Each read model is seen through a view with what queries need of it: its state (live
 * or as of a moment), the position it reflects, changes, lag and readiness.
 */
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { readModelsOver, READ_MODEL_NAMES, type AllReadModelsState, type ReadModelName, type ReadModelStates } from '../all-read-models.js';
import { ON_ROWS_VERSION, onRows, type FactsOnRows } from './facts-on-rows.js';
import { ReadWorker } from './read-worker.js';
import type { ReadAt, ReadRequest } from './read-worker-thread.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ledgerCells, ledgerCsvChunks } from '../project-ledger/index.js';
import { complianceFlags, complianceScan } from '../compliance/index.js';
import { runSliced, SLICE } from '../shared/sliced.js';
import { ProjectionRunner, type Lag, type RunnerLogger, type RunnerStatus } from './projection-runner.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { PipelineState } from '../pipeline-statistics/projection.js';
import { StatisticsHistory } from './statistics-history.js';
import type { FactScope, FactStates } from './facts-history.js';

export type ProjectionName = ReadModelName;
export const PROJECTION_NAMES: readonly ProjectionName[] = READ_MODEL_NAMES;

/** What a query reads of one read model: its state now or as of a moment, and the position it reflects. */
export interface ReadModelSource<State> {
  readonly state: State;
  readonly position: number;
  /**
   * The state as it stood when `moment` was recorded. A `scope` lets it hold only what a query
   * of those regions reads (the ledger, compliance and batches); such a state answers queries
   * of those regions only.
   */
  stateAsOf(moment: string, scope?: FactScope): Promise<{ readonly state: State; readonly position: number }>;
  /** Resolves true once `position` is applied, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean>;
}

/** One read model of the shared runner. */
export class ReadModelView<K extends ProjectionName> implements ReadModelSource<ReadModelStates[K]> {
  constructor(
    readonly name: K,
    private readonly runner: ProjectionRunner<AllReadModelsState>,
    /** The answer "as of" a moment, from the read side's history. */
    private readonly fromHistory: (moment: string, scope: FactScope) => Promise<{ readonly state: ReadModelStates[K]; readonly position: number }>,
  ) {}

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

  stateAsOf(moment: string, scope: FactScope = {}): Promise<{ readonly state: ReadModelStates[K]; readonly position: number }> {
    return this.fromHistory(moment, scope);
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
  /**
   * Where the read side's history is kept (`statistics-history.db`; default ':memory:'): every
   * answer "as of" a moment is read from it.
   */
  readonly history?: {
    readonly path: string;
    readonly checkpointEvery?: number;
    /** Events a batch of the history's rows holds at most (tests: small, so that rows are written often). */
    readonly flushEvery?: number;
    /** Projects the fold keeps in memory beside those not yet written (facts-on-rows.ts; tests: a few). */
    readonly keptProjects?: number;
  };
}

/** An "as of" answer that cannot be given now (the fold is behind, or the history could not be written): retry. */
export class AsOfUnavailable extends Error {
  override readonly name = 'AsOfUnavailable';
}

/** How long an "as of" answer about a moment not yet folded waits for the fold to reach the log's head. */
const AS_OF_CATCH_UP_MS = 5_000;
/**
 * How long it waits for the history's writer to write the newest rows: they are on their way
 * (written within a second or so), but a thread just started, or a loaded machine, takes longer.
 */
const AS_OF_WRITER_MS = 30_000;

export class ReadModels {
  /** The one runner folding every read model. */
  readonly runner: ProjectionRunner<AllReadModelsState>;
  readonly runners: Views;

  /** The read side's history: the statistics' changes and the facts' rows, by position. */
  readonly history: StatisticsHistory<AllReadModelsState>;

  constructor(options: ReadModelsOptions) {
    this.store = options.store;
    this.history = new StatisticsHistory<AllReadModelsState>({
      path: options.history?.path ?? ':memory:',
      version: ON_ROWS_VERSION,
      ...(options.history?.checkpointEvery === undefined ? {} : { checkpointEvery: options.history.checkpointEvery }),
      ...(options.history?.flushEvery === undefined ? {} : { flushEvery: options.history.flushEvery }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }, (state) => state['pipeline-statistics'], (state) => ({
      facts: state.facts, lateReports: state.compliance.lateReports, batches: state.batches,
    }));
    this.runner = new ProjectionRunner<AllReadModelsState>({
      history: this.history,
      store: options.store,
      // The facts live in the history's rows, the fold holding a few (facts-on-rows.ts).
      projection: readModelsOver(onRows(this.history, options.history?.keptProjects)),
      snapshots: options.snapshots,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.snapshotEvery ? { snapshotEvery: options.snapshotEvery } : {}),
      ...(options.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: options.snapshotIntervalMs } : {}),
    });
    this.runners = {
      'project-ledger': new ReadModelView('project-ledger', this.runner, (moment, scope) => this.factsAsOf('project-ledger', moment, scope)),
      'pipeline-statistics': new ReadModelView('pipeline-statistics', this.runner, (moment) => this.statisticsAsOf(moment)),
      compliance: new ReadModelView('compliance', this.runner, (moment, scope) => this.factsAsOf('compliance', moment, scope)),
      batches: new ReadModelView('batches', this.runner, (moment, scope) => this.factsAsOf('batches', moment, scope)),
    };
    this.snapshots = options.snapshots;
    const path = options.history?.path ?? ':memory:';
    // Long reads on a thread of their own, over the file (a history in memory is this thread's alone).
    if (path !== ':memory:') this.reader = new ReadWorker(path, options.logger);
  }

  /** The thread the long reads run on (a history in a file only). */
  private readonly reader: ReadWorker | undefined;

  private readonly snapshots: SnapshotStore;
  private readonly store: EventStore;

  /** The statistics as they stood when `moment` was recorded, from the history. */
  private async statisticsAsOf(moment: string): Promise<{ readonly state: PipelineState; readonly position: number }> {
    const position = await this.historyPositionAt(moment);
    return { state: this.history.stateAt(position), position };
  }

  /** The ledger, compliance or batches as they stood when `moment` was recorded, from the facts' rows of the history. */
  private async factsAsOf<K extends keyof FactStates>(name: K, moment: string, scope: FactScope): Promise<{ readonly state: FactStates[K]; readonly position: number }> {
    const position = await this.historyPositionAt(moment);
    const states = await this.history.factStatesAt(position, scope);
    return { state: states[name], position };
  }

  /**
   * The ledger, compliance or batches as they stand, read from the history's rows at the
   * position it has written, once that is at least `position` (the fold's now, by default):
   * the rows the fold holds unwritten are written first. A long scan of them never holds the
   * fold and stays of one position (`scope`: what it reads, facts-history.ts).
   */
  async currentFacts<K extends keyof FactStates>(name: K, scope: FactScope, position = this.runner.position): Promise<{ readonly state: FactStates[K]; readonly position: number }> {
    await this.rowsWrittenTo(position);
    const { position: at, states } = this.history.currentFactStates(scope);
    return { state: states[name], position: at };
  }

  /**
   * A long read of the ledger (as CSV text or as rows of cells) or of compliance, now (at the
   * fold's position at least) or as of a position: on the read worker's thread when the history
   * is a file, else here a slice per turn. Its parts come in order, then its value.
   */
  async longRead(request: ReadRequest, at: { readonly asOf: number } | { readonly now: true }, scope: FactScope): Promise<{ readonly position: number; readonly parts: AsyncGenerator<unknown, unknown> }> {
    let where: ReadAt;
    if ('asOf' in at) where = { now: false, position: at.asOf };
    else {
      const target = this.runner.position;
      await this.rowsWrittenTo(target);
      where = { now: true, atLeast: target };
    }
    if (this.reader?.available === true) {
      const read = this.reader.read(where, scope, request);
      return { position: await read.position, parts: read.parts() };
    }
    const { position, states } = where.now
      ? this.history.currentFactStates(scope)
      : { position: where.position, states: await this.history.factStatesAt(where.position, scope) };
    return { position, parts: partsHere(states, request) };
  }

  /** Resolves once the history's rows reach `position` (the fold's rows are handed to its writer first). */
  private async rowsWrittenTo(position: number): Promise<void> {
    if (this.runner.status === 'halted') throw this.runner.lastError;
    const history = this.history;
    if (history.head.position < position) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), AS_OF_WRITER_MS); });
      const outcome = await Promise.race([history.flush(), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') throw new AsOfUnavailable('the read side\'s rows are still being written; retry shortly');
      if (history.head.position < position) {
        throw new AsOfUnavailable('the read side\'s rows could not be written: the lists come back once the server restarts and folds them again');
      }
    }
  }

  /** The position of the last event recorded by `moment` (an "as of" read's), once the history holds it. */
  positionAsOf(moment: string): Promise<number> {
    return this.historyPositionAt(moment);
  }

  /**
   * The position of the last event recorded by `moment`. A moment the fold may not have reached
   * waits for it to reach the log's head, and for the history's writer, a few seconds at most.
   */
  private async historyPositionAt(moment: string): Promise<number> {
    const history = this.history;
    const cutoff = Date.parse(new Date(moment).toISOString());
    if (history.folded.recordedMs <= cutoff && await this.recordedBy(this.runner.position, cutoff)) {
      // Events recorded by then are still on their way to the fold: it reaches the head first.
      const head = await this.store.headPosition();
      if (this.runner.position < head && !(await this.runner.waitFor(head, AS_OF_CATCH_UP_MS))) {
        if (this.runner.status === 'halted') throw this.runner.lastError;
        throw new AsOfUnavailable(`the read models are behind the log (at ${this.runner.position} of ${head}): "as of" ${moment} cannot be answered yet; retry shortly`);
      }
    }
    if (history.head.recordedMs <= cutoff && history.head.position < history.folded.position) {
      // The newest rows are with the writer: wait for them.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), AS_OF_WRITER_MS); });
      const outcome = await Promise.race([history.flush(), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') throw new AsOfUnavailable(`the read side's history is still being written: "as of" ${moment} cannot be answered yet; retry shortly`);
    }
    const position = history.positionRecordedBy(cutoff);
    if (position === undefined) throw new AsOfUnavailable('the read side\'s history could not be written: "as of" answers come back once the server restarts and folds it again');
    return position;
  }

  /** Whether the log holds an event after `position` recorded by `cutoff` (ms). */
  private async recordedBy(position: number, cutoff: number): Promise<boolean> {
    // Positions are the store's own (KurrentDB's are log offsets): read from this one, skip it.
    const page = await this.store.readAll({ ...(position > 0 ? { fromPosition: position } : {}), maxCount: 2 });
    const next = page.find((event) => event.position > position);
    return next !== undefined && Date.parse(next.recordedAt) <= cutoff;
  }

  /** Loads the latest snapshot and follows the log from it; does not wait to catch up. */
  async start(): Promise<void> {
    await this.runner.start();
  }

  async stop(): Promise<void> {
    await this.reader?.stop();
    await this.runner.stop();
    await this.history.stop();
    this.snapshots.close();
  }

  /** Projects the fold holds in memory now (the rest are read from the history's rows when an event needs them). */
  get keptProjects(): number {
    return (this.runner.state.facts as Partial<FactsOnRows>).kept ?? 0;
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

/** CSV text a turn of the loop makes (the read here, without a worker): a command waits behind one at most. */
const CSV_CHUNK_CHARS = 8 * 1024;

/** A long read's parts made on this thread, a slice per turn. */
async function* partsHere(states: FactStates, request: ReadRequest): AsyncGenerator<unknown, unknown> {
  const state = states.compliance;
  switch (request.kind) {
    case 'csv': {
      let chunk = '';
      for (const line of ledgerCsvChunks(state, complianceFlags(state, request.flagsOn), request.filter)) {
        chunk += line;
        if (chunk.length >= CSV_CHUNK_CHARS) {
          yield chunk;
          chunk = '';
          await nextTurn();
        }
      }
      if (chunk.length > 0) yield chunk;
      return undefined;
    }
    case 'cells': {
      let rows: string[][] = [];
      for (const cells of ledgerCells(state, complianceFlags(state, request.flagsOn), request.filter)) {
        if (rows.push(cells) >= SLICE) {
          yield rows;
          rows = [];
          await nextTurn();
        }
      }
      if (rows.length > 0) yield rows;
      return undefined;
    }
    case 'compliance':
      return runSliced(complianceScan(state, request.query));
  }
}
