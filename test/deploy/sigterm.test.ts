/**
 * How a container stops the app: the image runs node itself (exec form), so `docker stop`'s
 * SIGTERM reaches the server, which stops accepting, answers the commands already in flight,
 * closes the store and exits 0. (Under `npm start` npm took the signal and exited, and node
 * went on, orphaned, acknowledging commands.)
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { http, spawnServer, waitReady } from '../support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_KEY = 'sigterm-test-admin-key-0123456789';

/** The image's CMD, in exec form (a JSON array), or undefined when it is in shell form. */
function dockerCmd(): unknown {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n').filter((line) => line.startsWith('CMD '));
  const last = lines.at(-1)?.slice(4).trim() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    return undefined;
  }
}

t.test('the image runs node itself, as npm start would', async (t) => {
  const cmd = dockerCmd();
  t.ok(Array.isArray(cmd), 'CMD in exec form: no shell between docker and the process');
  t.equal(Array.isArray(cmd) ? cmd[0] : undefined, 'node', 'node is the container\'s process, not npm');
  const scripts: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
  const start = typeof scripts === 'object' && scripts !== null ? Reflect.get(scripts, 'start') : undefined;
  t.equal(Array.isArray(cmd) ? cmd.join(' ') : undefined, start, 'the same command as npm start');
});

t.test('SIGTERM: commands in flight are answered and kept, then the server exits 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sigterm-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await spawnServer({ DATA_DIR: dataDir, ADMIN_KEY, STORE_SYNCHRONOUS: 'NORMAL' });
  t.teardown(() => server.kill('SIGKILL'));
  await waitReady(server);
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const registration = (i: number) => ({
    projectId: `TERM-${i}`, name: `项目 ${i}`, regionCode: '131121', industry: 'C', category: 'industrial',
    origin: 'attracted', plannedInvestment: 1000, occurredOn: '2025-01-06',
  });

  const sent = Array.from({ length: 40 }, (_, i) => http(server.port, 'POST', '/v1/projects', { body: registration(i), headers, timeoutMs: 20_000 })
    .then((answer) => ({ i, status: answer.status }), (error: unknown) => ({ i, status: 0, error: String(error) })));
  // Once the first is answered the others are in flight: stop the server under them.
  await Promise.race(sent);
  server.child.kill('SIGTERM');
  const answers = await Promise.all(sent);
  const code = await server.exited;
  t.equal(code, 0, `exited 0 after SIGTERM: ${server.stderr()}`);

  const acknowledged = answers.filter((a) => a.status === 201).map((a) => `project-TERM-${a.i}`);
  t.ok(acknowledged.length > 0, `${acknowledged.length} of 40 acknowledged`);
  // The others arrived as the server stopped: answered 503 (closing), or their connection was
  // closed before their request was read. Neither may have been written.
  t.same(answers.filter((a) => a.status !== 201 && a.status !== 503 && a.status !== 0), [], 'otherwise refused as closing (503) or never read');
  const store = openEmbeddedStore({ path: join(dataDir, 'events.db') });
  t.teardown(() => store.close());
  const kept = new Set((await store.readAll({ filter: { streamPrefixes: ['project-TERM-'] } })).map((e) => e.streamId));
  t.same(acknowledged.filter((stream) => !kept.has(stream)), [], 'every acknowledged command is in the log');
  t.same([...kept].filter((stream) => !acknowledged.includes(stream)), [], 'and nothing that was not acknowledged');
});
