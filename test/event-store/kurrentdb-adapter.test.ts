/**
 * What the KurrentDB adapter must get right beyond the shared contract: how it maps expected
 * revisions, errors and positions between the port and the driver. Each test here fails if one
 * of those mappings is broken (a bigint leaking out, an off-by-one position, a driver error
 * escaping, a page boundary read twice, a server event delivered).
 *
 * The first group runs on the gRPC stand-in and, when ESDB_CONNECTION_STRING is set, on a real
 * server; the second needs the stand-in's hands (stopping it, writing system events, reading
 * the requests it received).
 */
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { StoreUnavailable, WrongExpectedRevision } from '../../src/event-store/errors.js';
import { openKurrentDbStore, type KurrentDbStoreOptions } from '../../src/event-store/kurrentdb/kurrentdb-store.js';
import type { EventStore, NewEvent, RecordedEvent, Subscription } from '../../src/event-store/port.js';
import { startStandIn, type StandIn, type StandInOptions } from '../kurrentdb-standin/index.js';

const event = (type: string, n: number): NewEvent => ({ type, data: { n } });
const numbers = (events: readonly RecordedEvent[]) => events.map((e) => e.data['n']);
const stream = (name: string) => `adapter_${name}-${randomUUID().slice(0, 8)}`;

async function take(subscription: Subscription, count: number, timeoutMs = 5000): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const recorded of subscription) {
      taken.push(recorded);
      if (taken.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return taken;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

type Open = (options?: KurrentDbStoreOptions) => Promise<EventStore>;

function adapterBehaviour(t: Test, open: Open): void {
  t.test('revisions and positions come back as numbers, refusals name the actual revision', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('numbers');
    const result = await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)], { expectedRevision: 'no_stream' });
    t.equal(typeof result.nextRevision, 'number');
    t.equal(typeof result.position, 'number');
    const [first] = await store.readStream(id);
    t.equal(typeof first?.revision, 'number');
    t.equal(typeof first?.position, 'number');
    const stale = await failure(store.appendToStream(id, [event('Tested', 2)], { expectedRevision: 0 }));
    t.ok(stale instanceof WrongExpectedRevision);
    if (stale instanceof WrongExpectedRevision) {
      t.equal(stale.actual, 1, 'the actual revision, as a number');
      t.equal(stale.expected, 0, 'what the caller expected, as given');
      t.equal(stale.streamId, id);
    }
    const missing = await failure(store.appendToStream(stream('new'), [event('Tested', 0)], { expectedRevision: 3 }));
    t.ok(missing instanceof WrongExpectedRevision && missing.actual === 'no_stream', 'a stream with no event is no_stream, not -1');
  });

  t.test('revisions that are not non-negative integers are refused before anything is sent', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('invalid');
    await store.appendToStream(id, [event('Tested', 0)]);
    for (const expectedRevision of [-1, 0.5, Number.NaN]) {
      await t.rejects(store.appendToStream(id, [event('Tested', 1)], { expectedRevision }), RangeError, `expected ${expectedRevision}`);
    }
    await t.rejects(store.readStream(id, { fromRevision: -1 }), RangeError);
    t.same(numbers(await store.readStream(id)), [0], 'nothing was written');
  });

  t.test('an event id must be a UUID: KurrentDB stores GUIDs', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    await t.rejects(store.appendToStream(stream('id'), [{ ...event('Tested', 0), id: 'not-a-uuid' }]), RangeError);
  });

  t.test('events without metadata read back with an empty object', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('metadata');
    await store.appendToStream(id, [event('Tested', 0)]);
    t.same((await store.readStream(id))[0]?.metadata, {});
  });

  t.test('appending no event checks the expectation and reports where the stream is', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('nothing');
    t.equal((await store.appendToStream(id, [], { expectedRevision: 'no_stream' })).nextRevision, -1);
    const unmet = await failure(store.appendToStream(id, [], { expectedRevision: 'stream_exists' }));
    t.ok(unmet instanceof WrongExpectedRevision && unmet.actual === 'no_stream', 'stream_exists on no stream');
    const written = await store.appendToStream(id, [event('Tested', 0)]);
    const nothing = await store.appendToStream(id, [], { expectedRevision: 0 });
    t.equal(nothing.nextRevision, 0);
    t.ok(nothing.position >= written.position, 'the head of the log');
    const stale = await failure(store.appendToStream(id, [], { expectedRevision: 3 }));
    t.ok(stale instanceof WrongExpectedRevision && stale.actual === 0, 'a wrong revision names the actual one');
  });

  t.test('reading $all backwards from a position includes the event there', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('backwards');
    await store.appendToStream(id, [0, 1, 2, 3].map((n) => event('Tested', n)));
    const events = await store.readStream(id);
    const third = events[2];
    if (!third) throw new Error('no third event');
    const mine = (read: RecordedEvent[]) => numbers(read.filter((e) => e.streamId === id));
    t.same(mine(await store.readAll({ direction: 'backwards', fromPosition: third.position, maxCount: 3 })), [2, 1, 0]);
    t.same(mine(await store.readAll({ direction: 'backwards', fromPosition: third.position, maxCount: 1 })), [2], 'bounded to the event itself');
    t.same(mine(await store.readAll({ fromPosition: third.position, maxCount: 2 })), [2, 3], 'and forwards from it, inclusive too');
  });

  t.test('pages of $all meet without a gap or a repeat, both ways', async (t) => {
    const store = await open({ pageSize: 2 });
    t.teardown(() => store.close());
    const id = stream('paged');
    const first = await store.appendToStream(id, [event('Tested', 0)]);
    for (let n = 1; n < 9; n++) await store.appendToStream(id, [event('Tested', n)]);
    const forwards = await store.readAll({ fromPosition: first.position, filter: { streamPrefixes: [id] } });
    t.same(numbers(forwards), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const last = forwards.at(-1);
    if (!last) throw new Error('nothing read');
    const backwards = await store.readAll({ direction: 'backwards', fromPosition: last.position, filter: { streamPrefixes: [id] }, maxCount: 9 });
    t.same(numbers(backwards), [8, 7, 6, 5, 4, 3, 2, 1, 0]);
    t.same(numbers(await store.readAll({ fromPosition: first.position, filter: { streamPrefixes: [id] }, maxCount: 5 })), [0, 1, 2, 3, 4]);
  });

  t.test('a subscription after the last event delivers only what comes next', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const id = stream('tail');
    const last = await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)]);
    const subscription = store.subscribeToAll({ afterPosition: last.position, filter: { streamPrefixes: [id] } });
    const received = take(subscription, 1);
    await store.appendToStream(id, [event('Tested', 2)]);
    t.same(numbers(await received), [2], 'not the event at afterPosition, not one before it');
  });

  t.test('a subscription filtered by stream and type delivers only what matches both', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const a = stream('both');
    const b = stream('other');
    const start = await store.headPosition();
    // Regex-special characters in a type must match literally on the server.
    const wanted = `Signed.v2+${randomUUID().slice(0, 4)}`;
    const lookalike = wanted.replace('.', 'X');
    const subscription = store.subscribeToAll({ afterPosition: start, filter: { streamPrefixes: [a], eventTypes: [wanted] } });
    await store.appendToStream(b, [event(wanted, 0)]);
    await store.appendToStream(a, [event(lookalike, 1), event(wanted, 2), event('Other', 3), event(wanted, 4)]);
    t.same(numbers(await take(subscription, 2)), [2, 4]);
  });

  t.test('close() lets a read in flight finish whole', async (t) => {
    const writer = await open();
    const id = stream('closing-read');
    await writer.appendToStream(id, Array.from({ length: 40 }, (_, n) => event('Tested', n)));
    const [first] = await writer.readStream(id, { maxCount: 1 });
    await writer.close();
    const store = await open({ pageSize: 2 });
    const read = store.readAll({ fromPosition: first?.position ?? 0, filter: { streamPrefixes: [id] } });
    await store.close();
    t.equal((await read).length, 40, 'not cut short by the hang-up');
  });

  t.test('close() waits for appends in flight and ends open subscriptions', async (t) => {
    const store = await open();
    const id = stream('close');
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: [id] } });
    const iteration = (async () => {
      const seen: RecordedEvent[] = [];
      for await (const recorded of subscription) seen.push(recorded);
      return seen;
    })();
    const append = store.appendToStream(id, [event('Tested', 0)]);
    await store.close();
    await t.resolves(append, 'the append sent before close was answered');
    t.same(numbers(await iteration), [0], 'the subscription ended without an error');
    await t.rejects(store.readStream(id), StoreUnavailable, 'a closed store refuses work');
    t.throws(() => store.subscribeToAll(), StoreUnavailable);
    const reopened = await open();
    t.teardown(() => reopened.close());
    t.same(numbers(await reopened.readStream(id)), [0], 'the append is in the log');
  });
}

t.test('on the gRPC stand-in', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.stop());
  adapterBehaviour(t, (options) => openKurrentDbStore(standIn.connectionString, options));
});

const connectionString = process.env['ESDB_CONNECTION_STRING'];
t.test('on a real server', {
  skip: connectionString ? false : 'ESDB_CONNECTION_STRING is not set: no real KurrentDB to test against',
}, async (t) => {
  if (!connectionString) return;
  adapterBehaviour(t, (options) => openKurrentDbStore(connectionString, options));
});

async function standInStore(t: Test, options: StandInOptions = {}, storeOptions: KurrentDbStoreOptions = {}): Promise<{ standIn: StandIn; store: EventStore }> {
  const standIn = await startStandIn(options);
  const store = await openKurrentDbStore(standIn.connectionString, storeOptions);
  t.teardown(async () => {
    await store.close();
    await standIn.stop();
  });
  return { standIn, store };
}

t.test('positions are the log offsets the server reports, with their gaps', async (t) => {
  const { store } = await standInStore(t);
  const id = stream('offsets');
  const result = await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)]);
  const [first, second] = await store.readStream(id);
  t.ok(first && second && second.position - first.position > 1, 'not a counter');
  t.equal(result.position, second?.position);
  t.ok((first?.position ?? 0) > 0, 'the log does not start with a product event');
});

t.test('the server\'s own $ events are never the product\'s', async (t) => {
  const { standIn, store } = await standInStore(t, {}, { pageSize: 2 });
  t.equal(await store.headPosition(), 0, 'a log holding only system events is empty to the port');
  t.same(await store.readAll(), [], 'nor are they read');
  const id = stream('system');
  const subscription = store.subscribeToAll({});
  await store.appendToStream(id, [event('Tested', 0)]);
  standIn.appendSystemEvent();
  standIn.appendSystemEvent();
  const last = await store.appendToStream(id, [event('Tested', 1)]);
  standIn.appendSystemEvent();
  t.equal(await store.headPosition(), last.position, 'the head is the last product event, not the system event after it');
  t.same(numbers(await store.readAll()), [0, 1]);
  t.same(numbers(await store.readAll({ direction: 'backwards' })), [1, 0]);
  t.same(numbers(await take(subscription, 2)), [0, 1], 'subscriptions skip them');
});

t.test('subscriptions ask the server for the position after which to start, and to filter', async (t) => {
  const { standIn, store } = await standInStore(t);
  const id = stream('request');
  const { position } = await store.appendToStream(id, [event('Tested', 0)]);
  const sent = async (subscription: Subscription) => {
    const before = standIn.reads.length;
    for (let waited = 0; standIn.reads.length === before && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await subscription.close();
    return standIn.reads.at(-1)?.getOptions();
  };

  const typed = await sent(store.subscribeToAll({ afterPosition: position, filter: { eventTypes: ['Tested'] } }));
  t.equal(typed?.getAll()?.getPosition()?.getCommitPosition(), String(position), 'commit position = afterPosition, exclusive on the server');
  t.equal(typed?.getAll()?.getPosition()?.getPreparePosition(), String(position), 'prepare position = commit position');
  t.equal(typed?.getFilter()?.getEventType()?.getRegex(), '^(?:Tested)$', 'event types filtered on the server, exactly');

  const prefixed = await sent(store.subscribeToAll({ filter: { streamPrefixes: [id] } }));
  t.ok(prefixed?.getAll()?.hasStart(), 'no afterPosition: from the start of the log');
  t.same(prefixed?.getFilter()?.getStreamIdentifier()?.getPrefixList(), [id], 'stream prefixes filtered on the server');

  const unfiltered = await sent(store.subscribeToAll());
  t.equal(unfiltered?.getFilter()?.getEventType()?.getRegex(), '^[^$].*', 'unfiltered: the server leaves out its own events');
});

t.test('a position that is not an event\'s is refused, as the server refuses it', async (t) => {
  const { store } = await standInStore(t);
  const { position } = await store.appendToStream(stream('boundary'), [event('Tested', 0)]);
  await t.rejects(store.readAll({ fromPosition: position + 1 }), StoreUnavailable);
  await t.rejects(take(store.subscribeToAll({ afterPosition: position + 1 }), 1), StoreUnavailable);
  t.same(await store.readAll({ fromPosition: 0, maxCount: 1 }).then(numbers), [0], '0 is the start of the log');
});

t.test('a server that goes away: StoreUnavailable, never the driver\'s error', async (t) => {
  for (const batchAppend of [true, false]) {
    const { standIn, store } = await standInStore(t, { batchAppend });
    const id = stream('gone');
    await store.appendToStream(id, [event('Tested', 0)]);
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: [id] } });
    const iterating = take(subscription, 2, 20_000);
    await standIn.stop();
    const failures = [
      await failure(iterating),
      await failure(store.appendToStream(id, [event('Tested', 1)])),
      await failure(store.readStream(id)),
      await failure(store.readAll()),
      await failure(store.headPosition()),
      await failure(store.ping()),
    ];
    failures.forEach((error, i) => {
      t.ok(error instanceof StoreUnavailable, `call ${i} (${batchAppend ? 'BatchAppend' : 'Append'}): ${String(error)}`);
      t.ok(error instanceof Error && error.cause !== undefined, 'the driver\'s error is kept as the cause');
    });
  }
});

t.test('ping() gives up on a server that accepts connections but never answers', async (t) => {
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    silent.close(() => resolve());
  }));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const store = await openKurrentDbStore(`esdb://127.0.0.1:${port}?tls=false`, { pingTimeoutMs: 300 });
  t.teardown(() => store.close());
  const started = Date.now();
  await t.rejects(store.ping(), StoreUnavailable);
  t.ok(Date.now() - started < 3000, 'within the ping timeout, not the driver\'s');
});

t.test('connection strings: KurrentDB\'s schemes are accepted, a malformed one is StoreUnavailable', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.stop());
  for (const scheme of ['kurrentdb', 'kdb']) {
    const store = await openKurrentDbStore(standIn.connectionString.replace(/^esdb:/, `${scheme}:`));
    await t.resolves(store.ping(), `${scheme}://`);
    await store.close();
  }
  await t.rejects(openKurrentDbStore('http://nowhere'), StoreUnavailable);
});

t.test('the server version is checked at connect: older than 21.10 is refused with a clear error', async (t) => {
  for (const [version, supported] of [['20.10.5.0', false], ['21.6.0', false], ['21.10.0', true], ['23.10.1.0', true], ['25.0.0', true]] as const) {
    const standIn = await startStandIn({ serverVersion: version });
    try {
      if (supported) {
        const store = await openKurrentDbStore(standIn.connectionString);
        await t.resolves(store.ping(), `${version} is supported`);
        await store.close();
      } else {
        await t.rejects(openKurrentDbStore(standIn.connectionString), { name: 'UnsupportedServerVersion', message: new RegExp(`${version.replaceAll('.', '\\.')} is not supported.*21\\.10 or later`) }, `${version} is refused at start`);
      }
    } finally {
      await standIn.stop();
    }
  }
});

t.test('the log id is one per database, shared by every process on it; readEventAt knows only the product\'s events', async (t) => {
  const standIn = await startStandIn();
  const other = await startStandIn();
  t.teardown(async () => {
    await standIn.stop();
    await other.stop();
  });
  const [a, b, c] = await Promise.all([
    openKurrentDbStore(standIn.connectionString), openKurrentDbStore(standIn.connectionString), openKurrentDbStore(other.connectionString),
  ]);
  t.teardown(async () => {
    await a.close();
    await b.close();
    await c.close();
  });
  const [idA, idB] = await Promise.all([a.logId(), b.logId()]);
  t.equal(idA, idB, 'two replicas asking at once agree on one log id');
  t.not(await c.logId(), idA, 'another database has another');
  const system = standIn.appendSystemEvent();
  t.equal(await a.readEventAt(Number(system.position)), undefined, 'a server\'s own event is not one of the product\'s');
  const appended = await a.appendToStream('project-x', [event('Tested', 0)]);
  t.equal((await b.readEventAt(appended.position))?.streamId, 'project-x', 'the other replica finds it at its position');
  t.equal(await a.readEventAt(appended.position + 1), undefined, 'a position inside a record holds no event');
});
