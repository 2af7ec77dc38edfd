/**
 * The log's tree as it follows the store: the worker thread (the embedded store's file) and
 * the in-process follower (through the port) build the same tree; a restart goes on from the
 * tree file; a checkpoint is signed within a second of the log growing; and a log whose end
 * was edited behind the server's back is never built upon.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { LogTree } from '../../src/log-tree/log-tree.js';
import { eventLeafHash } from '../../src/log-tree/leaf.js';
import { RootBuilder } from '../../src/log-tree/merkle.js';
import { generateSigner, openCheckpoint, parseVerifierKey } from '../../src/log-tree/signed-note.js';

const ORIGIN = 'log-tree.test/log';
const signer = generateSigner(ORIGIN);

async function fill(store: ReturnType<typeof openEmbeddedStore>, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += 1) {
    await store.appendToStream(`project-P${i % 7}`, [{ type: 'Noted', data: { i, text: `第${i}条` }, metadata: { actor: { keyId: 'k' } } }]);
  }
}

t.test('worker and in-process trees agree with the log; a restart goes on from the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'log-tree-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const eventsPath = join(dir, 'events.db');
  const store = openEmbeddedStore({ path: eventsPath, synchronous: 'NORMAL' });
  await fill(store, 0, 300);
  const inWorker = new LogTree({ store, path: join(dir, 'worker-tree.db'), origin: ORIGIN, signers: [signer], eventsPath });
  const inProcess = new LogTree({ store, path: join(dir, 'process-tree.db'), origin: ORIGIN, signers: [signer] });
  await inWorker.start();
  await inProcess.start();
  await fill(store, 300, 50);
  const head = await store.headPosition();
  t.ok(await inWorker.waitFor(head, 20_000), 'the worker takes in the log');
  t.ok(await inProcess.waitFor(head, 20_000), 'so does the in-process follower');
  const expected = new RootBuilder();
  for (const event of await store.readAll()) expected.push(eventLeafHash(event));
  t.ok(inWorker.root(350).equals(expected.root()), 'the worker\'s root is the log\'s');
  t.ok(inProcess.root(350).equals(expected.root()), 'and so is the in-process one');
  t.equal(inWorker.leafIndexOf(head), 349);

  const signedAt = Date.now();
  await fill(store, 350, 1);
  let checkpoint = inWorker.checkpoint();
  while (checkpoint.size < 351 && Date.now() - signedAt < 1000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    checkpoint = inWorker.checkpoint();
  }
  t.equal(checkpoint.size, 351, `a checkpoint within a second of the log growing (${Date.now() - signedAt} ms)`);
  t.equal(openCheckpoint(checkpoint.note, [parseVerifierKey(signer.verifierKey)], ORIGIN).size, 351);

  await inWorker.stop();
  await inProcess.stop();
  await fill(store, 351, 20);
  const restarted = new LogTree({ store, path: join(dir, 'worker-tree.db'), origin: ORIGIN, signers: [signer], eventsPath });
  await restarted.start();
  t.equal(restarted.size >= 351, true, 'it opens the tree it kept');
  t.ok(await restarted.waitFor(await store.headPosition(), 20_000), 'and takes in what came meanwhile');
  t.equal(restarted.size, 371);
  await restarted.stop();
  await store.close();
});

t.test('a log whose last event was edited or removed is not built upon', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'log-tree-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const eventsPath = join(dir, 'events.db');
  for (const edit of ['UPDATE events SET data = \'{"i":-1}\' WHERE position = (SELECT MAX(position) FROM events)', 'DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)']) {
    rmSync(dir, { recursive: true, force: true });
    const store = openEmbeddedStore({ path: eventsPath, synchronous: 'NORMAL' });
    await fill(store, 0, 10);
    const tree = new LogTree({ store, path: join(dir, 'tree.db'), origin: ORIGIN, signers: [signer] });
    await tree.start();
    t.ok(await tree.waitFor(await store.headPosition(), 20_000));
    await tree.stop();
    await store.close();
    const db = new Database(eventsPath);
    db.exec(edit);
    db.close();
    const reopened = openEmbeddedStore({ path: eventsPath, synchronous: 'NORMAL' });
    const again = new LogTree({ store: reopened, path: join(dir, 'tree.db'), origin: ORIGIN, signers: [signer] });
    await again.start();
    t.match(again.problem, /behind the server's back/, `${edit.split(' ')[0]}: it says so`);
    await fill(reopened, 10, 3);
    t.equal(await again.waitFor(await reopened.headPosition(), 300), false, 'and takes in nothing more');
    t.equal(again.checkpoint().size, 10, 'its checkpoints stay those of the log it recorded');
    await again.stop();
    await reopened.close();
  }
});
