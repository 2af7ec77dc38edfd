/**
 * The stream cache on its own (src/event-store/stream-cache.ts): whole reads equal the store's
 * however appends and reads interleave, only the new events are read again, the memory it
 * keeps is bounded, and a stream too long to keep is read from the store each time.
 */
import t from 'tap';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { StreamNotFound } from '../../src/event-store/errors.js';
import type { EventStore, ReadStreamOptions } from '../../src/event-store/port.js';
import { cachingStreams } from '../../src/event-store/stream-cache.js';
import { decoratedStore } from '../../src/event-store/decorated-store.js';

function counting(store: EventStore): { store: EventStore; handedOut: () => number } {
  let handed = 0;
  return {
    handedOut: () => handed,
    store: decoratedStore(store, {
      readStream: async (streamId: string, options?: ReadStreamOptions) => {
        const events = await store.readStream(streamId, options);
        handed += events.length;
        return events;
      },
    }),
  };
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Noted', data: { i } }));
const revisions = (list: ReadonlyArray<{ revision: number }>) => list.map((e) => e.revision);

t.test('whole reads follow appends made beside the cache, reading only what is new', async (t) => {
  const inner = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => inner.close());
  const counted = counting(inner);
  const cached = cachingStreams(counted.store, { maxEvents: 1000, maxEventsPerStream: 100 });
  await inner.appendToStream('s-1', events(3));
  t.strictSame(revisions(await cached.readStream('s-1')), [0, 1, 2]);
  await inner.appendToStream('s-1', events(2)); // as another process would
  const before = counted.handedOut();
  t.strictSame(revisions(await cached.readStream('s-1')), [0, 1, 2, 3, 4]);
  t.equal(counted.handedOut() - before, 2, 'only the two new events came from the store');
  const [a, b] = await Promise.all([cached.readStream('s-1'), cached.readStream('s-1')]);
  t.strictSame(revisions(a), revisions(b), 'concurrent reads agree');
  t.strictSame(revisions(await cached.readStream('s-1', { fromRevision: 3 })), [3, 4], 'a partial read passes through');
  await t.rejects(cached.readStream('nope'), StreamNotFound);
});

t.test('memory is bounded: the least recently read streams go first, a long stream is never kept', async (t) => {
  const inner = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => inner.close());
  const counted = counting(inner);
  const cached = cachingStreams(counted.store, { maxEvents: 10, maxEventsPerStream: 6 });
  for (const id of ['a', 'b', 'c']) await inner.appendToStream(id, events(5));
  await inner.appendToStream('long', events(7));
  await cached.readStream('a');
  await cached.readStream('b'); // a and b: 10 events kept
  let before = counted.handedOut();
  await cached.readStream('a');
  t.equal(counted.handedOut() - before, 0, 'a is kept');
  await cached.readStream('c'); // 15 > 10: b, the least recently read, goes
  before = counted.handedOut();
  await cached.readStream('b');
  t.equal(counted.handedOut() - before, 5, 'b was forgotten and read whole again');
  before = counted.handedOut();
  await cached.readStream('long');
  await cached.readStream('long');
  t.equal(counted.handedOut() - before, 14, 'a stream over the per-stream limit is read whole each time');
});
