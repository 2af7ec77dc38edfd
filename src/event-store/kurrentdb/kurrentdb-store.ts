/**
 * The event store port on KurrentDB / EventStoreDB, through @eventstore/db-client 6 (gRPC).
 *
 * - Appends go through the driver, which uses the server's BatchAppend stream when the server
 *   advertises it (every server since 21.10) and a plain Append call otherwise. A refused
 *   expected revision comes back as WrongExpectedRevision with the stream's actual revision.
 * - The port's position is the event's commit offset in the transaction log (see log-positions).
 * - $all holds the server's own `$` events; reads, the head and subscriptions skip them.
 * - The driver cannot filter $all reads on the server, so readAll pages through the log and
 *   filters here; subscriptions do filter on the server.
 * - Reading $all backwards "from" a position on the server excludes the event there (backwards
 *   reads start from the end of a record); the port's fromPosition is inclusive, so the adapter
 *   fetches that event with a forwards read of one and continues backwards from it.
 * - The log id lives in the first event of LOG_ID_STREAM, written with expected `no_stream` by
 *   whichever process asks first (one wins; the others read the winner's).
 * - Servers older than MINIMUM_SERVER_VERSION are refused at start with an error that names the
 *   version found (README: "Running against KurrentDB").
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  InvalidArgumentError,
  isCommandError,
  START,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { StoreUnavailable, StreamNotFound, WrongExpectedRevision } from '../errors.js';
import {
  LOG_ID_EVENT_TYPE,
  LOG_ID_STREAM,
  matchesFilter,
  type AppendResult,
  type CommitObserver,
  type Direction,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { toActualRevision, toPortError } from './driver-errors.js';
import { KurrentDbSubscription } from './kurrentdb-subscription.js';
import { fromLogPosition, toLogPosition } from './log-positions.js';
import { isSystemEvent, toEventData, toRecordedEvent } from './recorded-events.js';
import { toServerFilter } from './server-filter.js';

export interface KurrentDbStoreOptions {
  /** Events asked of the server per request when paging through $all. Default 512. */
  readonly pageSize?: number;
  /** How long ping() waits for an answer before calling the store unavailable. Default 2000 ms. */
  readonly pingTimeoutMs?: number;
  /**
   * How long opening waits for the server to say its version (default 3000 ms). A server that
   * does not answer in time is checked on first use instead; a server too old is refused.
   */
  readonly versionCheckMs?: number;
}

/**
 * The oldest server the adapter supports: 21.10, the first release that says what it is (the
 * ServerFeatures service the driver asks before its first call) and the first LTS with BatchAppend
 * and commit positions on the events of stream reads, which the port's positions rely on.
 */
export const MINIMUM_SERVER_VERSION = { major: 21, minor: 10 } as const;

/** The server is older than MINIMUM_SERVER_VERSION, or would not say which it is. */
export class UnsupportedServerVersion extends StoreUnavailable {
  constructor(readonly found: string) {
    super(`KurrentDB server version ${found} is not supported: this program needs `
      + `${MINIMUM_SERVER_VERSION.major}.${MINIMUM_SERVER_VERSION.minor} or later (EventStoreDB ${MINIMUM_SERVER_VERSION.major}.${MINIMUM_SERVER_VERSION.minor}+, any KurrentDB). Upgrade the server.`);
    this.name = 'UnsupportedServerVersion';
  }
}

export function isSupportedServerVersion(version: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > MINIMUM_SERVER_VERSION.major || (major === MINIMUM_SERVER_VERSION.major && minor >= MINIMUM_SERVER_VERSION.minor);
}

/**
 * Connects lazily: no request is made until the first call, so the app can start before the
 * database and report it through ping() (/readyz). A malformed connection string fails here.
 * KurrentDB's own schemes (kurrentdb://, kdb://, and their +discover forms) are accepted too:
 * driver 6 only knows esdb://, which means the same.
 */
export async function openKurrentDbStore(connectionString: string, options: KurrentDbStoreOptions = {}): Promise<KurrentDbEventStore> {
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(connectionString.replace(/^(?:kurrentdb|kdb)(\+discover)?:\/\//i, 'esdb$1://'));
  } catch (error) {
    throw new StoreUnavailable(`invalid KurrentDB connection string: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const store = new KurrentDbEventStore(client, options);
  try {
    await store.checkServerVersion(options.versionCheckMs ?? 3000);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

type LogEvent = AllStreamRecordedEvent;

export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb' as const;
  private readonly pageSize: number;
  private readonly pingTimeoutMs: number;
  private closed = false;
  /** Calls under way: close() lets them finish before hanging up. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private versionChecked = false;
  private cachedLogId: string | undefined;

  constructor(private readonly client: EventStoreDBClient, options: KurrentDbStoreOptions = {}) {
    this.pageSize = Math.max(2, options.pageSize ?? 512);
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  }

  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.track(() => this.append(streamId, events, options?.expectedRevision ?? 'any'));
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.track(() => this.readStreamNow(streamId, options));
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.track(() => this.readAllNow(options));
  }

  headPosition(): Promise<number> {
    return this.track(() => this.headPositionNow());
  }

  ping(): Promise<void> {
    // The version check runs inside pingNow's time limit: a silent server fails the ping in time.
    return this.track(() => this.pingNow(), false);
  }

  logId(): Promise<string> {
    return this.track(() => this.logIdNow());
  }

  readEventAt(position: number): Promise<RecordedEvent | undefined> {
    return this.track(() => this.readEventAtNow(position));
  }

  /**
   * Asks the server its version, waiting at most `waitMs`: refuses a server too old, and leaves
   * a server that has not answered to be checked on first use.
   */
  async checkServerVersion(waitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), waitMs); });
    try {
      await Promise.race([this.assertSupportedServer(), late]);
    } catch (error) {
      if (error instanceof UnsupportedServerVersion) throw error;
      // Unreachable now: the app starts anyway and /readyz says so until it is.
    } finally {
      clearTimeout(timer);
    }
  }

  private async assertSupportedServer(): Promise<void> {
    if (this.versionChecked) return;
    const version = await serverVersionOf(this.client);
    if (!isSupportedServerVersion(version)) throw new UnsupportedServerVersion(version);
    this.versionChecked = true;
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.afterPosition;
    const source = this.client.subscribeToAll({
      fromPosition: after === undefined ? START : toLogPosition(after),
      filter: toServerFilter(options.filter),
    });
    const subscription = new KurrentDbSubscription(source, after ?? -1, options.filter,
      (closed) => this.subscriptions.delete(closed));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // An append already sent may be committed, and dispose() would cut a read short without an
    // error (the driver ignores its own cancellations): let both finish before hanging up.
    const appending = this.inFlight.size > 0;
    await Promise.allSettled([...this.inFlight]);
    // What the server sent a subscription for those appends may still be in the driver's
    // buffers: a moment for it to reach the consumer before the subscriptions are cut.
    if (appending && this.subscriptions.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
    await closeChannel(this.client);
  }

  /** Told of each append the server acknowledged (metrics: src/http/app.ts). */
  private readonly commitObservers = new Set<CommitObserver>();

  observeCommits(observer: CommitObserver): () => void {
    this.commitObservers.add(observer);
    return () => { this.commitObservers.delete(observer); };
  }

  private track<T>(operation: () => Promise<T>, checkVersionFirst = true): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailable('the event store is closed'));
    const running = this.versionChecked || !checkVersionFirst ? operation() : this.assertSupportedServer().then(operation);
    this.inFlight.add(running);
    const settled = (): void => {
      this.inFlight.delete(running);
    };
    running.then(settled, settled);
    return running;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailable('the event store is closed');
  }

  private async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const expectedRevision = toDriverExpected(expected);
    const data = events.map(toEventData);
    if (data.length === 0) return this.appendNothing(streamId, expected);
    try {
      const result = await this.client.appendToStream(streamId, data, { expectedRevision });
      if (!result.success) {
        // Only when the connection string sets throwOnAppendFailure=false.
        throw new WrongExpectedRevision(streamId, expected, toActualRevision(result.nextExpectedRevision));
      }
      const answer = {
        nextRevision: Number(result.nextExpectedRevision),
        position: fromLogPosition(result.position, `the append to ${streamId}`),
      };
      // The server commits each append on its own: a "group" of one. (A retry the server
      // recognises by its event ids is counted again: it cannot be told apart here.)
      for (const observer of this.commitObservers) observer({ appends: 1, events: data.length });
      return answer;
    } catch (error) {
      throw toPortError(error, { operation: 'appendToStream', streamId, expected });
    }
  }

  /** Nothing to write: check the expectation and report where the stream and the log are. */
  private async appendNothing(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.readStreamNow(streamId, { direction: 'backwards', maxCount: 1 })
      .catch((error: unknown) => {
        if (error instanceof StreamNotFound) return [];
        throw error;
      });
    const current = last[0]?.revision;
    const met = expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      expected === current;
    if (!met) throw new WrongExpectedRevision(streamId, expected, current ?? 'no_stream');
    return { nextRevision: current ?? -1, position: await this.headPositionNow() };
  }

  private async readStreamNow(streamId: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    const direction = options.direction ?? 'forwards';
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) {
      await this.readStreamNow(streamId, { maxCount: 1 });
      return [];
    }
    const fromRevision = options.fromRevision === undefined
      ? (direction === 'forwards' ? START : END)
      : toRevision(options.fromRevision);
    const read = this.client.readStream(streamId, {
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      fromRevision,
      maxCount,
    });
    const resolved = await collect(read, { operation: 'readStream', streamId });
    return resolved.flatMap(({ event }) => (event ? [toRecordedEvent(event)] : []));
  }

  private async readAllNow(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const found: RecordedEvent[] = [];
    if (maxCount <= 0) return found;
    const keep = (event: LogEvent): boolean =>
      !isSystemEvent(event.type) && matchesFilter(options.filter, event.streamId, event.type);
    let scan: AsyncGenerator<LogEvent>;
    if (options.direction === 'backwards') {
      const anchor = await this.backwardsAnchor(options.fromPosition);
      if (anchor.atFrom && keep(anchor.atFrom)) found.push(toRecordedEvent(anchor.atFrom));
      scan = this.scan('backwards', anchor.from);
    } else {
      scan = this.scan('forwards', options.fromPosition === undefined ? START : toLogPosition(options.fromPosition));
    }
    if (found.length >= maxCount) return found;
    for await (const event of scan) {
      if (keep(event)) found.push(toRecordedEvent(event));
      if (found.length >= maxCount) break;
    }
    return found;
  }

  /**
   * Where a backwards read that includes `fromPosition` must start: the first record at or after
   * it (a backwards read excludes the record it starts from), and the event at `fromPosition`
   * itself when there is one.
   */
  private async backwardsAnchor(fromPosition: number | undefined): Promise<{ from: ReadPosition; atFrom?: LogEvent }> {
    if (fromPosition === undefined) return { from: END };
    const [next] = await this.readPage(FORWARDS, toLogPosition(fromPosition), 1);
    if (!next) return { from: END };
    const at = next.position.commit === BigInt(fromPosition);
    return at ? { from: next.position, atFrom: next } : { from: next.position };
  }

  /**
   * Every event of $all from `from`, page by page. A page starts at the last event of the one
   * before: forwards that event comes again and is dropped; backwards the server leaves it out.
   */
  private async *scan(direction: Direction, from: ReadPosition, pageSize = this.pageSize): AsyncGenerator<LogEvent> {
    const forwards = direction === 'forwards';
    let cursor = from;
    let seen = typeof from === 'object' && !forwards ? from.commit : undefined;
    for (;;) {
      const page = await this.readPage(forwards ? FORWARDS : BACKWARDS, cursor, pageSize);
      for (const event of page) {
        const at = event.position.commit;
        if (seen !== undefined && (forwards ? at <= seen : at >= seen)) continue;
        seen = at;
        yield event;
      }
      const last = page.at(-1);
      if (page.length < pageSize || !last) return;
      cursor = last.position;
    }
  }

  private async readPage(direction: typeof FORWARDS | typeof BACKWARDS, fromPosition: ReadPosition, maxCount: number): Promise<LogEvent[]> {
    const resolved = await collect<AllStreamResolvedEvent>(
      this.client.readAll({ direction, fromPosition, maxCount }),
      { operation: 'readAll' });
    return resolved.flatMap(({ event }) => (event ? [event] : []));
  }

  private async logIdNow(): Promise<string> {
    this.cachedLogId ??= await this.readLogId() ?? await this.createLogId();
    return this.cachedLogId;
  }

  private async readLogId(): Promise<string | undefined> {
    const [first] = await this.readStreamNow(LOG_ID_STREAM, { maxCount: 1 }).catch((error: unknown) => {
      if (error instanceof StreamNotFound) return [];
      throw error;
    });
    if (!first) return undefined;
    const logId = first.data['logId'];
    if (typeof logId !== 'string') throw new StoreUnavailable(`${LOG_ID_STREAM} holds no log id: it was written by something else`);
    return logId;
  }

  /** Only one process makes it: the append expects no stream, and a loser reads the winner's. */
  private async createLogId(): Promise<string> {
    const logId = randomUUID();
    try {
      await this.client.appendToStream(LOG_ID_STREAM, jsonEvent({
        type: LOG_ID_EVENT_TYPE,
        data: { logId, createdAt: new Date().toISOString() },
      }), { expectedRevision: 'no_stream' });
      return logId;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw toPortError(error, { operation: 'logId' });
    }
    const made = await this.readLogId();
    if (!made) throw new StoreUnavailable(`${LOG_ID_STREAM} could not be read after another process created it`);
    return made;
  }

  private async readEventAtNow(position: number): Promise<RecordedEvent | undefined> {
    let page: LogEvent[];
    try {
      page = await this.readPage(FORWARDS, toLogPosition(position), 1);
    } catch (error) {
      // The position falls inside a record: there is no event there.
      if (error instanceof StoreUnavailable && isInvalidArgument(error.cause)) return undefined;
      throw error;
    }
    const [event] = page;
    if (!event || event.position.commit !== BigInt(position) || isSystemEvent(event.type)) return undefined;
    return toRecordedEvent(event);
  }

  private async headPositionNow(): Promise<number> {
    for await (const event of this.scan('backwards', END, 32)) {
      if (!isSystemEvent(event.type)) return fromLogPosition(event.position, `event ${event.id}`);
    }
    return 0;
  }

  private async pingNow(): Promise<void> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void read.cancel().catch(() => undefined);
        reject(new StoreUnavailable(`KurrentDB did not answer within ${this.pingTimeoutMs} ms`));
      }, this.pingTimeoutMs);
    });
    try {
      await Promise.race([Promise.all([this.assertSupportedServer(), collect(read, { operation: 'ping' })]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * dispose() cancels the driver's calls but leaves its gRPC channel open, and a channel still
 * trying to reach a silent server holds the process for its 20 s connect timeout. The driver
 * keeps the channel behind a protected getter; close it when that getter is there.
 */
async function closeChannel(client: EventStoreDBClient): Promise<void> {
  if (!hasChannelGetter(client)) return;
  try {
    const channel = await client.getChannel();
    if (hasClose(channel)) channel.close();
  } catch {
    // No channel could be made (an unresolvable host): nothing to close.
  }
}

function hasChannelGetter(client: object): client is { getChannel(): Promise<unknown> } {
  return 'getChannel' in client && typeof client.getChannel === 'function';
}

function hasClose(channel: unknown): channel is { close(): void } {
  return typeof channel === 'object' && channel !== null && 'close' in channel && typeof channel.close === 'function';
}

/** The server refused the request's arguments (gRPC INVALID_ARGUMENT: e.g. a position inside a record). */
function isInvalidArgument(error: unknown): boolean {
  const INVALID_ARGUMENT = 3;
  return error instanceof InvalidArgumentError || (error instanceof Error && isCommandError(error) && error.code === INVALID_ARGUMENT);
}

/** The version the server reported when the driver asked its features ('unknown' when it would not say). */
async function serverVersionOf(client: EventStoreDBClient): Promise<string> {
  let features: unknown;
  try {
    // A protected getter of the driver's client: the features it fetched before its first call.
    const fetched: unknown = Reflect.get(client, 'capabilities');
    features = await fetched;
  } catch (error) {
    throw toPortError(error, { operation: 'connect' });
  }
  if (typeof features === 'object' && features !== null && 'serverVersion' in features && typeof features.serverVersion === 'string') {
    return features.serverVersion;
  }
  return 'unknown';
}

function toDriverExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (typeof expected === 'number') return toRevision(expected);
  return expected;
}

function toRevision(revision: number): bigint {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError(`a stream revision is a non-negative integer, got ${String(revision)}`);
  }
  return BigInt(revision);
}

async function collect<E extends ResolvedEvent | AllStreamResolvedEvent>(
  read: StreamingRead<E>,
  call: { readonly operation: string; readonly streamId?: string },
): Promise<E[]> {
  const events: E[] = [];
  try {
    for await (const event of read) events.push(event);
  } catch (error) {
    throw toPortError(error, call);
  }
  return events;
}
