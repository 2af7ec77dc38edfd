/**
 * The embedded event store: one SQLite file (better-sqlite3, WAL), the default store.
 *
 * Durability: with `synchronous: 'FULL'` (the default) an append is acknowledged only after
 * its transaction's WAL frames are fsynced. Appends that arrive while the event loop is busy
 * are grouped into one transaction (group commit), so one fsync serves many appenders; each
 * append in a group still succeeds or fails alone on its own expected revision or event ids (a
 * savepoint each). Anything else that fails mid-group (a full disk, an I/O error, no memory:
 * SQLite may have rolled back the whole transaction by then) fails the whole group: no append
 * of it is committed, every one is answered StoreUnavailable, and subscribers hear nothing of
 * it. While appends fail, ping() fails too (so /readyz says so), and each ping tries a write as
 * large as the group that failed, so the store reports itself well again once the disk has room.
 *
 * Live subscribers are pushed the committed events right after COMMIT, from the same thread:
 * there is no polling interval, and a subscriber switches from reading the file to live in
 * one synchronous step, so nothing falls between the two.
 *
 * One process writes a file at a time (the server): the writer holds a lock (writer-lock.ts)
 * and a second writer is refused, naming the first. Other processes (the CLI, a backup) open it
 * with `access: 'reader'` and may read while the server runs. The writer never waits on SQLite's
 * busy handler (that wait would block the event loop): a write lock held by some other program
 * makes the group retry on a timer, and fail after BUSY_GIVE_UP_MS.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyStoreSchema } from '../../../migrations/store/apply.js';
import { currentStoreSchemaVersion } from '../../../migrations/store/schema-versions.js';
import { DuplicateEventId, StoreUnavailable, StreamNotFound, WrongExpectedRevision, isEventStoreError } from '../errors.js';
import {
  matchesFilter,
  type AppendResult,
  type CommitObserver,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../port.js';
import { EmbeddedSubscription, type LiveFeed } from './embedded-subscription.js';
import { acquireWriterLock, isBusy, type WriterLock } from './writer-lock.js';

export type Synchronous = 'FULL' | 'NORMAL';

export interface EmbeddedStoreOptions {
  /** A file path, or ':memory:' for tests. */
  readonly path: string;
  /** FULL: acknowledged means on disk. NORMAL: may lose the last commits on power loss. */
  readonly synchronous?: Synchronous;
  /** Source of record time; record times never go backwards even if this does. */
  readonly clock?: () => Date;
  /** Upper bound on appends per group commit, to bound the time the loop is held. */
  readonly maxGroupSize?: number;
  /**
   * `writer` (the default): takes the file's writer lock, migrates the schema, appends.
   * `reader`: opens the file read-only beside a running writer; appends are refused.
   */
  readonly access?: 'writer' | 'reader';
  /** SQLite's page cache in KiB (default 64 MiB). Tests make it small to spill mid-transaction. */
  readonly cacheSizeKiB?: number;
}

/** How long a group waits, retrying on a timer, for a write lock another program holds. */
const BUSY_GIVE_UP_MS = 5000;
const BUSY_RETRY_MS = 5;

/**
 * A row of the log as the reading statements return it: an array in COLUMNS order
 * (`.raw(true)`), which better-sqlite3 builds faster than an object with named keys
 * (a third faster for the bare read of a page of the log).
 */
type EventRow = [
  position: number,
  streamId: string,
  revision: number,
  id: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
];

interface PendingAppend {
  /** When its group first tried to commit (ms), for giving up on a busy file. */
  firstTriedAt?: number;
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerialisedEvent[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: Error) => void;
}

interface SerialisedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/** The columns of an EventRow, in its order: the reading statements are raw (arrays). */
const COLUMNS = 'position, stream_id, revision, id, type, data, metadata, recorded_at';

/** Below this many events, a stream prefix is read through the stream index. */
const SELECTIVE = 20_000;

export interface FilteredPage {
  readonly events: RecordedEvent[];
  /** Every event up to this position has been looked at. */
  readonly scannedTo: number;
  /** Nothing after `scannedTo` was left unread when the page was taken. */
  readonly exhausted: boolean;
}

/** The smallest string greater than every string that starts with `prefix`. */
function upperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export class EmbeddedEventStore implements EventStore, LiveFeed {
  readonly kind = 'embedded' as const;
  private readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly maxGroupSize: number;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private busyRetry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly readOnly: boolean;
  private readonly writerLock: WriterLock | undefined;
  private cachedLogId: string | undefined;
  /** Set while appends fail for a reason other than the caller's (full disk, I/O): ping() fails. */
  private appendFailure: { readonly since: string; readonly reason: string; readonly bytes: number } | undefined;
  private lastRecordedAt = '';
  /** Subscriptions that have caught up and are pushed each commit. */
  private readonly subscribers = new Set<EmbeddedSubscription>();
  private readonly opened = new Set<EmbeddedSubscription>();
  /** Told of each group commit (metrics: src/http/app.ts), never of the events themselves. */
  private readonly commitObservers = new Set<CommitObserver>();
  private readonly statements;

  constructor(options: EmbeddedStoreOptions) {
    this.readOnly = options.access === 'reader';
    const memory = options.path === ':memory:';
    if (!memory && !this.readOnly) mkdirSync(dirname(options.path), { recursive: true });
    if (this.readOnly && !memory) migrateIfNoWriter(options.path);
    // The lock first: a second writer is refused before it touches the file.
    this.writerLock = memory || this.readOnly ? undefined : acquireWriterLock(options.path);
    try {
      // timeout 0: no busy wait, ever, on the thread that runs the event loop.
      this.db = new Database(options.path, this.readOnly ? { readonly: true, fileMustExist: true, timeout: 0 } : { timeout: 0 });
      if (!this.readOnly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      }
      this.db.pragma(`cache_size = -${Math.max(64, Math.trunc(options.cacheSizeKiB ?? 65536))}`);
      if (this.readOnly) assertCurrentSchema(this.db, options.path);
      else applyStoreSchema(this.db);
    } catch (error) {
      this.writerLock?.release();
      throw new StoreUnavailable(`cannot open the embedded store at ${options.path}: ${String(error)}`, { cause: error });
    }
    this.clock = options.clock ?? (() => new Date());
    this.maxGroupSize = options.maxGroupSize ?? 1024;
    const db = this.db;
    this.statements = {
      streamRevision: db.prepare<[string], { revision: number }>(
        'SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1'),
      insert: db.prepare<[string, number, string, string, string, string, string]>(
        'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      readStreamForwards: db.prepare<[string, number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`).raw(true),
      // Whole streams and their tails (a command's read, the stream cache's): without a LIMIT
      // parameter, which made the same lookup four to five times slower in this SQLite build
      // (bench/sse-latency.ts's profile: 20 µs for a missing stream against 4 µs).
      readStreamForwardsWhole: db.prepare<[string, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC`).raw(true),
      readStreamBackwards: db.prepare<[string, number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`).raw(true),
      readAllForwards: db.prepare<[number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position ASC LIMIT ?`).raw(true),
      readAllBackwards: db.prepare<[number, number], EventRow>(
        `SELECT ${COLUMNS} FROM events WHERE position <= ? ORDER BY position DESC LIMIT ?`).raw(true),
      head: db.prepare<[], { position: number | null }>('SELECT MAX(position) AS position FROM events'),
      countPrefix: db.prepare<[string, string, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM (SELECT 1 FROM events WHERE stream_id >= ? AND stream_id < ? LIMIT ?)'),
      readPrefix: db.prepare<[string, string, number], EventRow>(
        `SELECT ${COLUMNS} FROM events INDEXED BY events_by_stream WHERE stream_id >= ? AND stream_id < ? AND position >= ?`).raw(true),
      lastRecordedAt: db.prepare<[], { recorded_at: string }>(
        'SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1'),
      eventById: db.prepare<[string], { stream_id: string; revision: number }>(
        'SELECT stream_id, revision FROM events WHERE id = ?'),
      streamRun: db.prepare<[string, number, number], { revision: number; id: string; position: number }>(
        'SELECT revision, id, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?'),
      eventAt: db.prepare<[number], EventRow>(`SELECT ${COLUMNS} FROM events WHERE position = ?`).raw(true),
      logId: db.prepare<[], { value: string }>("SELECT value FROM store_meta WHERE key = 'log_id'"),
      writeProbe: this.readOnly ? undefined : db.prepare<[number]>(
        "INSERT INTO store_meta (key, value) VALUES ('write_probe', zeroblob(?)) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
      clearProbe: db.prepare("DELETE FROM store_meta WHERE key = 'write_probe'"),
    };
    this.lastRecordedAt = this.statements.lastRecordedAt.get()?.recorded_at ?? '';
  }

  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreUnavailable('the event store is closed'));
    if (this.readOnly) return Promise.reject(new StoreUnavailable('the event store was opened read-only: the server is its writer'));
    // Serialise before queueing, so a bad payload fails its own caller and never its group.
    const serialised = events.map((event) => ({
      id: event.id ?? randomUUID(),
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata ?? {}),
    }));
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ streamId, expected: options?.expectedRevision ?? 'any', events: serialised, resolve, reject });
      if (this.pending.length >= this.maxGroupSize) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate, not a microtask: appends issued by every callback that is ready now
        // (HTTP requests, resolved appenders) join the same group.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every pending append in one transaction, then answers and notifies. */
  private flush(final = false): void {
    this.flushScheduled = false;
    if (this.busyRetry) {
      clearTimeout(this.busyRetry);
      this.busyRetry = undefined;
    }
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    const recordedAt = this.nextRecordedAt();
    const outcomes: Array<AppendResult | Error> = [];
    const committed: RecordedEvent[] = [];
    const appendOne = this.db.transaction((append: PendingAppend) => this.writeAppend(append, recordedAt, committed));
    try {
      this.db.transaction(() => {
        for (const append of group) {
          const mark = committed.length;
          try {
            // A nested transaction is a savepoint: a refusal undoes this append only.
            outcomes.push(appendOne(append));
          } catch (error) {
            // Anything but a refusal of this append is SQLite failing (full disk, I/O, memory),
            // which may already have rolled the whole transaction back: the group fails whole.
            if (!isEventStoreError(error)) throw error;
            committed.length = mark;
            outcomes.push(error);
          }
        }
      }).immediate();
    } catch (error) {
      const now = Date.now();
      for (const append of group) append.firstTriedAt ??= now;
      if (isBusy(error) && !final && !this.closed && now - (group[0]?.firstTriedAt ?? now) < BUSY_GIVE_UP_MS) {
        // Another program holds the file's write lock: try again shortly, without blocking.
        this.pending = [...group, ...this.pending];
        this.busyRetry = setTimeout(() => this.flush(), BUSY_RETRY_MS);
        return;
      }
      const bytes = group.reduce((sum, append) => sum + append.events.reduce((size, event) => size + event.data.length + event.metadata.length, 0), 0);
      this.appendFailure = { since: this.appendFailure?.since ?? new Date(now).toISOString(), reason: describe(error), bytes };
      const failure = new StoreUnavailable(`the group commit failed, nothing of it was written: ${describe(error)}`, { cause: error });
      for (const append of group) append.reject(failure);
      return;
    }
    this.appendFailure = undefined;
    this.lastRecordedAt = recordedAt;
    group.forEach((append, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) append.reject(outcome);
      else if (outcome) append.resolve(outcome);
    });
    if (committed.length > 0) for (const subscriber of this.subscribers) subscriber.push(committed);
    for (const observer of this.commitObservers) observer({ appends: group.length, events: committed.length });
  }

  observeCommits(observer: CommitObserver): () => void {
    this.commitObservers.add(observer);
    return () => { this.commitObservers.delete(observer); };
  }

  private writeAppend(append: PendingAppend, recordedAt: string, committed: RecordedEvent[]): AppendResult {
    const current = this.statements.streamRevision.get(append.streamId)?.revision;
    const first = append.events[0];
    const earlier = first ? this.statements.eventById.get(first.id) : undefined;
    if (first && earlier) return this.answerRetry(append, first.id, earlier, current);
    assertExpected(append.streamId, append.expected, current);
    let revision = current ?? -1;
    let position = 0;
    for (const event of append.events) {
      revision += 1;
      let result: Database.RunResult;
      try {
        result = this.statements.insert.run(append.streamId, revision, event.id, event.type, event.data, event.metadata, recordedAt);
      } catch (error) {
        throw this.refusalOf(error, append, event.id, current);
      }
      position = Number(result.lastInsertRowid);
      // Copies for the live feed, parsed from what was written: a caller mutating its
      // objects after the append cannot change what subscribers see. The same kind of object
      // as a read gives, so a subscriber sees no difference at the switch to live.
      if (this.subscribers.size > 0) {
        committed.push(new EmbeddedRecordedEvent(event.id, append.streamId, revision, position, event.type,
          JSON.parse(event.data) as JsonObject, event.metadata, recordedAt));
      }
    }
    if (append.events.length === 0) position = this.headPositionNow();
    return { nextRevision: revision, position };
  }

  /**
   * The append's first event id is already in the log. The same events at the place the
   * expectation names are a retry: the first answer again, nothing written (as on KurrentDB).
   * Anything else reusing ids is refused.
   */
  private answerRetry(append: PendingAppend, firstId: string, earlier: { stream_id: string; revision: number }, current: number | undefined): AppendResult {
    if (earlier.stream_id !== append.streamId) throw new DuplicateEventId(firstId, append.streamId, earlier.stream_id);
    const run = this.statements.streamRun.all(append.streamId, earlier.revision, append.events.length);
    const same = run.length === append.events.length && run.every((row, i) => row.id === append.events[i]?.id);
    const expected = append.expected;
    const sameExpectation = expected === 'any' ||
      (expected === 'no_stream' && earlier.revision === 0) ||
      (expected === 'stream_exists' && earlier.revision > 0) ||
      expected === earlier.revision - 1;
    const last = run.at(-1);
    if (!same || !sameExpectation || !last) throw new WrongExpectedRevision(append.streamId, expected, current ?? 'no_stream');
    return { nextRevision: last.revision, position: last.position };
  }

  /** An insert that broke the unique event id: a refusal of this append, not a store failure. */
  private refusalOf(error: unknown, append: PendingAppend, eventId: string, current: number | undefined): unknown {
    const unique = typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
    if (!unique) return error;
    const holder = this.statements.eventById.get(eventId);
    if (!holder) return error;
    if (holder.stream_id !== append.streamId) return new DuplicateEventId(eventId, append.streamId, holder.stream_id);
    if (holder.revision > (current ?? -1)) return new DuplicateEventId(eventId, append.streamId, undefined);
    return new WrongExpectedRevision(append.streamId, append.expected, current ?? 'no_stream');
  }

  /** Record times never go backwards, so "as of a moment" is a prefix of the log. */
  private nextRecordedAt(): string {
    const now = this.clock().toISOString();
    return now > this.lastRecordedAt ? now : this.lastRecordedAt;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return guarded('readStream', () => this.readStreamNow(streamId, options));
  }

  private readStreamNow(streamId: string, options: ReadStreamOptions): RecordedEvent[] {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows = options.direction === 'backwards'
      ? this.statements.readStreamBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
      : options.maxCount === undefined
        ? this.statements.readStreamForwardsWhole.all(streamId, options.fromRevision ?? 0)
        : this.statements.readStreamForwards.all(streamId, options.fromRevision ?? 0, maxCount);
    // Revisions start at 0 and none is ever removed: nothing read backwards, or forwards from
    // 0, means no stream; forwards from a later revision, the stream may just be shorter.
    const noStream = options.direction === 'backwards' || (options.fromRevision ?? 0) === 0;
    if (rows.length === 0 && (noStream || this.statements.streamRevision.get(streamId) === undefined)) {
      throw new StreamNotFound(streamId);
    }
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return guarded('readAll', () => this.readAllNow(options));
  }

  async readEventAt(position: number): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    return guarded('readEventAt', () => {
      const row = this.statements.eventAt.get(position);
      return row ? toRecordedEvent(row) : undefined;
    });
  }

  async logId(): Promise<string> {
    this.assertOpen();
    this.cachedLogId ??= guarded('logId', () => {
      const found = this.statements.logId.get()?.value;
      if (!found) throw new StoreUnavailable('the store file has no log id: its schema was not migrated');
      return found;
    });
    return this.cachedLogId;
  }

  /** Synchronous read of the log (readAll without the promise). */
  readAllNow(options: ReadAllOptions): RecordedEvent[] {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const direction = options.direction ?? 'forwards';
    if (!options.filter) {
      const rows = direction === 'backwards'
        ? this.statements.readAllBackwards.all(options.fromPosition ?? Number.MAX_SAFE_INTEGER, maxCount)
        : this.statements.readAllForwards.all(options.fromPosition ?? 0, maxCount);
      return rows.map(toRecordedEvent);
    }
    const from = options.fromPosition ?? (direction === 'forwards' ? 0 : Number.MAX_SAFE_INTEGER);
    return this.readFilteredPage(options.filter, direction, from, maxCount, Number.MAX_SAFE_INTEGER).events;
  }

  /**
   * Up to `maxCount` events passing `filter`, scanning no more than `scanLimit` rows, and how
   * far the scan got: a subscription catching up moves on from there. Rows are matched before
   * their JSON is parsed; a stream prefix that few events have is read through the stream
   * index instead of scanning the log (the key and region catalogues at start).
   */
  readFilteredPage(filter: EventFilter, direction: 'forwards' | 'backwards', from: number, maxCount: number, scanLimit: number): FilteredPage {
    if (direction === 'forwards' && this.isSelective(filter)) return this.readThroughStreamIndex(filter, from, maxCount);
    const found: RecordedEvent[] = [];
    let cursor = from;
    let scanned = 0;
    const page = 4096;
    for (;;) {
      const rows = direction === 'forwards'
        ? this.statements.readAllForwards.all(cursor, page)
        : this.statements.readAllBackwards.all(cursor, page);
      for (const row of rows) {
        scanned += 1;
        if (matchesFilter(filter, row[1], row[4])) { // stream id, type
          found.push(toRecordedEvent(row));
          if (found.length >= maxCount) return { events: found, scannedTo: row[0], exhausted: false };
        }
        if (scanned >= scanLimit) return { events: found, scannedTo: row[0], exhausted: false };
      }
      const last = rows.at(-1);
      if (rows.length < page || !last) return { events: found, scannedTo: this.headPositionNow(), exhausted: true };
      cursor = direction === 'forwards' ? last[0] + 1 : last[0] - 1;
    }
  }

  /** A prefix filter is selective when each prefix has fewer than SELECTIVE events in all. */
  private isSelective(filter: EventFilter): boolean {
    const prefixes = filter.streamPrefixes ?? [];
    if (prefixes.length === 0 || prefixes.some((prefix) => prefix.length === 0)) return false;
    return prefixes.every((prefix) => (this.statements.countPrefix.get(prefix, upperBound(prefix), SELECTIVE)?.n ?? 0) < SELECTIVE);
  }

  private readThroughStreamIndex(filter: EventFilter, from: number, maxCount: number): FilteredPage {
    const scannedTo = this.headPositionNow();
    const rows = (filter.streamPrefixes ?? [])
      .flatMap((prefix) => this.statements.readPrefix.all(prefix, upperBound(prefix), from))
      .filter((row) => matchesFilter(filter, row[1], row[4])) // stream id, type
      .sort((a, b) => a[0] - b[0]); // by position
    const taken = rows.slice(0, maxCount);
    const exhausted = taken.length === rows.length;
    return { events: taken.map(toRecordedEvent), scannedTo: exhausted ? scannedTo : (taken.at(-1)?.[0] ?? scannedTo), exhausted };
  }

  subscribeToAll(options: SubscribeOptions = {}): EmbeddedSubscription {
    this.assertOpen();
    const subscription = new EmbeddedSubscription(this, options.afterPosition ?? 0, options.filter);
    this.opened.add(subscription);
    return subscription;
  }

  release(subscription: EmbeddedSubscription): void {
    this.opened.delete(subscription);
  }

  /** LiveFeed: a subscription that has caught up starts receiving commits. */
  goLive(subscription: EmbeddedSubscription): void {
    this.subscribers.add(subscription);
  }

  leaveLive(subscription: EmbeddedSubscription): void {
    this.subscribers.delete(subscription);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.headPositionNow();
  }

  private headPositionNow(): number {
    return this.statements.head.get()?.position ?? 0;
  }

  /**
   * Reads the head. While appends fail, it also commits a write as large as the group that
   * failed (at least 256 KiB: a byte that fits proves little) and removes it again, and fails
   * when that does: so /readyz turns well again on its own once the disk has room.
   */
  async ping(): Promise<void> {
    this.assertOpen();
    guarded('ping', () => this.headPositionNow());
    const failing = this.appendFailure;
    if (!failing || !this.statements.writeProbe) return;
    try {
      this.statements.writeProbe.run(Math.min(4 << 20, Math.max(256 << 10, failing.bytes * 2)));
    } catch (error) {
      throw new StoreUnavailable(`appends have been failing since ${failing.since}: ${describe(error)}`, { cause: error });
    }
    try {
      this.statements.clearProbe.run();
    } catch {
      // Left for the next probe to overwrite: it takes no more room than it proved there was.
    }
    this.appendFailure = undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted are committed, not dropped: they may have been promised.
    this.flush(true);
    for (const subscription of [...this.opened]) subscription.end();
    this.subscribers.clear();
    this.db.close();
    this.writerLock?.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailable('the event store is closed');
  }
}

export function openEmbeddedStore(options: EmbeddedStoreOptions): EmbeddedEventStore {
  return new EmbeddedEventStore(options);
}

function assertExpected(streamId: string, expected: ExpectedRevision, current: number | undefined): void {
  const actual = current ?? 'no_stream';
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw new WrongExpectedRevision(streamId, expected, actual);
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && error instanceof Error) {
    return `${error.code}: ${error.message}`;
  }
  return String(error);
}

/** A read that SQLite failed (I/O, a corrupt page) is the store being unavailable, typed as such. */
function guarded<T>(operation: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (isEventStoreError(error)) throw error;
    throw new StoreUnavailable(`${operation} failed: ${describe(error)}`, { cause: error });
  }
}

/**
 * A reader opens the file read-only, so it cannot migrate it. When no writer is running, it
 * takes the writer lock just long enough to bring the schema up to date.
 */
function migrateIfNoWriter(path: string): void {
  const probe = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
  let version: number;
  try {
    version = Number(probe.pragma('user_version', { simple: true }));
  } finally {
    probe.close();
  }
  if (version >= currentStoreSchemaVersion) return;
  const lock = acquireWriterLock(path);
  try {
    const db = new Database(path, { timeout: 0 });
    try {
      applyStoreSchema(db);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

function assertCurrentSchema(db: Database.Database, path: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version !== currentStoreSchemaVersion) {
    throw new StoreUnavailable(`the store file ${path} has schema version ${version}, this program reads ${currentStoreSchemaVersion}: `
      + (version > currentStoreSchemaVersion ? 'upgrade the program' : 'start the server once to migrate it'));
  }
}

/** An event from a raw row (COLUMNS order). */
function toRecordedEvent(row: EventRow): EmbeddedRecordedEvent {
  return new EmbeddedRecordedEvent(row[3], row[1], row[2], row[0], row[4],
    JSON.parse(row[5]) as JsonObject, row[6], row[7]);
}

/**
 * An event as the embedded store hands it out, from a read or the live feed. `data` is parsed
 * at once; `metadata` (actor, correlation ids, schema version, hash chain: about 60 % of a row)
 * is parsed on first access and kept, since read models only look at `flags`, which few events
 * carry. `metadataJson` is the stored text, for a reader that only tests for a key.
 *
 * `metadata` and `metadataJson` are getters on the prototype, not own properties: spreading
 * `{ ...event }` copies the other six fields only, so a copy must name `metadata` itself.
 * JSON.stringify gives all eight fields (toJSON), as it did for the plain objects before.
 */
export class EmbeddedRecordedEvent implements RecordedEvent {
  readonly #metadataJson: string;
  #metadata: JsonObject | undefined;

  constructor(
    readonly id: string,
    readonly streamId: string,
    readonly revision: number,
    readonly position: number,
    readonly type: string,
    readonly data: JsonObject,
    metadataJson: string,
    readonly recordedAt: string,
  ) {
    this.#metadataJson = metadataJson;
  }

  get metadata(): JsonObject {
    return this.#metadata ??= JSON.parse(this.#metadataJson) as JsonObject;
  }

  get metadataJson(): string {
    return this.#metadataJson;
  }

  /** Whether `metadata` has been parsed yet (tests). */
  get metadataParsed(): boolean {
    return this.#metadata !== undefined;
  }

  toJSON(): RecordedEvent {
    return {
      id: this.id,
      streamId: this.streamId,
      revision: this.revision,
      position: this.position,
      type: this.type,
      data: this.data,
      metadata: this.metadata,
      recordedAt: this.recordedAt,
    };
  }
}
