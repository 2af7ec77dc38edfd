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
