/**
 * Cold start on a province-scale log: the server started as `npm start` would
 * (`node --import tsx src/main.ts`, DATA_DIR = the history's directory, AUTH=off), timed from
 * spawn to the first 200 of /readyz on loopback, with its resident memory then:
 *   - with snapshots: the normal restart, read models resumed from DATA_DIR/read-models.db;
 *   - without (first start): read-models.db removed, every read model folds the whole log.
 * Beside two baselines from the same run: Node + tsx + a bare fastify answering /readyz, and
 * Node + tsx + better-sqlite3 reading the file's last position.
 *
 *   npm run bench:cold-start -- [--file data/bench/…/events.db] [--events 10000000]
 *                               [--cases fresh,snapshots] [--runs 2] [--timeout 900] [--heap-mb N]
 *
 * Without --file it uses (and generates once, which takes a while)
 * data/bench/history-<events>-s1/events.db. The server writes read-models.db beside it: the
 * fresh case deletes it first, and its shutdown (SIGTERM) leaves the snapshots the restarts
 * use. If the fresh start never gets ready, the snapshots are made with the CLI's rebuild.
 * Every start stops by itself: SIGTERM once ready, or at the timeout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startUntilReady, type ReadyRun } from './history/server-process.js';
import { machine, mib, rate } from './history/measure.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    events: { type: 'string', default: '10000000' },
    cases: { type: 'string', default: 'fresh,snapshots' },
    runs: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '900' },
    'heap-mb': { type: 'string' },
  },
});
/** `--max-old-space-size` for the server (and the CLI); absent: Node's default, as `npm start`. */
const heapArgs = values['heap-mb'] === undefined ? [] : [`--max-old-space-size=${Number(values['heap-mb'])}`];
const events = Number(values.events);
const runs = Number(values.runs);
const timeoutMs = Number(values.timeout) * 1000;
const cases = new Set(values.cases.split(','));
const file = resolve(values.file ?? join('data', 'bench', `history-${events}-s1`, 'events.db'));
const dataDir = dirname(file);
if (!file.endsWith('/events.db')) throw new Error('--file must be a DATA_DIR/events.db: the server opens DATA_DIR/events.db');

if (!existsSync(file)) {
  if (values.file !== undefined) throw new Error(`${file} does not exist`);
  process.stderr.write(`no history at ${file}: generating ${rate(events)} events (this takes a while)\n`);
  const generated = spawnSync(process.execPath, ['--import', 'tsx', 'bench/generate-history.ts', '--events', String(events), '--seed', '1', '--out', file], { stdio: 'inherit' });
  if (generated.status !== 0) process.exit(1);
}

const readModels = join(dataDir, 'read-models.db');
const sizeOf = (path: string) => ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0), 0);
const baseEnv = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
const serverEnv = (port: number) => ({ ...baseEnv, DATA_DIR: dataDir, EVENT_STORE: 'embedded', AUTH: 'off', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' });
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Row {
  readonly label: string;
  readonly run: ReadyRun;
}
const rows: Row[] = [];

// Baselines.
const barePort = await freePort();
const bare = await startUntilReady({ args: ['--import', 'tsx', 'bench/history/bare-server.ts', String(barePort)], env: baseEnv, port: barePort, timeoutMs: 30_000 });
rows.push({ label: 'baseline: node + tsx + bare fastify /readyz', run: bare });
log(`bare fastify ready in ${fmtMs(bare.readyMs)}`);
const headStart = performance.now();
const headRun = spawnSync(process.execPath, ['--import', 'tsx', 'bench/history/head-position.ts', file], { env: baseEnv, encoding: 'utf8' });
const headMs = performance.now() - headStart;
const headAnswer = JSON.parse(headRun.stdout) as { head: number; queryMs: number };
log(`raw SQLite head ${rate(headAnswer.head)} in ${headMs.toFixed(0)} ms (open + query ${headAnswer.queryMs.toFixed(1)} ms)`);

let rebuildNote: string | undefined;
let snapshotsAt: string | undefined;
if (cases.has('fresh')) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(readModels + suffix, { force: true });
  log(`server, no snapshots: starting (stops itself after ${values.timeout} s)`);
  rows.push({ label: 'server, no snapshots (first start)', run: await serverRun() });
}
if (cases.has('snapshots')) {
  if (!hasSnapshots()) {
    log('no snapshots to restart from: making them with `npm run pipeline -- rebuild all`');
    const t0 = performance.now();
    const rebuilt = spawnSync(process.execPath, [...heapArgs, '--import', 'tsx', 'src/cli/main.ts', 'rebuild', 'all'], {
      env: { ...baseEnv, DATA_DIR: dataDir }, encoding: 'utf8', timeout: timeoutMs,
    });
    rebuildNote = `snapshots made by the CLI's rebuild all in ${((performance.now() - t0) / 1000).toFixed(0)} s (exit ${rebuilt.status ?? rebuilt.signal}): ${(rebuilt.stdout + rebuilt.stderr).trim().split('\n').slice(-4).join(' | ')}`;
    log(rebuildNote);
  }
  if (hasSnapshots()) {
    snapshotsAt = snapshotPositions().map((position) => rate(position ?? 0)).join(', ');
    log(`restarting from snapshots at positions ${snapshotsAt}`);
    for (let i = 1; i <= runs; i++) {
      log(`server, with snapshots #${i}: starting`);
      rows.push({ label: `server, with snapshots (restart) #${i}`, run: await serverRun() });
    }
  } else {
    rebuildNote = `${rebuildNote ?? ''}; still no snapshots: the restarts were not measured`;
  }
}
report();

async function serverRun(): Promise<ReadyRun> {
  const port = await freePort();
  const run = await startUntilReady({ args: [...heapArgs, '--import', 'tsx', 'src/main.ts'], env: serverEnv(port), port, timeoutMs, everyMs: 100 });
  log(`  ready ${fmtMs(run.readyMs)}, rss ${fmtMiB(run.rssMiB)}, peak ${fmtMiB(run.peakRssMiB)}, stop ${fmtMs(run.stopMs)}${run.failure ? `; ${run.failure}` : ''}`);
  return run;
}

/** The newest snapshot position of each projection, from the CLI's status (null: none). */
function snapshotPositions(): (number | null)[] {
  const status = spawnSync(process.execPath, [...heapArgs, '--import', 'tsx', 'src/cli/main.ts', 'status', '--json'], { env: { ...baseEnv, DATA_DIR: dataDir }, encoding: 'utf8' });
  if (status.status !== 0) return [null];
  const parsed = JSON.parse(status.stdout) as { projections: { snapshotPosition: number | null }[] };
  return parsed.projections.map((p) => p.snapshotPosition);
}

function hasSnapshots(): boolean {
  return snapshotPositions().every((position) => position !== null);
}

function report(): void {
  const lines = [
    `cold start, ${new Date().toISOString()}, ${machine()}; server heap ${values['heap-mb'] === undefined ? "Node's default" : `--max-old-space-size=${values['heap-mb']}`}`,
    `file ${file}: ${rate(headAnswer.head)} events, ${mib(sizeOf(file))}; read-models.db now ${mib(sizeOf(readModels))}`,
    `baseline: node + tsx + better-sqlite3 reading the last position: ${headMs.toFixed(0)} ms from spawn to exit (opening the file and the query: ${headAnswer.queryMs.toFixed(1)} ms)`,
    ...(rebuildNote ? [rebuildNote] : []),
    ...(snapshotsAt ? [`the restarts resumed from snapshots at positions ${snapshotsAt} (project-ledger, pipeline-statistics, compliance, batches)`] : []),
    '',
    `${'start'.padEnd(44)} ${'ready'.padStart(9)} ${'RSS then'.padStart(9)} ${'peak RSS'.padStart(9)} ${'× bare'.padStart(7)} ${'stop'.padStart(8)}`,
    ...rows.map(({ label, run }) => `${label.padEnd(44)} ${fmtMs(run.readyMs).padStart(9)} ${fmtMiB(run.rssMiB).padStart(9)} ${fmtMiB(run.peakRssMiB).padStart(9)} ${(run.readyMs !== undefined && bare.readyMs !== undefined ? `${(run.readyMs / bare.readyMs).toFixed(1)}x` : '-').padStart(7)} ${fmtMs(run.stopMs).padStart(8)}${run.failure ? `  ${run.failure}` : ''}`),
    '',
    ...rows.filter(({ label }) => label.startsWith('server')).map(({ label, run }) => `${label}: ${timeline(run)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const { label, run } of rows) {
    if (run.failure && run.stderrTail) process.stderr.write(`--- ${label} stderr (first and last lines) ---\n${run.stderrHead}\n…\n${run.stderrTail}\n`);
    if (run.failure) process.stderr.write(`--- ${label} last log lines ---\n${run.logTail.join('\n')}\n`);
  }
}

/** The log lines that mark the phases of a start, with their times. */
function timeline(run: ReadyRun): string {
  const marks = run.timeline.filter((entry) => /event store open|projection starting|projection caught up|Server listening|failed|stopped following|error|shutting down|lost the log/i.test(entry.msg));
  const shown = marks.map((entry) => `${entry.msg.replace(/^Server listening at .*/, 'listening')}${entry.detail ? ` ${entry.detail}` : ''} ${(entry.ms / 1000).toFixed(1)} s`);
  return [...shown, `ready ${fmtMs(run.readyMs)}`].join('; ');
}

function fmtMs(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

function fmtMiB(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(0)} MiB`;
}
