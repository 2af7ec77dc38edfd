/**
 * The verifiable log's costs, each beside a same-run baseline (bench rules: read the ratios):
 *
 * 1. maintenance: embedded-store append throughput with the log's tree following it, against
 *    the same store without the tree, in the same run (1 appender × 1 event, 64 appenders × 1,
 *    1 appender × 100-event appends; synchronous=FULL). Target: the tree costs ≤ 10 %.
 * 2. storage: bytes of the tree file per event, beside the events table's own bytes per event.
 *    Target ≤ 80 bytes per event.
 * 3. an inclusion proof at 10M leaves (a tree file of 10M synthetic leaves: the tree's shape,
 *    not its content, decides the cost), beside a point read of one row from the same file by
 *    its key. Target ≤ 5 ms.
 *
 *   node --import tsx bench/log-tree.ts            SECONDS=2 per round, ROUNDS=5, LEAVES=10000000
 *   PART=appends|storage|proofs                    one part only
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore, type Synchronous } from '../src/event-store/embedded/sqlite-store.js';
import { LogTree } from '../src/log-tree/log-tree.js';
import { leafHash, verifyInclusion, inclusionProof } from '../src/log-tree/merkle.js';
import { generateSigner } from '../src/log-tree/signed-note.js';
import { TreeFile } from '../src/log-tree/tree-file.js';

const SECONDS = Number(process.env['SECONDS'] ?? 2);
const LEAVES = Number(process.env['LEAVES'] ?? 10_000_000);
const PART = process.env['PART'];
const dir = mkdtempSync(join(tmpdir(), 'bench-log-tree-'));
let fileNo = 0;
const freshDir = () => join(dir, `run-${fileNo++}`);
const signer = generateSigner('bench.example/log');

const data = { projectId: 'ZQ-2025-0017', occurredOn: '2025-03-31', period: '2025-03', amount: 1_234_500 };
const metadata = {
  actor: { keyId: 'k-131121-01', role: 'bureau', regions: ['131121'] },
  correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1,
  prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
};

type TreeMode = 'none' | 'in-process' | 'worker';

async function appends(synchronous: Synchronous, appenders: number, batch: number, tree: TreeMode): Promise<{ rate: number; lagged: number }> {
  const runDir = freshDir();
  const store = openEmbeddedStore({ path: join(runDir, 'events.db'), synchronous });
  const treePath = join(runDir, 'log-tree.db');
  const follower = tree === 'none' ? undefined : new LogTree({
    store, path: treePath, origin: 'bench.example/log', signers: [signer],
    ...(tree === 'worker' ? { eventsPath: join(runDir, 'events.db') } : {}),
  });
  await follower?.start();
  const events = Array.from({ length: batch }, () => ({ type: 'InvestmentReported', data, metadata }));
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: appenders }, async (_, a) => {
    let expected: number | 'no_stream' = 'no_stream';
    while (performance.now() < deadline) {
      const result = await store.appendToStream(`project-${a}`, events, { expectedRevision: expected });
      expected = result.nextRevision;
      n += batch;
    }
  }));
  const rate = n / ((performance.now() - started) / 1000);
  // How far the tree was behind when the appends stopped (it catches up after).
  const lagged = follower === undefined ? 0 : n - follower.size;
  if (follower !== undefined) await follower.waitFor(await store.headPosition(), 60_000);
  await follower?.stop();
  await store.close();
  return { rate, lagged };
}

/**
 * On a shared machine the baseline drifts between runs by more than the effect measured, so
 * the store alone and the store with the tree run in alternating rounds (ROUNDS each), and
 * the ratio reported is the median of the per-pair ratios.
 */
async function appendPart(): Promise<void> {
  const rounds = Number(process.env['ROUNDS'] ?? 5);
  const fmt = (rate: number) => `${Math.round(rate).toLocaleString('en-US').padStart(9)} ev/s`;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  console.log(`1. append throughput, FULL, ${rounds} alternating rounds of ${SECONDS}s per mode (${new Date().toISOString()}, node ${process.version})`);
  for (const [appenders, batch] of [[1, 1], [64, 1], [1, 100]] as const) {
    const bare: number[] = [];
    const worker: number[] = [];
    const ratios: number[] = [];
    let lagged = 0;
    for (let round = 0; round < rounds; round += 1) {
      const alone = await appends('FULL', appenders, batch, 'none');
      const withTree = await appends('FULL', appenders, batch, 'worker');
      bare.push(alone.rate);
      worker.push(withTree.rate);
      ratios.push(withTree.rate / alone.rate);
      lagged = Math.max(lagged, withTree.lagged);
    }
    const inProcess = await appends('FULL', appenders, batch, 'in-process');
    console.log(`  ${appenders} appender(s) x ${batch}: store alone median ${fmt(median(bare))}; with the tree in a worker ${fmt(median(worker))}; ` +
      `median ratio ${median(ratios).toFixed(2)}x (per round ${ratios.map((r) => r.toFixed(2)).join(' ')}), at most ${lagged} events behind when the appends stopped; ` +
      `tree in-process (KurrentDB's mode, for reference) ${fmt(inProcess.rate)} = ${(inProcess.rate / median(bare)).toFixed(2)}x`);
  }
}

async function storagePart(): Promise<void> {
  const runDir = freshDir();
  const store = openEmbeddedStore({ path: join(runDir, 'events.db'), synchronous: 'NORMAL' });
  const tree = new LogTree({ store, path: join(runDir, 'log-tree.db'), origin: 'bench.example/log', signers: [signer] });
  await tree.start();
  const total = 200_000;
  const events = Array.from({ length: 100 }, () => ({ type: 'InvestmentReported', data, metadata }));
  for (let i = 0; i < total / 100; i += 1) await store.appendToStream(`project-${i % 500}`, events);
  await tree.waitFor(await store.headPosition(), 60_000);
  const treeBytes = tree.tree.bytes();
  await tree.stop();
  // Rebuilding the tree from the log (a deleted tree file, a new replica): the worker's rate,
  // beside a raw read and JSON.parse of the same rows in the same run.
  const rebuiltAt = performance.now();
  const rebuilt = new LogTree({ store, path: join(runDir, 'rebuilt-tree.db'), origin: 'bench.example/log', signers: [signer], eventsPath: join(runDir, 'events.db') });
  await rebuilt.start();
  await rebuilt.waitFor(await store.headPosition(), 600_000);
  const rebuildRate = total / ((performance.now() - rebuiltAt) / 1000);
  if (rebuilt.size !== total) throw new Error(`the rebuilt tree has ${rebuilt.size} leaves, not ${total}: ${rebuilt.problem ?? ''}`);
  await rebuilt.stop();
  const raw = new Database(join(runDir, 'events.db'), { readonly: true });
  const rawAt = performance.now();
  const page = raw.prepare<[number], [number, string, string]>('SELECT position, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT 4096').raw(true);
  for (let after = 0; ;) {
    const rows = page.all(after);
    for (const row of rows) { JSON.parse(row[1]); JSON.parse(row[2]); }
    const last = rows.at(-1);
    if (last === undefined) break;
    after = last[0];
  }
  const rawRate = total / ((performance.now() - rawAt) / 1000);
  raw.close();
  const rebuildLine = (`   rebuilding the tree from the log in the worker: ${Math.round(rebuildRate).toLocaleString('en-US')} events/s ` +
    `(worker start included), ${(rebuildRate / rawRate).toFixed(2)}x a raw read + JSON.parse of the log (${Math.round(rawRate).toLocaleString('en-US')}/s)`);
  await store.close();
  const eventsDb = new Database(join(runDir, 'events.db'));
  const eventBytes = Number(eventsDb.pragma('page_count', { simple: true })) * Number(eventsDb.pragma('page_size', { simple: true }));
  eventsDb.close();
  console.log(`2. storage after ${total.toLocaleString('en-US')} events: tree file ${(treeBytes / total).toFixed(1)} bytes/event ` +
    `(${(treeBytes / 2 ** 20).toFixed(1)} MiB); the events themselves ${(eventBytes / total).toFixed(1)} bytes/event; ` +
    `the tree adds ${(100 * treeBytes / eventBytes).toFixed(1)} %`);
  // KurrentDB's positions are byte offsets in its log: no two leaves share a run of positions.
  const sparse = new Database(join(runDir, 'sparse-tree.db'));
  sparse.pragma('journal_mode = WAL');
  const file = new TreeFile(sparse);
  for (let from = 0; from < total; from += 4096) {
    file.append(Array.from({ length: Math.min(4096, total - from) }, (_, i) => ({ position: (from + i + 1) * 613, hash: leafHash(`leaf ${from + i}`) })));
  }
  sparse.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`   with KurrentDB-like positions (a run per leaf): ${(file.bytes() / total).toFixed(1)} bytes/event`);
  console.log(rebuildLine);
  sparse.close();
}

async function proofPart(): Promise<void> {
  const path = join(freshDir() + '.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const file = new TreeFile(db);
  const built = performance.now();
  const chunk = 65_536;
  const position = { next: 1 };
  for (let from = 0; from < LEAVES; from += chunk) {
    const leaves = Array.from({ length: Math.min(chunk, LEAVES - from) }, (_, i) => ({ position: position.next + i, hash: leafHash(`leaf ${from + i}`) }));
    position.next += leaves.length;
    file.append(leaves);
  }
  const buildSeconds = (performance.now() - built) / 1000;
  db.close();
  // A fresh connection and file object, as a server after a restart: nothing cached.
  const reader = new Database(path);
  const tree = new TreeFile(reader);
  const size = tree.size;
  const root = tree.root(size);
  const point = reader.prepare<[number], { hashes: Buffer }>('SELECT hashes FROM tree_tiles WHERE id = ?');
  const samples = 2000;
  const proofTimes: number[] = [];
  const pointTimes: number[] = [];
  let seed = 12345;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  for (let i = 0; i < samples; i += 1) {
    const index = Math.floor(random() * size);
    let started = performance.now();
    const proof = inclusionProof(tree, index, size);
    proofTimes.push(performance.now() - started);
    if (i < 50 && !verifyInclusion(index, size, leafHash(`leaf ${index}`), proof, root)) throw new Error(`proof ${index} fails`);
    started = performance.now();
    point.get(Math.floor(random() * (size / 256)));
    pointTimes.push(performance.now() - started);
  }
  reader.close();
  const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
  console.log(`3. inclusion proofs at ${size.toLocaleString('en-US')} leaves (tree built in ${buildSeconds.toFixed(1)} s, ` +
    `${(statSync(path).size / size).toFixed(1)} bytes/leaf), ${samples} random leaves, cold file:`);
  console.log(`   proof p50 ${pct(proofTimes, 0.5).toFixed(3)} ms, p99 ${pct(proofTimes, 0.99).toFixed(3)} ms, max ${pct(proofTimes, 1).toFixed(3)} ms; ` +
    `baseline point read of one tile row p50 ${pct(pointTimes, 0.5).toFixed(3)} ms, p99 ${pct(pointTimes, 0.99).toFixed(3)} ms`);
}

if (PART === undefined || PART === 'appends') await appendPart();
if (PART === undefined || PART === 'storage') await storagePart();
if (PART === undefined || PART === 'proofs') await proofPart();
rmSync(dir, { recursive: true, force: true });
