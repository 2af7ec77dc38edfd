/**
 * The event store the HTTP and auth tests run on, chosen by TEST_EVENT_STORE:
 *
 * - `embedded` (the default): a fresh in-memory SQLite store.
 * - `kurrentdb`: the KurrentDB adapter, through the real driver, on a fresh in-process gRPC
 *   stand-in of the server (test/kurrentdb-standin/) per store, stopped when the store closes.
 *   With ESDB_CONNECTION_STRING set, on that server instead, e.g.
 *     docker compose up -d kurrentdb
 *     TEST_EVENT_STORE=kurrentdb ESDB_CONNECTION_STRING='esdb://127.0.0.1:2113?tls=false' npx tap test/http test/auth
 *   A real server's log is shared by every test and outlives the run, so there each store sees
 *   only its own streams: their names carry a prefix unique to the store, added on the way in,
 *   removed on the way out, and reads, subscriptions and the head look at those streams only.
 *
 * Tests that need a particular store (a file to restart on, an injected clock) open it
 * themselves and stay on it whatever TEST_EVENT_STORE says.
 */
import { randomUUID } from 'node:crypto';
import { StreamNotFound, WrongExpectedRevision } from '../../src/event-store/errors.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { openKurrentDbStore } from '../../src/event-store/kurrentdb/kurrentdb-store.js';
import type {
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../../src/event-store/port.js';
import { startStandIn } from '../kurrentdb-standin/index.js';

export type TestStoreKind = 'embedded' | 'kurrentdb';

/** TEST_EVENT_STORE, checked: a typo must not quietly test the embedded store. */
export function testStoreKind(): TestStoreKind {
  const kind = process.env['TEST_EVENT_STORE'] ?? '';
  if (kind === '' || kind === 'embedded') return 'embedded';
  if (kind === 'kurrentdb') return 'kurrentdb';
  throw new Error(`TEST_EVENT_STORE is embedded or kurrentdb, not ${kind}`);
}

/** A fresh, empty store of the kind TEST_EVENT_STORE names; closing it releases everything. */
export async function openTestStore(): Promise<EventStore> {
  if (testStoreKind() === 'embedded') return openEmbeddedStore({ path: ':memory:' });
  const connectionString = process.env['ESDB_CONNECTION_STRING'];
  if (connectionString) {
    return new NamespacedStore(await openKurrentDbStore(connectionString), `test${randomUUID().replaceAll('-', '')}-`);
  }
  const standIn = await startStandIn();
  try {
    return new ClosingWith(await openKurrentDbStore(standIn.connectionString), () => standIn.stop());
  } catch (error) {
    await standIn.stop();
    throw error;
  }
}

/** The store as it is, except that closing it also runs `after` (stops the stand-in). */
class ClosingWith implements EventStore {
  readonly kind: EventStore['kind'];
  private closing: Promise<void> | undefined;

  constructor(private readonly inner: EventStore, private readonly after: () => Promise<void>) {
    this.kind = inner.kind;
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options?: { readonly expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, options);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  logId(): Promise<string> {
    return this.inner.logId();
  }

  readEventAt(position: number): Promise<RecordedEvent | undefined> {
    return this.inner.readEventAt(position);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    this.closing ??= this.inner.close().finally(this.after);
    return this.closing;
  }
}

/**
 * One store's own streams on a shared server: stream `s` is `${prefix}s` on the server. Positions
 * are the server's, unchanged; the head is the position of the store's last event (0 before any).
 */
class NamespacedStore implements EventStore {
  readonly kind: EventStore['kind'];

  constructor(private readonly inner: EventStore, private readonly prefix: string) {
    this.kind = inner.kind;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options?: { readonly expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    try {
      return await this.inner.appendToStream(this.prefix + streamId, events, options);
    } catch (error) {
      throw this.outward(error);
    }
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    try {
      return (await this.inner.readStream(this.prefix + streamId, options)).map((event) => this.outwardEvent(event));
    } catch (error) {
      throw this.outward(error);
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const events = await this.inner.readAll({ ...options, filter: this.inward(options.filter) });
    return events.map((event) => this.outwardEvent(event));
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const inner = this.inner.subscribeToAll({ ...options, filter: this.inward(options.filter) });
    const outwardEvent = (event: RecordedEvent): RecordedEvent => this.outwardEvent(event);
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) yield outwardEvent(event);
      },
    };
  }

  async headPosition(): Promise<number> {
    const [last] = await this.inner.readAll({ direction: 'backwards', maxCount: 1, filter: this.inward(undefined) });
    return last?.position ?? 0;
  }

  /** The server's log id, qualified by the namespace: each store on the server is a log of its own. */
  async logId(): Promise<string> {
    return `${await this.inner.logId()}/${this.prefix}`;
  }

  async readEventAt(position: number): Promise<RecordedEvent | undefined> {
    const event = await this.inner.readEventAt(position);
    return event && event.streamId.startsWith(this.prefix) ? this.outwardEvent(event) : undefined;
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private inward(filter: EventFilter | undefined): EventFilter {
    const prefixes = filter?.streamPrefixes?.length ? filter.streamPrefixes : [''];
    return {
      streamPrefixes: prefixes.map((prefix) => this.prefix + prefix),
      ...(filter?.eventTypes === undefined ? {} : { eventTypes: filter.eventTypes }),
    };
  }

  private outwardEvent(event: RecordedEvent): RecordedEvent {
    return { ...event, streamId: this.outwardId(event.streamId) };
  }

  private outwardId(streamId: string): string {
    return streamId.startsWith(this.prefix) ? streamId.slice(this.prefix.length) : streamId;
  }

  private outward(error: unknown): unknown {
    if (error instanceof WrongExpectedRevision) {
      return new WrongExpectedRevision(this.outwardId(error.streamId), error.expected, error.actual);
    }
    if (error instanceof StreamNotFound) return new StreamNotFound(this.outwardId(error.streamId));
    return error;
  }
}
