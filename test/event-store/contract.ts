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
import { StreamNotFound, WrongExpectedRevision, isEventStoreError } from '../../src/event-store/errors.js';

export interface ContractTarget {
  /** Opens the store under test (a fresh one, or a connection to a shared server). */
  open(): Promise<EventStore>;
  /**
   * A restart: closes `store` and opens the same log again (the same file, a new connection to
   * the same server). `clock` is the new store's clock where the adapter takes one.
   */
  reopen?(store: EventStore, options?: { readonly clock?: () => Date }): Promise<EventStore>;
  /**
   * Makes every open subscription end as a store failure (or a restart) ends it; returns the
   * store to carry on with.
   */
  breakSubscriptions?(store: EventStore): Promise<EventStore>;
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
    await t.rejects(store.readStream(stream('missing'), { direction: 'backwards' }), StreamNotFound, 'backwards');
    await t.rejects(store.readStream(stream('missing'), { fromRevision: 5 }), StreamNotFound, 'from a revision');
    await t.rejects(store.readStream(stream('missing'), { direction: 'backwards', fromRevision: 5, maxCount: 1 }), StreamNotFound, 'backwards from a revision');
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

  t.test('an append retried with the same event ids answers the first answer and writes nothing', async (t) => {
    const id = stream('retry');
    const batch = (from: number): NewEvent[] => [from, from + 1].map((n) => ({ ...event('Tested', n), id: randomUUID() }));
    const created = batch(0);
    const first = await store.appendToStream(id, created, { expectedRevision: 'no_stream' });
    t.same(await store.appendToStream(id, created, { expectedRevision: 'no_stream' }), first, 'no_stream: the first answer again');
    const next = batch(2);
    const second = await store.appendToStream(id, next, { expectedRevision: 1 });
    t.same(await store.appendToStream(id, next, { expectedRevision: 1 }), second, 'an exact revision: the first answer again');
    const anyBatch = batch(4);
    const third = await store.appendToStream(id, anyBatch, { expectedRevision: 'any' });
    t.same(await store.appendToStream(id, anyBatch, { expectedRevision: 'any' }), third, 'any: the first answer again');
    t.same((await store.readStream(id)).map((e) => e.data['n']), [0, 1, 2, 3, 4, 5], 'each event once');

    const racing = batch(6);
    const outcomes = await Promise.all([1, 2, 3].map(() => store.appendToStream(id, racing, { expectedRevision: 5 })));
    t.ok(outcomes.every((outcome) => outcome.nextRevision === 7 && outcome.position === outcomes[0]?.position),
      'a retry racing its original: one write, every caller told the same');
    t.equal((await store.readStream(id)).length, 8, 'still each event once');
  });

  t.test('ids repeated only in part, or at another place, are refused', async (t) => {
    const id = stream('partial');
    const written = [0, 1].map((n) => ({ ...event('Tested', n), id: randomUUID() }));
    await store.appendToStream(id, written, { expectedRevision: 'no_stream' });
    const [firstWritten] = written;
    if (!firstWritten) throw new Error('unreachable');
    await refused(t, store.appendToStream(id, [firstWritten, { ...event('Tested', 9), id: randomUUID() }], { expectedRevision: 'no_stream' }),
      { expected: 'no_stream', actual: 1 }, 'the first id again with a new one');
    await refused(t, store.appendToStream(id, written, { expectedRevision: 0 }),
      { expected: 0, actual: 1 }, 'the same ids after another revision');
    t.same((await store.readStream(id)).map((e) => e.data['n']), [0, 1], 'nothing written');
  });

  t.test('appending no events writes nothing, checks the expectation, and says where things are', async (t) => {
    const id = stream('empty');
    const none = await store.appendToStream(id, [], { expectedRevision: 'no_stream' });
    t.equal(none.nextRevision, -1, 'a stream that does not exist is at -1');
    t.equal(none.position, await store.headPosition(), 'the position is the head of the log');
    await t.rejects(store.readStream(id), StreamNotFound, 'no stream was made');
    await store.appendToStream(id, [event('Tested', 0)]);
    const after = await store.appendToStream(id, [], { expectedRevision: 0 });
    t.equal(after.nextRevision, 0, 'the stream\'s revision');
    await refused(t, store.appendToStream(id, [], { expectedRevision: 'no_stream' }), { expected: 'no_stream', actual: 0 }, 'the expectation is checked');
    await refused(t, store.appendToStream(id, [], { expectedRevision: 3 }), { expected: 3, actual: 0 }, 'an exact revision is checked');
  });

  t.test('events read from a stream carry their global positions', async (t) => {
    const id = stream('positions');
    await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)]);
    await store.appendToStream(stream('between'), [event('Tested', 2)]);
    await store.appendToStream(id, [event('Tested', 3)]);
    const fromStream = await store.readStream(id);
    const [first] = fromStream;
    const fromLog = (await store.readAll({ fromPosition: first?.position ?? 0, filter: { streamPrefixes: [id] } }));
    t.same(fromStream.map((e) => e.position), fromLog.map((e) => e.position), 'the same positions as the log gives');
    t.same(fromStream.map((e) => e.id), fromLog.map((e) => e.id));
  });

  t.test('a backwards read from a position includes the event at that position', async (t) => {
    const id = stream('backwards');
    await store.appendToStream(id, [event('Tested', 0), event('Tested', 1), event('Tested', 2)]);
    const [, middle] = await store.readStream(id);
    const read = await store.readAll({ direction: 'backwards', fromPosition: middle?.position ?? 0, maxCount: 2 });
    t.equal(read[0]?.position, middle?.position, 'the event at the position first');
    t.same(read.map((e) => e.data['n']), [1, 0], 'then the ones before it');
    const filtered = await store.readAll({ direction: 'backwards', fromPosition: middle?.position ?? 0, maxCount: 5, filter: { streamPrefixes: [id] } });
    t.same(filtered.map((e) => e.data['n']), [1, 0], 'filtered too');
  });

  t.test('the log has an id of its own, and an event is found by its position', async (t) => {
    const logId = await store.logId();
    t.match(logId, /\S{8,}/, 'a log id');
    t.equal(await store.logId(), logId, 'the same every time');
    const id = stream('at');
    const appended = await store.appendToStream(id, [event('Tested', 0), event('Tested', 1)]);
    const [, second] = await store.readStream(id);
    const found = await store.readEventAt(appended.position);
    t.equal(found?.id, second?.id, 'the event at a position');
    t.equal(found?.streamId, id);
    t.equal(found?.revision, 1);
    t.equal(found?.position, appended.position);
    t.same(found?.data, second?.data);
    t.equal(await store.readEventAt(appended.position + 1_000_000_000), undefined, 'no event past the head');
    const recent = await store.readAll({ direction: 'backwards', maxCount: 100 });
    t.ok(recent.every((e) => !e.type.startsWith('$')), 'the log id is never among the events read');
  });

  if (target.reopen) {
    const reopen = target.reopen;
    t.test('record time never goes backwards across a restart', async (t) => {
      const id = stream('clock');
      await store.appendToStream(id, [event('Tested', 0)]);
      const [before] = await store.readStream(id);
      const logId = await store.logId();
      const behind = Date.parse(before?.recordedAt ?? '') - 3_600_000;
      store = await reopen(store, { clock: () => new Date(behind) });
      await store.appendToStream(id, [event('Tested', 1)]);
      const [, after] = await store.readStream(id);
      t.ok((after?.recordedAt ?? '') >= (before?.recordedAt ?? ''), `${after?.recordedAt} is not before ${before?.recordedAt}, though the clock went back an hour`);
      t.equal(await store.logId(), logId, 'the same log id after the restart');
      store = await reopen(store);
    });
  }

  if (target.breakSubscriptions) {
    const breakSubscriptions = target.breakSubscriptions;
    t.test('a subscription that fails resumes from its last position with no gap and no duplicate', async (t) => {
      const prefix = stream('resume');
      const start = await store.headPosition();
      const append = async (from: number, count: number): Promise<void> => {
        for (let n = from; n < from + count; n++) await store.appendToStream(`${prefix}-${n % 2}`, [event('Tested', n)]);
      };
      await append(0, 5);
      const first = store.subscribeToAll({ afterPosition: start, filter: { streamPrefixes: [prefix] } });
      const iterator = first[Symbol.asyncIterator]();
      const seen: RecordedEvent[] = [];
      for (let i = 0; i < 5; i++) {
        const next = await iterator.next();
        if (!next.done) seen.push(next.value);
      }
      store = await breakSubscriptions(store);
      const ended = await Promise.race([
        iterator.next().then((next) => (next.done ? 'done' : `another event ${next.value.position}`), (error: unknown) => (isEventStoreError(error) ? 'failed' : `threw ${String(error)}`)),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
      ]);
      t.ok(ended === 'failed' || ended === 'done', `the broken subscription ended (${ended})`);
      await append(5, 5);
      const last = seen.at(-1)?.position ?? start;
      const resumed = store.subscribeToAll({ afterPosition: last, filter: { streamPrefixes: [prefix] } });
      const rest = take(resumed, 10);
      await append(10, 5);
      seen.push(...await rest);
      t.same(seen.map((e) => e.data['n']), Array.from({ length: 15 }, (_, n) => n), 'every event once, in order');
      t.ok(increasing(seen.map((e) => e.position)), 'positions increase across the break');
    });
  }

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
