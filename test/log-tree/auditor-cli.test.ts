/**
 * The offline auditor as an auditor runs it (`npm run audit -- …`, a child process over HTTP,
 * with only the server's URL and an auditor's key) against a server whose tree is kept by the
 * worker thread on the embedded store's file, as in production:
 * - the verifier key is pinned on first use and never silently replaced;
 * - each run verifies the newest checkpoint and proves it extends the kept one;
 * - an event (by position) and a whole project are proven in the checkpoint as shown;
 * - an audit package verifies with the server gone, and an edited package does not.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildApp } from '../../src/http/app.js';
import { LogTree } from '../../src/log-tree/log-tree.js';
import { generateSigner } from '../../src/log-tree/signed-note.js';
import { loadSigningKeys } from '../../src/log-tree/signing-key.js';
import { ADMIN_SECRET, bearer, issue } from '../auth/auth-test-app.js';

const ORIGIN = 'auditor.test/log';
const dir = mkdtempSync(join(tmpdir(), 'auditor-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function audit(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts', ...args], { cwd: process.cwd() }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const eventsPath = join(dir, 'events.db');
const store = openEmbeddedStore({ path: eventsPath, synchronous: 'NORMAL' });
const { signers } = loadSigningKeys({ dataDir: dir, origin: ORIGIN });
const logTree = new LogTree({ store, path: join(dir, 'log-tree.db'), origin: ORIGIN, signers, eventsPath });
const app = await buildApp({ store, logTree, config: loadConfig({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET, DATA_DIR: dir, LOG_ORIGIN: ORIGIN }) });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
let closed = false;
const close = async () => {
  if (closed) return;
  closed = true;
  await app.close();
  await store.close();
};
t.teardown(close);

const admin = bearer(ADMIN_SECRET);
const post = async (path: string, payload: object) => {
  const answer = await app.inject({ method: 'POST', url: path, headers: admin, payload });
  if (answer.statusCode >= 300) throw new Error(`${path}: ${answer.body}`);
  return answer.json<{ position: number }>();
};
const register = (projectId: string, regionCode: string) => post('/v1/projects', {
  projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 8000, occurredOn: '2025-01-06',
});
await register('ZQ-1', '131121');
await register('LK-1', '410225');
const signed = await post('/v1/projects/ZQ-1/milestones', {
  type: 'ProjectSigned', occurredOn: '2025-02-01', agreementType: 'formal', contractInvestment: 7800, investor: '河北某新材料有限公司', investorOrigin: 'out_of_city',
});
const key = (await issue(app, { role: 'auditor', regions: ['000000'], name: 'the 审计局 auditor' })).key;
const verifierKey = (await app.inject({ url: '/v1/audit/verifier-key' })).body.trim();
const state = join(dir, 'state.json');
const server = ['--server', url, '--key', key];

t.test('the verifier key is pinned on first use, then held to', async (t) => {
  const unpinned = await audit(['check', ...server, '--state', state]);
  t.equal(unpinned.code, 2, 'no state and no key to pin: a usage error');
  t.match(unpinned.stderr, /pin the log's verifier key/);

  const first = await audit(['check', ...server, '--state', state, '--verifier-key', verifierKey]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /checkpoint of \d+ leaves verified \(the first kept/);
  t.equal(JSON.parse(readFileSync(state, 'utf8')).verifierKey, verifierKey);

  const other = generateSigner(ORIGIN).verifierKey;
  const swapped = await audit(['check', ...server, '--state', state, '--verifier-key', other]);
  t.equal(swapped.code, 1, 'a state pinned to one key refuses another');
  t.match(swapped.stderr, /is pinned to/);

  const wrongKey = await audit(['check', ...server, '--state', join(dir, 'other.json'), '--verifier-key', other]);
  t.equal(wrongKey.code, 1, 'a checkpoint not signed by the pinned key fails');
  t.match(wrongKey.stderr, /does not verify against the pinned key/);
});

t.test('each run proves the newest checkpoint extends the kept one; events and projects are proven as shown', async (t) => {
  await register('ZQ-2', '131121');
  await post('/v1/projects/ZQ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' });
  const run = await audit(['check', ...server, '--state', state, '--event', String(signed.position), '--project', 'ZQ-1', '--full']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /consistent with the kept one of \d+/);
  t.match(run.stdout, /event at position \d+ \(project-ZQ-1@1 ProjectSigned\) is leaf \d+/);
  t.match(run.stdout, /all 3 events of project ZQ-1 are in the checkpoint's tree as shown/);
  t.match(run.stdout, /leaves downloaded rebuild the checkpoint's root/);

  const nowhere = await audit(['check', ...server, '--state', state, '--event', '999999']);
  t.equal(nowhere.code, 1);
  t.match(nowhere.stderr, /no event at position 999999/);

  // A kept checkpoint the server's log does not extend (as if the log had been rewound).
  const kept = JSON.parse(readFileSync(state, 'utf8')) as { checkpoint: string };
  const rewound = join(dir, 'rewound.json');
  const [origin, size, root, ...rest] = kept.checkpoint.split('\n');
  writeFileSync(rewound, JSON.stringify({ verifierKey, checkpoint: [origin, String(Number(size) + 5), root, ...rest].join('\n') }));
  const shrunk = await audit(['check', ...server, '--state', rewound]);
  t.equal(shrunk.code, 1, 'a kept checkpoint whose signature no longer holds, or a log that shrank, fails');
});

t.test('an audit package verifies with no server; an edited one does not', async (t) => {
  const file = join(dir, 'package-131121.json');
  const exported = await audit(['export', ...server, '--state', state, '--region', '131121', '--out', file]);
  t.equal(exported.code, 0, exported.stderr);
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { entries: Array<{ leaf: string; leafIndex: number }>; regionCode: string };
  const streams = pkg.entries.map((entry) => (JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8')) as { streamId: string }).streamId);
  t.ok(streams.includes('project-ZQ-1') && streams.includes('project-ZQ-2'), 'the county\'s projects are in it');
  t.notOk(streams.includes('project-LK-1'), 'another province\'s project is not');
  t.notOk(streams.some((stream) => stream.startsWith('key-')), 'keys belong to no region');

  await close();
  const offline = await audit(['verify-package', file, '--state', state]);
  t.equal(offline.code, 0, offline.stderr);
  t.match(offline.stdout, /events of region 131121, each proven in the signed checkpoint/);

  const edited = join(dir, 'edited.json');
  const [entry] = pkg.entries;
  if (entry === undefined) throw new Error('an empty package');
  const leaf = JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8')) as { data: Record<string, unknown> };
  const forged = Buffer.from(JSON.stringify({ ...leaf, data: { ...leaf.data, plannedInvestment: 1 } })).toString('base64');
  writeFileSync(edited, JSON.stringify({ ...pkg, entries: [{ ...entry, leaf: forged }, ...pkg.entries.slice(1)] }));
  const refused = await audit(['verify-package', edited, '--state', state]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, new RegExp(`leaf ${entry.leafIndex} is not in the checkpoint's tree`));
});
