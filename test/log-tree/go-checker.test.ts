/**
 * Standard tools verify the log: the app's checkpoints, inclusion and consistency proofs are
 * checked by an implementation not written here, Go's golang.org/x/mod/sumdb/note and
 * sumdb/tlog (Debian's golang-golang-x-mod-dev), through test/log-tree/go-checker/main.go.
 * What must hold holds there, and what was tampered with (a leaf, a proof, a checkpoint, a
 * signature by another key) fails there too.
 *
 * .ci/run installs Go where it can (apt-get as root); where Go cannot be had the test skips,
 * saying so.
 */
import t from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADMIN_SECRET, bearer, buildAuthApp } from '../auth/auth-test-app.js';
import { generateSigner, signNote } from '../../src/log-tree/signed-note.js';

const GOPATH = '/usr/share/gocode';
const here = dirname(fileURLToPath(import.meta.url));

function goAvailable(): string | undefined {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return 'the go command is not installed (apt-get install golang-go golang-golang-x-mod-dev; .ci/run does it as root)';
  }
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb/tlog'))) return 'golang.org/x/mod is not installed (apt-get install golang-golang-x-mod-dev)';
  return undefined;
}

const missing = goAvailable();

t.test('Go\'s sumdb/note and sumdb/tlog verify the checkpoints and proofs', { skip: missing ?? false }, async (t) => {
  const cache = join(tmpdir(), 'xiangmu-go-cache');
  mkdirSync(cache, { recursive: true });
  const binary = join(cache, 'go-checker');
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: cache, GOFLAGS: '' };
  await promisify(execFile)('go', ['build', '-o', binary, '.'], { cwd: join(here, 'go-checker'), env });

  const { app, store } = await buildAuthApp({ LOG_ORIGIN: 'tongji.hebei.example/pipeline' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const admin = bearer(ADMIN_SECRET);
  const register = async (id: string) => {
    const answer = await app.inject({ method: 'POST', url: '/v1/projects', headers: admin, payload: {
      projectId: id, name: `项目 ${id}`, regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 12000.5, occurredOn: '2025-01-06',
    } });
    t.equal(answer.statusCode, 201, answer.body);
  };
  const checkpoint = async () => (await app.inject({ url: '/v1/audit/checkpoint', headers: admin })).body;
  const json = async <T>(url: string) => (await app.inject({ url, headers: admin })).json<T>();

  for (const id of ['G-1', 'G-2', 'G-3']) await register(id);
  const first = await checkpoint();
  for (let i = 4; i <= 13; i += 1) await register(`G-${i}`);
  const second = await checkpoint();
  const size = (note: string) => Number(note.split('\n')[1]);
  const [small, large] = [size(first), size(second)];
  t.ok(small >= 4 && large > small, `two checkpoints, of ${small} and ${large} leaves`);
  const verifierKey = (await app.inject({ url: '/v1/audit/verifier-key' })).body.trim();

  type Inclusion = { index: number; size: number; leaf: string; proof: string[] };
  const inclusions: Array<{ name: string; checkpoint: number; index: number; leaf: string; proof: string[] }> = [];
  for (const [at, treeSize] of [[0, small], [1, large]] as const) {
    for (let index = 0; index < treeSize; index += 1) {
      const proof = await json<Inclusion>(`/v1/audit/proofs/inclusion?index=${index}&size=${treeSize}`);
      inclusions.push({ name: `holds: leaf ${index} of ${treeSize}`, checkpoint: at, index, leaf: proof.leaf, proof: proof.proof });
    }
  }
  const sample = inclusions.at(-1);
  if (sample === undefined) throw new Error('no proofs');
  const leaf = JSON.parse(Buffer.from(sample.leaf, 'base64').toString('utf8')) as Record<string, unknown>;
  const editedLeaf = Buffer.from(JSON.stringify({ ...leaf, recordedAt: '2020-01-01T00:00:00.000Z' })).toString('base64');
  inclusions.push(
    { ...sample, name: 'fails: a leaf edited', leaf: editedLeaf },
    { ...sample, name: 'fails: a proof hash flipped', proof: sample.proof.map((hash, i) => (i === 0 ? Buffer.alloc(32, 7).toString('base64') : hash)) },
    { ...sample, name: 'fails: another index', index: sample.index - 1 },
  );
  const consistency = await json<{ proof: string[] }>(`/v1/audit/proofs/consistency?from=${small}&to=${large}`);
  const forgedNote = signNote(second.slice(0, second.indexOf('\n\n') + 1), [generateSigner('tongji.hebei.example/pipeline')]);
  const editedNote = second.replace(/^(.*\n)(\d+)\n/, (_match, origin: string, n: string) => `${origin}${Number(n) + 1}\n`);
  const input = {
    verifierKey,
    origin: 'tongji.hebei.example/pipeline',
    checkpoints: [
      { name: 'holds: the first checkpoint', note: first },
      { name: 'holds: the second checkpoint', note: second },
      { name: 'fails: signed by another key of the same name', note: forgedNote },
      { name: 'fails: its size edited', note: editedNote },
    ],
    inclusions,
    consistencies: [
      { name: `holds: ${small} is a prefix of ${large}`, from: 0, to: 1, proof: consistency.proof },
      { name: 'fails: a consistency proof with a hash flipped', from: 0, to: 1, proof: consistency.proof.map((hash, i) => (i === 0 ? Buffer.alloc(32, 9).toString('base64') : hash)) },
    ],
  };
  const child = execFile(binary, [], { env });
  child.stdin?.end(JSON.stringify(input));
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, `the Go checker ran: ${stderr}`);
  const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; ok: boolean; error?: string });
  t.equal(results.length, input.checkpoints.length + inclusions.length + input.consistencies.length, 'one result per check');
  for (const result of results) {
    const shouldHold = result.name.startsWith('holds:');
    if (result.ok !== shouldHold) t.fail(`${result.name}: Go says ${result.ok ? 'it holds' : `it fails (${result.error ?? ''})`}`);
  }
  t.ok(results.filter((r) => r.ok).length >= small + large + 3, 'every checkpoint, leaf and consistency proof the app gave holds in Go');
});
