/**
 * The whole-province ledger as CSV while commands arrive: the server (as `npm start` runs it,
 * AUTH=off) on a store of PROJECTS registered projects; commands (a Started milestone each, on
 * projects not started yet) are sent at a fixed rate, first with nothing else running (the
 * same-run baseline), then while whole-province CSV downloads run back to back. Each CSV is
 * checked: every seeded project once, no other row. Printed: command answer p50/p99/max in
 * both phases and their ratio (the goal: p99 during ≤ 2× idle), and the CSVs' size and time.
 *
 *   node --import tsx bench/csv-during-commands.ts [--projects 100000] [--rate 200] [--seconds 15]
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { freePort } from './history/server-process.js';
import { machine, sleep } from './history/measure.js';

const { values } = parseArgs({ options: {
  projects: { type: 'string', default: '100000' }, rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '15' },
} });
const PROJECTS = Number(values.projects);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const COUNTIES = ['410225', '410223', '410221', '410222', '410224', '131121', '131122', '131102'];

const dataDir = mkdtempSync(join(tmpdir(), 'csv-during-commands-'));
const store = openEmbeddedStore({ path: join(dataDir, 'events.db') });
const seedStarted = performance.now();
for (let i = 0; i < PROJECTS; i++) {
  await store.appendToStream(`project-P${i}`, [{ type: 'ProjectRegistered', data: {
    projectId: `P${i}`, name: `项目${i}，第${i % 7}期`, regionCode: COUNTIES[i % COUNTIES.length] as string, industry: 'C', category: 'industrial',
    origin: 'local', plannedInvestment: 100_000 + i, occurredOn: '2025-01-06',
  } }]);
}
await store.close();
const seededIn = (performance.now() - seedStarted) / 1000;

const port = await freePort();
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: {
    PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', DATA_DIR: dataDir, AUTH: 'off', HOST: '127.0.0.1', PORT: String(port),
    LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '10000000',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

interface Answer { readonly status: number; readonly ms: number; readonly body: Buffer; readonly headers: Record<string, string | string[] | undefined> }

function send(method: string, path: string, body?: object, accept = 'application/json'): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ host: '127.0.0.1', port, path, method, headers: {
      accept, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length }),
    } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

let nextProject = 0;
/** Commands at RATE per second for SECONDS, each on a project not started yet; their answer times. */
async function commandsAtRate(): Promise<{ ms: number[]; failed: Map<number, number> }> {
  const ms: number[] = [];
  const failed = new Map<number, number>();
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let k = 0; k < RATE * SECONDS; k++) {
    const due = started + (k * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `P${nextProject++ % PROJECTS}`;
    pending.push(send('POST', `/v1/projects/${id}/milestones`, { type: 'Started', occurredOn: '2025-03-02' }).then((answer) => {
      if (answer.status === 201) ms.push(answer.ms);
      else failed.set(answer.status, (failed.get(answer.status) ?? 0) + 1);
    }));
  }
  await Promise.all(pending);
  return { ms, failed };
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
function summary(label: string, ms: readonly number[], failed: Map<number, number>): { p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const errors = [...failed].map(([status, n]) => `${n}× ${status}`).join(', ') || 'none';
  console.log(`${label.padEnd(34)} ${String(sorted.length).padStart(6)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(8)}   non-201: ${errors}`);
  return { p99 };
}

try {
  const started = performance.now();
  while ((await send('GET', '/readyz').catch(() => ({ status: 0 }))).status !== 200) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    await sleep(200);
  }
  console.log(`CSV during commands, ${new Date().toISOString()}, ${machine()}`);
  console.log(`${PROJECTS.toLocaleString('en-US')} projects seeded in ${seededIn.toFixed(1)} s; server ready in ${((performance.now() - started) / 1000).toFixed(1)} s; ${RATE} commands/s for ${SECONDS} s per phase\n`);
  await commandsAtRate(); // warm-up, not counted
  console.log(`${'phase'.padEnd(34)} ${'n'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
  const idle = await commandsAtRate();
  const baseline = summary('commands, idle (baseline)', idle.ms, idle.failed);

  let downloading = true;
  const csvs: { ms: number; bytes: number; rows: number; position: number; ok: boolean }[] = [];
  const downloads = (async () => {
    while (downloading) {
      const answer = await send('GET', '/v1/projects', undefined, 'text/csv');
      const lines = answer.body.toString('utf8').split('\r\n').slice(1, -1);
      const ids = new Set(lines.map((line) => line.slice(0, line.indexOf(','))));
      const ok = answer.status === 200 && lines.length === PROJECTS && ids.size === PROJECTS;
      csvs.push({ ms: answer.ms, bytes: answer.body.length, rows: lines.length, position: Number(answer.headers['x-position']), ok });
    }
  })();
  const during = await commandsAtRate();
  downloading = false;
  await downloads;
  const loaded = summary('commands, during CSV downloads', during.ms, during.failed);
  console.log(`\np99 during ÷ p99 idle: ${(loaded.p99 / baseline.p99).toFixed(2)}× (goal ≤ 2×)`);
  const mean = csvs.reduce((sum, csv) => sum + csv.ms, 0) / Math.max(1, csvs.length);
  console.log(`${csvs.length} whole-province CSVs (${((csvs[0]?.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB each), ${(mean / 1000).toFixed(2)} s each on average; `
    + `every project once in each: ${csvs.every((csv) => csv.ok) ? 'yes' : `NO (${csvs.filter((csv) => !csv.ok).length} wrong)`}; positions ${csvs.map((csv) => csv.position).join(', ')}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
