import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { DuplicateEventId, StreamNotFound } from '../../src/event-store/errors.js';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { currentStoreSchemaVersion, storeSchemaVersions } from '../../migrations/store/schema-versions.js';
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

t.test('a schema 1 file is migrated in place: positions kept and never reused, ids unique, a log id made once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');
  // A file as schema 1 left it (no AUTOINCREMENT, no id index, no log id), with a gap at 3.
  const old = new Database(path);
  applyStoreSchema(old, storeSchemaVersions.filter((version) => version.version === 1));
  const insert = old.prepare('INSERT INTO events (position, stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [position, revision] of [[1, 0], [2, 1], [4, 2]] as const) {
    insert.run(position, 'project-a', revision, randomUUID(), 'Reported', JSON.stringify({ position }), '{}', '2025-01-01T00:00:00.000Z');
  }
  old.close();

  let store = openEmbeddedStore({ path });
  t.same((await store.readAll()).map((e) => e.position), [1, 2, 4], 'positions as they were');
  const logId = await store.logId();
  t.match(logId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a log id, a UUID');
  await store.close();

  // A tail lost (a restored backup, a hand edit): its positions stay spent.
  const raw = new Database(path);
  t.equal(raw.pragma('user_version', { simple: true }), currentStoreSchemaVersion, 'the file is at the current schema version');
  t.same(raw.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'and sound');
  t.match(raw.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'events'").get()?.sql, /position\s+INTEGER PRIMARY KEY AUTOINCREMENT/, 'positions are AUTOINCREMENT');
  raw.prepare('DELETE FROM events WHERE position = 4').run();
  raw.close();
  store = openEmbeddedStore({ path });
  t.teardown(() => store.close());
  const next = await store.appendToStream('project-b', [{ type: 'Registered', data: {} }]);
  t.ok(next.position > 4, `a new event gets ${next.position}, not the 4 a reader may already have seen`);
  t.equal(await store.logId(), logId, 'the log id is kept in the file');
  const held = (await store.readEventAt(next.position))?.id ?? '';
  await t.rejects(store.appendToStream('project-c', [{ id: held, type: 'Registered', data: {} }]),
    DuplicateEventId, 'an id that names another stream\'s event is refused');
  const twice = randomUUID();
  await t.rejects(store.appendToStream('project-d', [{ id: twice, type: 'A', data: {} }, { id: twice, type: 'B', data: {} }]), DuplicateEventId, 'one id twice in one append is refused');
  await t.rejects(store.readStream('project-d'), StreamNotFound, 'and nothing of it was written');
});

t.test('two store files are two logs', async (t) => {
  const a = openEmbeddedStore({ path: ':memory:' });
  const b = openEmbeddedStore({ path: ':memory:' });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  t.not(await a.logId(), await b.logId());
});
