/**
 * The server as `npm start` runs it (node --import tsx src/main.ts, the embedded store on a
 * file): the log's tree is kept by its worker thread, the signing key is made in DATA_DIR on
 * first start, and a command's event is in a signed checkpoint moments later.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ADMIN = 'server-process-admin-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

t.test('npm start keeps the tree in a worker and signs checkpoints with the key it made', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'server-process-'));
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), ADMIN_KEY: ADMIN, LOG_LEVEL: 'warn', LOG_ORIGIN: 'server-process.test/log' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = new Promise((resolve) => server.on('exit', resolve));
  t.teardown(async () => {
    server.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${ADMIN}` };

  let ready: { ready: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> } | undefined;
  for (let tries = 0; tries < 300 && ready?.ready !== true; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ready = await fetch(`${base}/readyz`).then((answer) => answer.json() as Promise<typeof ready>).catch(() => undefined);
  }
  t.equal(ready?.ready, true, `the server is ready: ${stderr}`);
  t.match(ready?.checks.find((check) => check.name === 'log-tree'), { ok: true });
  t.equal(statSync(join(dataDir, 'log-signing.key')).mode & 0o777, 0o600, 'the signing key was made, for its owner only');

  const posted = await fetch(`${base}/v1/projects`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({
    projectId: 'SP-1', name: '进程测试', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 100, occurredOn: '2025-01-06',
  }) });
  t.equal(posted.status, 201);
  const checkpoint = await (await fetch(`${base}/v1/audit/checkpoint`, { headers: auth })).text();
  const [origin, size] = checkpoint.split('\n');
  t.equal(origin, 'server-process.test/log');
  t.equal(Number(size), 2, 'the admin key\'s issue and the project, both in the signed tree');
  const verifierKey = (await (await fetch(`${base}/v1/audit/verifier-key`)).text()).trim();
  const signerKey = readFileSync(join(dataDir, 'log-signing.key'), 'utf8');
  t.ok(signerKey.startsWith(`PRIVATE+KEY+${verifierKey.split('+')[0] ?? ''}+${verifierKey.split('+')[1] ?? ''}+`), 'the verifier key is the kept key\'s');
});
