/**
 * The event store contract: what every adapter of src/event-store/port.ts must do.
 * Run against the embedded store always, and against KurrentDB (a real server when
 * ESDB_CONNECTION_STRING is set, the in-process gRPC stand-in otherwise).
 *
 * Every test uses fresh stream names under a run-unique prefix, so the suite can run against
 * a server that already holds other data; positions are only assumed to increase, never to be
 * contiguous (KurrentDB positions are log offsets).
 */
import type { Test } from 'tap';
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, RecordedEvent, Subscription } from '../../src/event-store/port.js';
import { StreamNotFound, WrongExpectedRevision } from '../../src/event-store/errors.js';

export interface ContractTarget {
  /** Opens the store under test (a fresh one, or a connection to a shared server). */
  open(): Promise<EventStore>;
  /** When the store is a file: closes `store` and opens the same file again. */
  reopen?(store: EventStore): Promise<EventStore>;
}

const event = (type: string, n: number, extra: Record<string, string> = {}): NewEvent => ({
  type,
  data: { n, text: '签约 ✓', nested: { list: [1, 'two', null, true] }, ...extra },
  metadata: { correlationId: `c-${n}` },
});

async function take(subscription: Subscription, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  for await (const recorded of subscription) {
    taken.push(recorded);
    if (taken.length >= count) break;
  }
  clearTimeout(timer);
  return taken;
}

/** The append is refused with WrongExpectedRevision carrying these fields. */
async function refused(t: Test, append: Promise<unknown>, wanted: Partial<Pick<WrongExpectedRevision, 'streamId' | 'expected' | 'actual'>>, message: string): Promise<void> {
  try {
    await append;
    t.fail(`${message}: the append was accepted`);
  } catch (error) {
    t.ok(error instanceof WrongExpectedRevision, `${message}: WrongExpectedRevision`);
    t.match(error, wanted, `${message}: expected and actual named`);
  }
}

function increasing(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || value > (values[i - 1] ?? -Infinity));
}

export function eventStoreContract(t: Test, target: ContractTarget): void {
  const run = `c${randomUUID().slice(0, 8)}`;
  const stream = (name: string) => `${run}_${name}-${randomUUID().slice(0, 8)}`;
  let store: EventStore;

  t.before(async () => { store = await target.open(); });
  t.teardown(async () => { await store.close(); });

  t.test('appends events with revisions from 0 and increasing global positions', async (t) => {
    const id = stream('append');
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const result = await store.appendToStream(id, ids.map((eventId, n) => ({ ...event('Tested', n), id: eventId })), { expectedRevision: 'no_stream' });
    t.equal(result.nextRevision, 2, 'the revision of the last event appended');
    const read = await store.readStream(id);
    t.same(read.map((e) => e.revision), [0, 1, 2]);
    t.same(read.map((e) => e.id), ids, 'event ids are kept');
    t.ok(increasing(read.map((e) => e.position)), 'positions increase');
    t.equal(read.at(-1)?.position, result.position, 'the answer carries the last event\'s position');
    t.same(read[1]?.data, { n: 1, text: '签约 ✓', nested: { list: [1, 'two', null, true] } }, 'data round-trips, unicode included');
    t.same(read[1]?.metadata, { correlationId: 'c-1' }, 'metadata round-trips');
    t.equal(read[0]?.streamId, id);
    t.equal(read[0]?.type, 'Tested');
    t.match(read[0]?.recordedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'record time is ISO UTC');
    t.ok(Math.abs(Date.parse(read[0]?.recordedAt ?? '') - Date.now()) < 60_000, 'record time is now');
  });

  t.test('reads a stream forwards and backwards, from a revision, bounded', async (t) => {
    const id = stream('read');
    await store.appendToStream(id, [0, 1, 2, 3, 4].map((n) => event('Tested', n)));
    const data = (events: RecordedEvent[]) => events.map((e) => e.data['n']);
    t.same(data(await store.readStream(id, { fromRevision: 2 })), [2, 3, 4]);
    t.same(data(await store.readStream(id, { maxCount: 2 })), [0, 1]);
    t.same(data(await store.readStream(id, { direction: 'backwards' })), [4, 3, 2, 1, 0]);
    t.same(data(await store.readStream(id, { direction: 'backwards', fromRevision: 3, maxCount: 2 })), [3, 2]);
    t.same(await store.readStream(id, { fromRevision: 9 }), [], 'past the end of an existing stream: nothing');
  });

  t.test('reading a stream that has no event is StreamNotFound', async (t) => {
    await t.rejects(store.readStream(stream('missing')), StreamNotFound);
  });

  t.test('expected revision: every case', async (t) => {
    const id = stream('expected');
    await refused(t, store.appendToStream(id, [event('Tested', 0)], { expectedRevision: 'stream_exists' }),
      { expected: 'stream_exists', actual: 'no_stream' }, 'stream_exists on a new stream');
    await refused(t, store.appendToStream(id, [event('Tested', 0)], { expectedRevision: 0 }),
      { expected: 0, actual: 'no_stream' }, 'an exact revision on a new stream');
    t.equal((await store.appendToStream(id, [event('Tested', 0)], { expectedRevision: 'no_stream' })).nextRevision, 0, 'no_stream on a new stream');
    await refused(t, store.appendToStream(id, [event('Tested', 1)], { expectedRevision: 'no_stream' }),
      { streamId: id, expected: 'no_stream', actual: 0 }, 'no_stream on an existing stream');
    t.equal((await store.appendToStream(id, [event('Tested', 1)], { expectedRevision: 'stream_exists' })).nextRevision, 1, 'stream_exists on an existing stream');
    t.equal((await store.appendToStream(id, [event('Tested', 2)], { expectedRevision: 1 })).nextRevision, 2, 'the exact revision');
    await refused(t, store.appendToStream(id, [event('Tested', 3)], { expectedRevision: 1 }),
      { expected: 1, actual: 2 }, 'a stale revision names the actual one');
    await refused(t, store.appendToStream(id, [event('Tested', 3)], { expectedRevision: 5 }),
      { expected: 5, actual: 2 }, 'a revision from the future');
    t.equal((await store.appendToStream(id, [event('Tested', 3)], { expectedRevision: 'any' })).nextRevision, 3, 'any on an existing stream');
    t.equal((await store.appendToStream(stream('any'), [event('Tested', 0)])).nextRevision, 0, 'any (the default) on a new stream');
    t.same((await store.readStream(id)).map((e) => e.data['n']), [0, 1, 2, 3], 'refused appends left nothing behind');
  });

  t.test('concurrent appends to one stream at the same revision: exactly one wins', async (t) => {
    const id = stream('race');
    await store.appendToStream(id, [event('Tested', 0)]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => store.appendToStream(id, [event('Raced', i), event('Raced', i)], { expectedRevision: 0 })));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    t.equal(won.length, 1, 'one append wins');
    t.ok(lost.every((o) => o.reason instanceof WrongExpectedRevision), 'the others are told the revision moved');
    const read = await store.readStream(id);
    t.equal(read.length, 3, 'the winner\'s two events and nothing else');
    t.equal(read[1]?.data['n'], read[2]?.data['n'], 'both events of the winner, none of a loser');
  });

  t.test('concurrent appends to many streams all land, in one global order', async (t) => {
    const ids = Array.from({ length: 20 }, (_, i) => stream(`many${i}`));
    const results = await Promise.all(ids.map((id, i) => store.appendToStream(id, [event('Tested', i)], { expectedRevision: 'no_stream' })));
    t.equal(new Set(results.map((r) => r.position)).size, ids.length, 'every event has its own position');
    const head = await store.headPosition();
    t.ok(results.every((r) => r.position <= head), 'the head is at or past every acknowledged append');
  });

  t.test('reads the global log in order, forwards and backwards, from a position, filtered', async (t) => {
    const a = stream('logA');
    const b = stream('logB');
    const first = await store.appendToStream(a, [event('Alpha', 0)]);
    await store.appendToStream(b, [event('Beta', 1)]);
    await store.appendToStream(a, [event('Alpha', 2), event('Gamma', 3)]);
    const mine = (events: RecordedEvent[]) => events.filter((e) => e.streamId === a || e.streamId === b).map((e) => e.data['n']);
    const forwards = await store.readAll({ fromPosition: first.position });
    t.same(mine(forwards), [0, 1, 2, 3], 'commit order across streams');
    t.equal(forwards[0]?.position, first.position, 'fromPosition is inclusive');
    t.ok(increasing(forwards.map((e) => e.position)), 'positions increase forwards');
    const backwards = await store.readAll({ direction: 'backwards', maxCount: 50 });
    t.same(mine(backwards).slice(0, 4), [3, 2, 1, 0], 'backwards from the end');
    t.ok(increasing(backwards.map((e) => -e.position)), 'positions decrease backwards');
    t.same(mine(await store.readAll({ fromPosition: first.position, maxCount: 2 })), [0, 1], 'bounded');
    t.same(mine(await store.readAll({ fromPosition: first.position, filter: { streamPrefixes: [b] } })), [1], 'by stream prefix');
    t.same(mine(await store.readAll({ fromPosition: first.position, filter: { eventTypes: ['Gamma', 'Beta'] } })), [1, 3], 'by event type');
  });

  t.test('a subscription catches up, then goes live, with no gap and no duplicate', async (t) => {
    const prefix = stream('sub');
    const start = await store.headPosition();
    // History before subscribing, more while it catches up, more once it is live.
    for (let i = 0; i < 30; i++) await store.appendToStream(`${prefix}-${i % 3}`, [event('Tested', i)]);
    const subscription = store.subscribeToAll({ afterPosition: start, filter: { streamPrefixes: [prefix] } });
    const received = take(subscription, 90);
    const concurrent = Promise.all(Array.from({ length: 30 }, (_, i) => store.appendToStream(`${prefix}-${i % 3}`, [event('Tested', 30 + i)])));
    await concurrent;
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 60; i < 90; i++) await store.appendToStream(`${prefix}-${i % 3}`, [event('Tested', i)]);
    const events = await received;
    t.equal(events.length, 90, 'every event once');
    t.equal(new Set(events.map((e) => e.position)).size, 90, 'no duplicate');
    t.ok(increasing(events.map((e) => e.position)), 'in global order');
    t.same(events.slice(0, 30).map((e) => e.data['n']), Array.from({ length: 30 }, (_, i) => i), 'history first, in order');
    t.same(events.slice(60).map((e) => e.data['n']), Array.from({ length: 30 }, (_, i) => 60 + i), 'live events in order');
  });

  t.test('a subscription from a position starts just after it', async (t) => {
    const id = stream('after');
    const first = await store.appendToStream(id, [event('Tested', 0)]);
    await store.appendToStream(id, [event('Tested', 1)]);
    const events = await take(store.subscribeToAll({ afterPosition: first.position, filter: { streamPrefixes: [id] } }), 1);
    t.equal(events[0]?.data['n'], 1, 'the event at afterPosition is not delivered again');
  });

  t.test('a subscription filters by event type and ends when closed', async (t) => {
    const id = stream('typed');
    const start = await store.headPosition();
    const subscription = store.subscribeToAll({ afterPosition: start, filter: { eventTypes: [`${run}Wanted`] } });
    await store.appendToStream(id, [event('Unwanted', 0), event(`${run}Wanted`, 1), event('Unwanted', 2), event(`${run}Wanted`, 3)]);
    const events = await take(subscription, 2);
    t.same(events.map((e) => e.data['n']), [1, 3]);
    await subscription.close();
    const after = await subscription[Symbol.asyncIterator]().next();
    t.equal(after.done, true, 'a closed subscription yields nothing more');
  });

  t.test('an empty log, or the head of it', async (t) => {
    const before = await store.headPosition();
    const result = await store.appendToStream(stream('head'), [event('Tested', 0)]);
    t.equal(await store.headPosition(), result.position, 'the head is the last event appended');
    t.ok(result.position > before);
    await t.resolves(store.ping());
  });

  if (target.reopen) {
    const reopen = target.reopen;
    t.test('a reopened file store has every event and carries on', async (t) => {
      const id = stream('reopen');
      const before = await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)]);
      store = await reopen(store);
      const read = await store.readStream(id);
      t.same(read.map((e) => e.data['n']), [0, 1]);
      t.equal(await store.headPosition(), before.position);
      const next = await store.appendToStream(id, [event('Tested', 2)], { expectedRevision: 1 });
      t.equal(next.nextRevision, 2, 'revisions carry on');
      t.ok(next.position > before.position, 'positions carry on');
    });
  }
}
