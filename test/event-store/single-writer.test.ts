/**
 * One writer process per store file: a second writer (a second server on the same DATA_DIR, or
 * a second store opened in one process) is refused with a message naming the first; readers
 * (the CLI) read beside it; a killed writer leaves no stale lock; and a write lock held by some
 * other program never blocks the event loop (no SQLite busy wait on it).
 */
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { StoreUnavailable } from '../../src/event-store/errors.js';
import { StoreInUse } from '../../src/event-store/embedded/writer-lock.js';
import { http, spawnServer, waitReady } from '../support/server-process.js';
import { runCli } from '../cli/support/run-cli.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'writer-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a second writer in one process is refused, naming the first; a reader reads beside it', async (t) => {
  const path = join(tempDir(t), 'events.db');
  const writer = openEmbeddedStore({ path });
  await writer.appendToStream('project-a', [{ type: 'Registered', data: { n: 1 } }]);
  try {
    openEmbeddedStore({ path });
    t.fail('a second writer opened the file');
  } catch (error) {
    t.ok(error instanceof StoreInUse, 'StoreInUse');
    t.match(String(error), new RegExp(`pid ${process.pid}`), 'the message names the writer\'s pid');
  }
  const reader = openEmbeddedStore({ path, access: 'reader' });
  t.same((await reader.readStream('project-a')).map((e) => e.data['n']), [1], 'a reader reads');
  await writer.appendToStream('project-a', [{ type: 'Reported', data: { n: 2 } }]);
  t.same((await reader.readStream('project-a')).map((e) => e.data['n']), [1, 2], 'and sees new commits');
  t.equal(await reader.logId(), await writer.logId(), 'the same log');
  await t.rejects(reader.appendToStream('project-a', [{ type: 'Reported', data: { n: 3 } }]), StoreUnavailable, 'a reader cannot append');
  await reader.close();
  await writer.close();
  const next = openEmbeddedStore({ path });
  t.equal((await next.readStream('project-a')).length, 2, 'once the writer has closed, another may write');
  await next.close();
});

t.test('a second server on the same DATA_DIR refuses to start and names the first; a SIGKILLed one leaves no lock', async (t) => {
  const dataDir = tempDir(t);
  const env = { DATA_DIR: dataDir, ADMIN_KEY: 'writer-test-admin-key-0123456789abcdef' };
  const first = await spawnServer(env);
  t.teardown(() => first.kill());
  await waitReady(first);

  const second = await spawnServer(env);
  t.teardown(() => second.kill());
  const exit = await Promise.race([second.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
  t.not(exit, 0, `the second server did not start (exit ${exit})`);
  t.not(exit, 'still running', 'it stopped by itself');
  t.match(second.stderr(), /another process writes .*events\.db/, 'it says the store is being written');
  t.match(second.stderr(), new RegExp(`pid ${first.child.pid}`), 'it names the first server\'s pid');
  t.notMatch(second.stderr(), /\n\s+at /, 'a message, not a stack trace');

  const registered = await http(first.port, 'POST', '/v1/projects', {
    headers: { authorization: `Bearer ${env.ADMIN_KEY}` },
    body: {
      projectId: 'ZQ-2025-0001', name: '枣强县复合材料产业园', regionCode: '131121', industry: 'C',
      category: 'industrial', origin: 'attracted', plannedInvestment: 52000.5, occurredOn: '2025-01-06',
    },
  });
  t.equal(registered.status, 201, 'the first server still writes');
  const status = await runCli(dataDir, ['status']);
  t.equal(status.code, 0, `the CLI reads beside the running server: ${status.stderr}`);

  await first.kill('SIGKILL');
  const third = await spawnServer(env);
  t.teardown(() => third.kill());
  await waitReady(third);
  const read = await http(third.port, 'GET', '/v1/projects/ZQ-2025-0001', { headers: { authorization: `Bearer ${env.ADMIN_KEY}` } });
  t.equal(read.status, 200, 'after a SIGKILL the next server starts at once and has the data');
  await third.kill('SIGTERM');
});

t.test('a write lock held by another program never blocks the event loop', async (t) => {
  const path = join(tempDir(t), 'events.db');
  const store = openEmbeddedStore({ path });
  t.teardown(() => store.close());
  await store.appendToStream('project-a', [{ type: 'Registered', data: {} }]);

  // Another program (a sqlite3 shell, a careless script) takes the file's write lock.
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE');
  // A busy wait would stall the loop for the whole second the lock is held; a loaded machine
  // delays timers by tens of milliseconds at worst. The longest gap between ticks tells them apart.
  let last = Date.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = Date.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 5);
  const started = Date.now();
  const append = store.appendToStream('project-a', [{ type: 'Reported', data: {} }]);
  setTimeout(() => other.exec('ROLLBACK'), 1000);
  const result = await append;
  clearInterval(ticker);
  const waited = Date.now() - started;
  t.ok(waited >= 900, `the append waited for the lock (${waited} ms)`);
  t.ok(longestGap < 500, `the event loop ran meanwhile (longest gap between 5 ms ticks: ${longestGap} ms in ${waited} ms)`);
  t.equal(result.nextRevision, 1, 'then it committed');

  other.exec('BEGIN IMMEDIATE');
  const refused = store.appendToStream('project-a', [{ type: 'Reported', data: {} }]);
  await t.rejects(refused, StoreUnavailable, 'a lock held past the limit fails the append as unavailable');
  other.exec('ROLLBACK');
  other.close();
  t.equal((await store.appendToStream('project-a', [{ type: 'Reported', data: {} }])).nextRevision, 2, 'and appends go on afterwards');
});
