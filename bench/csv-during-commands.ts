/**
 * The whole-province ledger as CSV while commands arrive: the server (as `npm start` runs it,
 * AUTH=off) on a store of PROJECTS registered projects; commands (a Started milestone each, on
 * projects not started yet) are sent at a fixed rate, first with nothing else running (the
 * same-run baseline), then while whole-province CSV downloads run back to back on a thread of
 * the bench's own. Each CSV is checked: every seeded project once, no other row. Printed:
 * command answer p50/p99/max in both phases and their ratio (the goal: p99 during ≤ 2× idle),
 * and the CSVs' size, time and positions.
 *
 *   node --import tsx bench/csv-during-commands.ts [--projects 100000] [--rate 200] [--seconds 10]
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { freePort } from './history/server-process.js';
import { machine, sleep } from './history/measure.js';

const COUNTIES = ['410225', '410223', '410221', '410222', '410224', '131121', '131122', '131102'];

interface Answer { readonly status: number; readonly ms: number; readonly body: Buffer; readonly headers: Record<string, string | string[] | undefined> }
interface CsvRun { readonly ms: number; readonly bytes: number; readonly rows: number; readonly position: number; readonly ok: boolean }

function send(port: number, method: string, path: string, body?: object, accept = 'application/json'): Promise<Answer> {
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

/**
 * The downloading thread, plain JavaScript (a worker does not inherit the tsx loader): whole-
 * province CSVs back to back until told to stop, each checked, one message per download.
 */
const DOWNLOADER = `
const { request } = require('node:http');
const { parentPort, workerData: { port, projects } } = require('node:worker_threads');
let stopping = false;
parentPort.once('message', () => { stopping = true; });
const download = () => new Promise((resolve, reject) => {
  const started = performance.now();
  request({ host: '127.0.0.1', port, path: '/v1/projects', headers: { accept: 'text/csv' } }, (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const body = Buffer.concat(chunks);
      const lines = body.toString('utf8').split('\\r\\n').slice(1, -1);
      const ids = new Set(lines.map((line) => line.slice(0, line.indexOf(','))));
      const ok = res.statusCode === 200 && lines.length === projects && ids.size === projects;
      resolve({ ms: performance.now() - started, bytes: body.length, rows: lines.length, position: Number(res.headers['x-position']), ok });
    });
  }).on('error', reject).end();
});
(async () => {
  while (!stopping) parentPort.postMessage(await download());
  parentPort.close();
})();
`;

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

function summary(label: string, ms: readonly number[], failed: ReadonlyMap<number, number>): { readonly p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const errors = [...failed].map(([status, n]) => `${n}× ${status}`).join(', ') || 'none';
  console.log(`${label.padEnd(34)} ${String(sorted.length).padStart(6)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${p99.toFixed(1).padStart(8)} ${(sorted.at(-1) ?? NaN).toFixed(1).padStart(8)}   non-201: ${errors}`);
  return { p99 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    projects: { type: 'string', default: '100000' }, rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '10' },
  } });
  const projects = Number(values.projects);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);

  const dataDir = mkdtempSync(join(tmpdir(), 'csv-during-commands-'));
  const store = openEmbeddedStore({ path: join(dataDir, 'events.db') });
  const seedStarted = performance.now();
  for (let i = 0; i < projects; i++) {
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

  let nextProject = 0;
  /** Commands at `rate` per second for `seconds`, each on a project not started yet; their answer times. */
  const commandsAtRate = async (): Promise<{ ms: number[]; failed: Map<number, number> }> => {
    const ms: number[] = [];
    const failed = new Map<number, number>();
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let k = 0; k < rate * seconds; k++) {
      const wait = started + (k * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const id = `P${nextProject++ % projects}`;
      pending.push(send(port, 'POST', `/v1/projects/${id}/milestones`, { type: 'Started', occurredOn: '2025-03-02' }).then((answer) => {
        if (answer.status === 201) ms.push(answer.ms);
        else failed.set(answer.status, (failed.get(answer.status) ?? 0) + 1);
      }));
    }
    await Promise.all(pending);
    return { ms, failed };
  };

  try {
    const started = performance.now();
    while ((await send(port, 'GET', '/readyz').catch(() => ({ status: 0 }))).status !== 200) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      await sleep(200);
    }
    console.log(`CSV during commands, ${new Date().toISOString()}, ${machine()}`);
    console.log(`${projects.toLocaleString('en-US')} projects seeded in ${seededIn.toFixed(1)} s; server ready in ${((performance.now() - started) / 1000).toFixed(1)} s; ${rate} commands/s for ${seconds} s per phase\n`);
    await commandsAtRate(); // warm-up, not counted
    console.log(`${'phase'.padEnd(34)} ${'n'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`);
    const idle = await commandsAtRate();
    const baseline = summary('commands, idle (baseline)', idle.ms, idle.failed);

    const downloader = new Worker(DOWNLOADER, { eval: true, workerData: { port, projects } });
    downloader.on('error', (error) => console.error('the downloader failed:', error));
    const csvs: CsvRun[] = [];
    downloader.on('message', (run: CsvRun) => csvs.push(run));
    const downloadsEnded = new Promise((resolve) => downloader.once('exit', resolve));
    const during = await commandsAtRate();
    downloader.postMessage('stop');
    await downloadsEnded;
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
}

await main();
