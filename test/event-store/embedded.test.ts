import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { eventStoreContract } from './contract.js';

t.test('embedded store in memory', async (t) => {
  eventStoreContract(t, { open: async () => openEmbeddedStore({ path: ':memory:' }) });
});

t.test('embedded store in a file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');
  const reopen = async (store: EventStore, options?: { readonly clock?: () => Date }): Promise<EventStore> => {
    await store.close();
    return openEmbeddedStore({ path, ...(options?.clock ? { clock: options.clock } : {}) });
  };
  eventStoreContract(t, {
    open: async () => openEmbeddedStore({ path }),
    reopen,
    // The embedded store's subscriptions end when it closes: a restart is its failure.
    breakSubscriptions: (store) => reopen(store),
  });
});

t.test('filtered reads use the stream index for a rare prefix and scan for a common one, with the same answers', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  // 25,000 events of a common prefix (a scan), a few of a rare one (the index), interleaved.
  for (let i = 0; i < 250; i++) {
    await store.appendToStream(`project-${i}`, Array.from({ length: 100 }, (_, n) => ({ type: 'Reported', data: { n } })));
    if (i % 50 === 0) await store.appendToStream(`key-${i}`, [{ type: 'KeyIssued', data: { i } }]);
  }
  const keys = await store.readAll({ filter: { streamPrefixes: ['key-'] } });
  t.same(keys.map((e) => e.data['i']), [0, 50, 100, 150, 200], 'a rare prefix, in log order');
  const fromMiddle = await store.readAll({ fromPosition: keys[2]?.position ?? 0, filter: { streamPrefixes: ['key-'] }, maxCount: 2 });
  t.same(fromMiddle.map((e) => e.data['i']), [100, 150], 'from a position, bounded');
  const projects = await store.readAll({ filter: { streamPrefixes: ['project-1'] }, maxCount: 3 });
  t.same(projects.map((e) => e.streamId), ['project-1', 'project-1', 'project-1'], 'a common prefix');

  const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['key-'] } });
  const seen: number[] = [];
  for await (const event of subscription) {
    seen.push(Number(event.data['i']));
    if (seen.length === 5) await store.appendToStream('key-live', [{ type: 'KeyIssued', data: { i: 999 } }]);
    if (seen.length === 6) break;
  }
  t.same(seen, [0, 50, 100, 150, 200, 999], 'a filtered subscription catches up through the index, then goes live');
});
