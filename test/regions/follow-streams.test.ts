/**
 * The catalogues' follower pages through more than one page of key and region events at
 * start, on both stores: KurrentDB positions are log offsets, not position + 1.
 */
import t, { type Test } from 'tap';
import pino from 'pino';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { openKurrentDbStore } from '../../src/event-store/kurrentdb/kurrentdb-store.js';
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { followStreams } from '../../src/regions/follow-streams.js';
import { startStandIn } from '../kurrentdb-standin/index.js';

async function followsEverything(t: Test, store: EventStore): Promise<void> {
  // 2,500 events: three pages of the follower, interleaved with events it must not see.
  for (let batch = 0; batch < 25; batch++) {
    await store.appendToStream(`key-${batch}`, Array.from({ length: 100 }, (_, n) => ({ type: 'KeyTouched', data: { n: batch * 100 + n } })));
    await store.appendToStream(`project-${batch}`, [{ type: 'Other', data: {} }]);
  }
  const seen: RecordedEvent[] = [];
  const follower = await followStreams(store, ['key-'], (event) => seen.push(event), pino({ level: 'silent' }));
  t.equal(seen.length, 2500, 'every event of the prefix, once');
  t.same(seen.map((e) => e.data['n']), Array.from({ length: 2500 }, (_, i) => i), 'in log order');
  await store.appendToStream('key-live', [{ type: 'KeyTouched', data: { n: 2500 } }]);
  for (let i = 0; i < 100 && seen.length < 2501; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(seen.at(-1)?.data['n'], 2500, 'then live');
  await follower.close();
}

t.test('embedded store', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  await followsEverything(t, store);
});

t.test('KurrentDB adapter on the stand-in', async (t) => {
  const server = await startStandIn();
  const store = await openKurrentDbStore(server.connectionString);
  t.teardown(async () => { await store.close(); await server.stop(); });
  await followsEverything(t, store);
});

t.test('an event it cannot fold stops the follower before it, for good, and says which', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  const folded: unknown[] = [];
  const follower = await followStreams(store, ['key-'], (event) => {
    if (event.type === 'Poison') throw new Error('no fold for this');
    folded.push(event.data['n']);
  }, pino({ level: 'silent' }));
  t.teardown(() => follower.close());
  await store.appendToStream('key-a', [{ type: 'KeyTouched', data: { n: 1 } }]);
  await store.appendToStream('key-b', [{ type: 'Poison', data: {} }]);
  await store.appendToStream('key-a', [{ type: 'KeyTouched', data: { n: 2 } }], { expectedRevision: 0 });
  for (let i = 0; i < 100 && follower.healthy(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(folded, [1], 'nothing after the event it could not fold');
  t.notOk(follower.healthy(), 'readiness fails');
  t.match(follower.detail(), /^halted before key-b@0 \(Poison, position \d+\): no fold for this$/);
});

t.test('after the store goes away the follower resubscribes after what it folded: nothing lost, nothing twice', async (t) => {
  const { decoratedStore } = await import('../../src/event-store/decorated-store.js');
  const inner = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => inner.close());
  // The first live subscription breaks after one event, as a KurrentDB restart would end it.
  let subscriptions = 0;
  const store = decoratedStore(inner, {
    subscribeToAll: (options) => {
      const subscription = inner.subscribeToAll(options);
      if (++subscriptions > 1) return subscription;
      return {
        close: () => subscription.close(),
        [Symbol.asyncIterator]: () => {
          const events = subscription[Symbol.asyncIterator]();
          let delivered = 0;
          return {
            next: async () => {
              if (delivered++ === 1) throw new Error('connection reset');
              return events.next();
            },
          };
        },
      };
    },
  });
  const folded: unknown[] = [];
  const follower = await followStreams(store, ['key-'], (event) => folded.push(event.data['n']), pino({ level: 'silent' }));
  t.teardown(() => follower.close());
  await inner.appendToStream('key-a', [{ type: 'KeyTouched', data: { n: 1 } }]);
  for (let i = 0; i < 100 && follower.healthy(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.match(follower.detail(), /^resubscribing in \d+ ms: connection reset$/, 'readiness says it lost the store');
  await inner.appendToStream('key-a', [{ type: 'KeyTouched', data: { n: 2 } }], { expectedRevision: 0 });
  for (let i = 0; i < 200 && folded.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.same(folded, [1, 2], 'the event after the outage arrives, the one before it once');
  t.ok(follower.healthy(), 'and it is ready again');
  t.equal(follower.detail(), 'following');
  t.equal(subscriptions, 2);
});
