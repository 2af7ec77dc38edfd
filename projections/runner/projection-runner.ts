/**
 * Keeps one projection's read model current: resumes from its latest snapshot, subscribes to
 * the log after that position (catch-up, then live), applies events in global order, and
 * snapshots every so often so that a restart resumes instead of replaying all history.
 *
 * - `waitFor(position)`: read-your-writes for queries given `minPosition`.
 * - `onApplied(listener)`: after each burst of events, coalesced (one call per loop turn).
 * - `rebuild()`: folds the whole log into a fresh state in the background while the current
 *   state keeps answering, then swaps it in at the same position: no downtime.
 * - `history`: told every event folded (statistics-history.ts), from which "as of" answers are
 *   read; one that cannot be continued from the snapshot makes the fold start from the log's
 *   beginning.
 *
 * A new projection version starts from the beginning of the log: its snapshots are its own.
 */
import type { EventStore, RecordedEvent, Subscription } from '../../src/event-store/port.js';
import type { Projection } from '../projection.js';
import type { SnapshotStore, SnapshotWriter } from './snapshot-store.js';
import { LogFeed } from '../../src/event-store/log-feed.js';

export interface RunnerLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * What the runner tells a history of its fold (statistics-history.ts), in the fold's own
 * order: it sees exactly the events the state took, and is written before any snapshot.
 */
export interface FoldHistory<State> {
  /**
   * The runner folds `state` from `position` on (after loading a snapshot, or a rebuilt state
   * swapped in). False: the history cannot be continued from there (it is lost, or from before
   * this history kept everything) and the runner must fold the log from the start.
   */
  follow(state: State, position: number, recordedAt: string): boolean;
  /** `event` was folded into the state (every event of the log, handled or not). */
  applied(state: State, event: RecordedEvent): void;
  /** The fold threw on an event: what it changed before throwing is not history. */
  failed(): void;
  /** Before a snapshot: resolves once everything told so far is written. */
  flush(): Promise<void>;
}

export interface RunnerOptions<State> {
  /** Told every event folded into the live state (statistics-history.ts). */
  readonly history?: FoldHistory<State>;
  readonly store: EventStore;
  readonly projection: Projection<State>;
  readonly snapshots: SnapshotStore;
  readonly logger?: RunnerLogger;
  /** Snapshot after this many events applied (default 100,000). */
  readonly snapshotEvery?: number;
  /**
   * …and no sooner than this many ms after the last one (default 60,000). A snapshot of a
   * province-sized state is over a GB of JSON, and the fold holds still while it is written:
   * taken every 100,000 events, a first start spent most of its time writing them. One is also
   * taken when the runner catches up and when it stops.
   */
  readonly snapshotIntervalMs?: number;
  /** Snapshots of the version kept (default 2: the newest, and one more should it be unreadable). */
  readonly keepSnapshots?: number;
  /** Events applied between yields to the event loop while catching up (default 4,096). */
  readonly yieldEvery?: number;
}

/**
 * 'failed': lost the log and resubscribing (it recovers by itself); 'halted': an event could
 * not be folded, and the runner stopped before it for good (a fix and a restart recover it).
 */
export type RunnerStatus = 'stopped' | 'catching-up' | 'live' | 'failed' | 'halted';

/**
 * A read model stopped at an event its fold threw on. Skipping the event would answer figures
 * that silently miss it, and the fold may have changed part of the state before throwing: so
 * the read model answers nothing until the code is fixed and the process restarted, when it
 * resumes from its last snapshot (taken before the event) and folds the event again.
 */
export class ReadModelHalted extends Error {
  override readonly name = 'ReadModelHalted';
  constructor(
    readonly projection: string,
    readonly event: { readonly position: number; readonly streamId: string; readonly revision: number; readonly type: string; readonly id: string },
    readonly reason: unknown,
  ) {
    super(`the read model ${projection} stopped at position ${event.position} (${event.type} ${event.streamId}@${event.revision}): `
      + `its fold failed: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

export interface Lag {
  readonly events: number;
  readonly ms: number;
}

interface Waiter {
  readonly position: number;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

interface Shadow<State> {
  state: State;
  position: number;
  recordedAt: string;
  subscription: Subscription;
  readonly done: Promise<void>;
}

export class ProjectionRunner<State> {
  private current: State;
  private appliedPosition = 0;
  private appliedRecordedAt = '';
  private sinceSnapshot = 0;
  private lastSnapshotAt = performance.now();
  /** Its own feed, when started alone; under ReadModels the shared feed calls `receive`. */
  private feed: LogFeed | undefined;
  private runnerStatus: RunnerStatus = 'stopped';
  private failure: unknown;
  private targetAtStart = 0;
  private waiters: Waiter[] = [];
  private readonly listeners = new Set<(events: readonly RecordedEvent[]) => void>();
  private burst: RecordedEvent[] = [];
  private burstScheduled = false;
  private shadow: Shadow<State> | undefined;
  private readonly handles: ReadonlySet<string>;
  /** The snapshot being written, a chunk per turn of the loop; the fold waits for it. */
  private writing: Promise<void> | undefined;
  /** How many hold the fold still (a snapshot being written, a long query); resolved when none. */
  private holders = 0;
  private released: Promise<void> | undefined;
  private release: () => void = () => undefined;
  /** Events that arrived while the fold was held: applied, in order, once it is not. */
  private held: RecordedEvent[] = [];

  constructor(private readonly options: RunnerOptions<State>) {
    this.current = options.projection.initialState();
    this.handles = new Set(options.projection.handles);
  }

  get name(): string {
    return this.options.projection.name;
  }

  /** The live read model. Callers read it; only the runner changes it. Throws once halted. */
  get state(): State {
    if (this.runnerStatus === 'halted') throw this.failure;
    return this.current;
  }

  get position(): number {
    return this.appliedPosition;
  }

  get status(): RunnerStatus {
    return this.runnerStatus;
  }

  get rebuilding(): boolean {
    return this.shadow !== undefined;
  }

  /**
   * Resumes from the latest snapshot of this version (or the start of the log) and notes the
   * head to catch up to. The events then come from `receive`: a feed of its own (`start`) or
   * one feed shared by every read model (ReadModels).
   */
  async load(): Promise<void> {
    const { projection, snapshots, store } = this.options;
    const snapshot = snapshots.latest(projection.name, projection.version);
    if (snapshot) {
      this.current = projection.deserialise(snapshot.chunks);
      this.appliedPosition = snapshot.position;
      this.appliedRecordedAt = snapshot.recordedAt;
    }
    const history = this.options.history;
    if (history !== undefined && !history.follow(this.current, this.appliedPosition, this.appliedRecordedAt)) {
      // Answers "as of" any moment come from the history alone: it must hold the whole log.
      this.options.logger?.info({ projection: projection.name, snapshot: this.appliedPosition },
        'the read side\'s history does not reach back to the snapshot: folding the log from the start, as for a new version');
      this.current = projection.initialState();
      this.appliedPosition = 0;
      this.appliedRecordedAt = '';
      history.follow(this.current, 0, '');
    }
    this.targetAtStart = await store.headPosition();
    this.runnerStatus = this.appliedPosition >= this.targetAtStart ? 'live' : 'catching-up';
    this.options.logger?.info({ projection: projection.name, version: projection.version, from: this.appliedPosition, head: this.targetAtStart }, 'projection starting');
  }

  /** Loads, then follows the log with a feed of its own; does not wait to catch up. */
  async start(): Promise<void> {
    await this.load();
    this.feed = new LogFeed(
      { store: this.options.store, afterPosition: this.appliedPosition, ...(this.options.yieldEvery ? { yieldEvery: this.options.yieldEvery } : {}) },
      {
        onEvent: (event) => this.receive(event), onLive: () => this.markLive(), onLost: (error, retryInMs) => this.markLost(error, retryInMs),
        onResubscribed: () => this.markCatchingUp(),
        // Held: the feed stops pulling.
        hold: () => this.released,
      },
    );
    await this.feed.start();
  }

  /**
   * The next event of the log, in order; events at or before the applied position are skipped.
   * While the fold is held (a snapshot being written, a long query) the state must not change
   * under it: the event waits (the feed also waits before pulling more, so only a few ever do).
   */
  receive(event: RecordedEvent): void {
    if (this.runnerStatus === 'stopped' || this.runnerStatus === 'halted') return;
    if (this.holders > 0 || this.held.length > 0) this.held.push(event);
    else this.apply(event);
  }

  /**
   * Runs `work` with the state held still: no event is applied until it settles, so work that
   * spans turns of the event loop (a snapshot, a scan of every project a slice at a time) sees
   * one position. Read models lag meanwhile; keep the work short.
   */
  async whileHolding<T>(work: () => Promise<T>): Promise<T> {
    if (this.holders++ === 0) this.released = new Promise((resolve) => { this.release = resolve; });
    try {
      return await work();
    } finally {
      if (--this.holders === 0) {
        this.released = undefined;
        this.release();
        if (this.runnerStatus !== 'stopped') this.applyHeld();
      }
    }
  }

  markLive(): void {
    if (this.runnerStatus === 'stopped' || this.runnerStatus === 'halted') return;
    const caughtUpNow = this.runnerStatus !== 'live';
    this.runnerStatus = 'live';
    this.failure = undefined;
    if (caughtUpNow) {
      this.options.logger?.info({ projection: this.name, position: this.appliedPosition }, 'projection caught up');
      // The next start resumes from here rather than from the last periodic snapshot; taken
      // after the runner reports live, so readiness does not wait for it.
      setImmediate(() => { if (this.runnerStatus === 'live') this.snapshotSoon(); });
    }
  }

  /** Stops before `event` for good: loudly (status, readiness, log, metric), never past it. */
  private halt(event: RecordedEvent, reason: unknown): void {
    const halted = new ReadModelHalted(this.name, {
      position: event.position, streamId: event.streamId, revision: event.revision, type: event.type, id: event.id,
    }, reason);
    this.runnerStatus = 'halted';
    this.failure = halted;
    this.held = [];
    this.options.logger?.error({ projection: this.name, position: event.position, streamId: event.streamId, eventType: event.type, err: reason },
      'a read model could not fold an event and stopped before it; fix the fold and restart');
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
    // The feed stops pulling: nothing after the event may be folded past it.
    void this.feed?.stop();
  }

  markLost(error: unknown, retryInMs: number): void {
    if (this.runnerStatus === 'stopped' || this.runnerStatus === 'halted') return;
    this.runnerStatus = 'failed';
    this.failure = error;
    this.options.logger?.error({ projection: this.name, err: error, retryInMs }, 'projection lost the log; resubscribing');
  }

  markCatchingUp(): void {
    if (this.runnerStatus !== 'stopped' && this.runnerStatus !== 'halted') this.runnerStatus = 'catching-up';
  }

  /** Resolves once the runner has applied everything that was in the log when it started. */
  async caughtUp(timeoutMs = 60_000): Promise<boolean> {
    return this.waitFor(this.targetAtStart, timeoutMs);
  }

  /** Resolves true once `position` is applied, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.appliedPosition >= position) return Promise.resolve(true);
    if (this.runnerStatus === 'halted') return Promise.resolve(false);
    // A failed runner is resubscribing: its waiters wait, bounded by their own timeouts.
    if (this.runnerStatus === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  onApplied(listener: (events: readonly RecordedEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async lag(): Promise<Lag> {
    const head = await this.options.store.headPosition();
    if (head <= this.appliedPosition) return { events: 0, ms: 0 };
    const [newest] = await this.options.store.readAll({ direction: 'backwards', maxCount: 1 });
    const behindMs = newest && this.appliedRecordedAt
      ? Math.max(0, Date.parse(newest.recordedAt) - Date.parse(this.appliedRecordedAt))
      : 0;
    // Embedded positions are contiguous, so this is a count; KurrentDB's are log offsets.
    return { events: head - this.appliedPosition, ms: behindMs };
  }

  async stop(): Promise<void> {
    if (this.runnerStatus === 'stopped') return;
    // A halted state may hold part of the event it threw on: never snapshotted.
    const halted = this.runnerStatus === 'halted';
    this.runnerStatus = 'stopped';
    await this.shadow?.subscription.close();
    await this.feed?.stop();
    await this.writing;
    if (!halted) {
      this.applyHeld();
      await this.writeSnapshot();
    }
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
  }

  /** Folds the whole log into a fresh state beside the live one, then swaps it in. */
  rebuild(): Promise<void> {
    if (this.shadow) return this.shadow.done;
    const subscription = this.options.store.subscribeToAll({ afterPosition: 0 });
    let finished: () => void = () => undefined;
    const shadow: Shadow<State> = {
      state: this.options.projection.initialState(),
      position: 0,
      recordedAt: '',
      subscription,
      done: new Promise<void>((resolve) => { finished = resolve; }),
    };
    this.shadow = shadow;
    void (async () => {
      let count = 0;
      try {
        if (this.trySwap(shadow)) return;
        for await (const event of subscription) {
          if (this.handles.has(event.type)) shadow.state = this.options.projection.evolve(shadow.state, event);
          shadow.position = event.position;
          shadow.recordedAt = event.recordedAt;
          if (this.trySwap(shadow)) return;
          if (++count % (this.options.yieldEvery ?? 4096) === 0) await yieldToLoop();
        }
      } catch (error) {
        this.options.logger?.error({ projection: this.name, err: error }, 'the rebuild failed; the current state keeps answering');
      } finally {
        await subscription.close();
        if (this.shadow === shadow) this.shadow = undefined;
        finished();
      }
    })();
    return shadow.done;
  }

  get lastError(): unknown {
    return this.failure;
  }

  private apply(event: RecordedEvent): void {
    if (event.position <= this.appliedPosition || this.runnerStatus === 'halted') return;
    if (this.handles.has(event.type)) {
      try {
        this.current = this.options.projection.evolve(this.current, event);
      } catch (error) {
        this.options.history?.failed();
        this.halt(event, error);
        return;
      }
    }
    this.options.history?.applied(this.current, event);
    this.appliedPosition = event.position;
    this.appliedRecordedAt = event.recordedAt;
    if (this.shadow) this.trySwap(this.shadow);
    if (this.waiters.length > 0) this.releaseWaiters();
    if (this.listeners.size > 0) this.announce(event);
    if (++this.sinceSnapshot >= (this.options.snapshotEvery ?? 100_000) &&
        performance.now() - this.lastSnapshotAt >= (this.options.snapshotIntervalMs ?? 60_000)) this.snapshotSoon();
  }

  private applyHeld(): void {
    let i = 0;
    while (i < this.held.length && this.holders === 0) {
      this.apply(this.held[i] as RecordedEvent);
      i += 1;
    }
    this.held = i === this.held.length ? [] : this.held.slice(i);
  }


  /** Swaps a rebuilt state in when it stands exactly where the live one does. */
  private trySwap(shadow: Shadow<State>): boolean {
    if (this.shadow !== shadow || shadow.position !== this.appliedPosition) return false;
    this.current = shadow.state;
    this.shadow = undefined;
    this.options.history?.follow(this.current, shadow.position, shadow.recordedAt);
    this.options.logger?.info({ projection: this.name, position: shadow.position }, 'projection rebuilt and swapped in');
    this.snapshotSoon();
    return true;
  }

  private releaseWaiters(): void {
    const remaining: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.position <= this.appliedPosition) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        remaining.push(waiter);
      }
    }
    this.waiters = remaining;
  }

  private announce(event: RecordedEvent): void {
    this.burst.push(event);
    if (this.burstScheduled) return;
    this.burstScheduled = true;
    setImmediate(() => {
      const events = this.burst;
      this.burst = [];
      this.burstScheduled = false;
      for (const listener of this.listeners) {
        try {
          listener(events);
        } catch (error) {
          this.options.logger?.error({ projection: this.name, err: error }, 'a listener of the projection failed');
        }
      }
    });
  }

  /** Starts writing a snapshot of the state as it is now, unless one is being written. */
  private snapshotSoon(): void {
    if (this.writing !== undefined || this.runnerStatus === 'stopped' || this.runnerStatus === 'halted') return;
    const { serialiseFrozen } = this.options.projection;
    if (serialiseFrozen !== undefined) {
      // The state as it is now, written over many turns while the fold goes on.
      if (this.appliedPosition === 0 || this.sinceSnapshot === 0) return;
      const frozen = { ...serialiseFrozen(this.current), position: this.appliedPosition, recordedAt: this.appliedRecordedAt };
      this.sinceSnapshot = 0;
      this.lastSnapshotAt = performance.now();
      this.writing = this.writeFrozen(frozen);
      return;
    }
    // Held from here, before the first await inside: the snapshot is of this position. Cleared
    // before the hold is released, so the held events may ask for the next one.
    const writing = this.whileHolding(async () => {
      try {
        await this.writeSnapshot();
      } finally {
        this.writing = undefined;
      }
    });
    this.writing = writing;
  }

  /**
   * Writes the state a chunk per turn of the event loop, so that a province-sized state (over
   * a GB of JSON, ~10 s) never stalls HTTP and SSE. The chunks are of one position: taken from
   * the state frozen when the snapshot began (the server's read models: the fold goes on
   * meanwhile), or, for a projection that cannot freeze its state, from the state held still
   * (events wait, and the feed with them). A failed snapshot costs a longer catch-up at the
   * next start, never the read model: it is logged and folding goes on.
   */
  private async writeFrozen(frozen: FrozenSnapshot): Promise<void> {
    await yieldToLoop(); // `writing` is set before anything below can clear it
    try {
      await this.writeSnapshot(frozen);
    } finally {
      frozen.release();
      this.writing = undefined;
    }
  }

  private async writeSnapshot(frozen?: FrozenSnapshot): Promise<void> {
    // A snapshot is never ahead of the history: a start from it finds the history there.
    await this.options.history?.flush();
    if (frozen === undefined) {
      if (this.appliedPosition === 0 || this.sinceSnapshot === 0) return;
      this.sinceSnapshot = 0;
      this.lastSnapshotAt = performance.now();
    }
    const { projection, snapshots } = this.options;
    const position = frozen?.position ?? this.appliedPosition;
    const started = performance.now();
    let writer: SnapshotWriter | undefined;
    try {
      writer = snapshots.begin(projection.name, projection.version, position, frozen?.recordedAt ?? this.appliedRecordedAt);
      let turnStarted = performance.now();
      for (const chunk of frozen?.chunks ?? projection.serialise(this.current)) {
        writer.write(chunk);
        if (performance.now() - turnStarted >= SNAPSHOT_SLICE_MS) {
          await yieldToLoop();
          turnStarted = performance.now();
        }
      }
      const saved = writer.commit();
      snapshots.prune(projection.name, projection.version, this.options.keepSnapshots ?? 2);
      this.options.logger?.info({ projection: projection.name, position, ...saved, ms: Math.round(performance.now() - started) }, 'snapshot saved');
    } catch (error) {
      writer?.abort();
      this.options.logger?.error({ projection: projection.name, position, err: error }, 'snapshot failed; the read model carries on without it');
    }
  }
}

/** A snapshot's chunks taken from a frozen state, and the position they are of. */
interface FrozenSnapshot {
  readonly chunks: Iterable<string>;
  readonly position: number;
  readonly recordedAt: string;
  release(): void;
}

/** Longest a snapshot writes in one turn of the event loop before letting requests in. */
const SNAPSHOT_SLICE_MS = 20;

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
