/**
 * Rebuild speed of the read models on a generated province history, beside the machine's own
 * baseline from the same run: better-sqlite3 iterating the same file.
 *
 *   npm run bench:rebuild -- [--file data/bench/…/events.db] [--max-seconds 180] [--only <measure>]
 *
 * Without --file it uses (and generates once, ~1.5M events) data/bench/history-1500000-s1.
 * Measures, each stopping by itself at --max-seconds (then marked partial):
 *   raw            SELECT * FROM events ORDER BY position, iterated, nothing parsed
 *   raw-parse      the same, JSON.parse of data and metadata (the baseline the ratios use)
 *   raw-parse-data the same, JSON.parse of data only (what leaving metadata unparsed would give)
 *   read-all       store.readAll in pages of 2,048 (the subscription's page)
 *   subscribe      store.subscribeToAll from the start, to the head, doing nothing per event
 *   evolve:<name>  one read model's evolve alone (as a Projection with facts of its own), over
 *                  pages already read and parsed
 *   evolve:all     the four over shared facts (what the server folds), the same way
 *   runner:<name>  ProjectionRunner of one read model alone from scratch until caught up, with a
 *                  feed of its own (snapshot every 100,000 events), with the time its snapshots took
 *   read-models    ReadModels from scratch with the server's defaults (the four over shared
 *                  facts, one runner, its snapshot policy): the server's first start
 *   read-models-no-history     the same runner without the read side's history (the server always keeps one)
 *   read-models-no-snapshots   the same with no periodic snapshot (only the one on catching up)
 *   cli:all        the CLI's rebuild all (ReadModels, snapshot every head ÷ 8)
 *   shared-fold    one read of the log folded into the four over shared facts, no runner: the floor
 * Rates are events of the log per second, by wall clock and by this process's CPU time, and
 * their ratio to raw-parse measured just before each measure over the first 300,000 rows (the
 * machine's speed drifts by tens of percent between minutes, CPU time included: compare ratios).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import type { RecordedEvent } from '../src/event-store/port.js';
import { PROJECTIONS, allReadModels, type Projection } from '../projections/index.js';
import { ProjectionRunner } from '../projections/runner/projection-runner.js';
import { PROJECTION_NAMES, ReadModels, type ProjectionName } from '../projections/runner/read-models.js';
import { openSnapshotStore, type SnapshotStore } from '../projections/runner/snapshot-store.js';
import { rebuild } from '../src/cli/rebuild.js';
import { machine, measure, mib, perCpuSecond, perWallSecond, rate, type Measured } from './history/measure.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    'max-seconds': { type: 'string', default: '180' },
    only: { type: 'string', multiple: true },
  },
});
const maxSeconds = Number(values['max-seconds']);
const only = values.only;
const selected = (key: string) => only === undefined || only.some((prefix) => key === prefix || key.startsWith(`${prefix}:`));
/** Whether to run a measure; when so, its paired baseline is taken first. */
const wanted = async (key: string) => {
  if (!selected(key)) return false;
  await pairBaseline();
  return true;
};

const file = resolve(values.file ?? join('data', 'bench', 'history-1500000-s1', 'events.db'));
if (!existsSync(file)) {
  if (values.file !== undefined) throw new Error(`${file} does not exist`);
  process.stderr.write(`no history at ${file}: generating 1,500,000 events (a few minutes)\n`);
  const generated = spawnSync(process.execPath, ['--import', 'tsx', 'bench/generate-history.ts', '--events', '1500000', '--seed', '1', '--out', file], { stdio: 'inherit' });
  if (generated.status !== 0) process.exit(1);
}

const PAGE = 2048;
const scratch = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
let scratchNo = 0;
const freshSnapshots = () => openSnapshotStore(join(scratch, `read-models-${scratchNo++}.db`));
const store = openEmbeddedStore({ path: file });
const head = await store.headPosition();
const bytes = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(file + suffix) ? statSync(file + suffix).size : 0), 0);
const deadline = () => performance.now() + maxSeconds * 1000;

interface Row {
  readonly key: string;
  readonly label: string;
  readonly measured: Measured;
  /** raw-parse over the first rows of the file, taken just before: the paired baseline. */
  readonly paired: number;
  readonly note?: string;
}
const rows: Row[] = [];
let paired = 0;
const record = (key: string, label: string, measured: Measured, note?: string) => {
  rows.push({ key, label, measured, paired, ...(note === undefined ? {} : { note }) });
  process.stderr.write(`  ${label.padEnd(46)} ${rate(perWallSecond(measured)).padStart(11)} ev/s wall ${rate(perCpuSecond(measured)).padStart(11)} ev/s CPU${measured.partial ? ' (partial)' : ''}${note ? `  ${note}` : ''}\n`);
};

// Warm the OS page cache once, so that no measure pays for the first read of the file.
const raw = new Database(file, { readonly: true });
raw.prepare('SELECT count(*), sum(length(data) + length(metadata)) FROM events').get();

/**
 * This machine's speed drifts by tens of percent from minute to minute (other VMs on the host),
 * CPU time included; so each measure is paired with raw-parse over the first 300,000 rows
 * taken just before it, and its ratio to that is the figure to compare.
 */
const PAIRED_ROWS = 300_000;
const pairedStatement = raw.prepare<[number], { data: string; metadata: string }>('SELECT * FROM events ORDER BY position LIMIT ?');
async function pairBaseline(): Promise<void> {
  const m = await measure(async () => {
    let n = 0;
    for (const row of pairedStatement.iterate(PAIRED_ROWS)) {
      if (JSON.parse(row.data) !== null && JSON.parse(row.metadata) !== null) n += 1;
    }
    return { units: n };
  });
  paired = perCpuSecond(m);
}

if (await wanted('raw')) {
  record('raw', 'raw SQLite iterate, no parse', await measure(async () => {
    const stop = deadline();
    let n = 0;
    let chars = 0;
    for (const row of raw.prepare<[], { data: string; metadata: string }>('SELECT * FROM events ORDER BY position').iterate()) {
      chars += row.data.length + row.metadata.length;
      if (++n % 65_536 === 0 && performance.now() > stop) return { units: n, partial: true };
    }
    if (chars < 0) throw new Error('unreachable');
    return { units: n };
  }));
}

if (await wanted('raw-parse')) {
  record('raw-parse', 'raw SQLite iterate + JSON.parse data, metadata', await measure(async () => {
    const stop = deadline();
    let n = 0;
    let parsed = 0;
    for (const row of raw.prepare<[], { data: string; metadata: string }>('SELECT * FROM events ORDER BY position').iterate()) {
      const data: unknown = JSON.parse(row.data);
      const metadata: unknown = JSON.parse(row.metadata);
      if (data !== null && metadata !== null) parsed += 1;
      if (++n % 65_536 === 0 && performance.now() > stop) return { units: n, partial: true };
    }
    if (parsed !== n) throw new Error('a row did not parse to an object');
    return { units: n };
  }));
}
if (await wanted('raw-parse-data')) {
  record('raw-parse-data', 'raw SQLite iterate + JSON.parse data only', await measure(async () => {
    const stop = deadline();
    let n = 0;
    let parsed = 0;
    for (const row of raw.prepare<[], { data: string }>('SELECT * FROM events ORDER BY position').iterate()) {
      const data: unknown = JSON.parse(row.data);
      if (data !== null) parsed += 1;
      if (++n % 65_536 === 0 && performance.now() > stop) return { units: n, partial: true };
    }
    if (parsed !== n) throw new Error('a row did not parse to an object');
    return { units: n };
  }));
}
if (await wanted('read-all')) {
  record('read-all', `store.readAll, pages of ${PAGE}`, await measure(async () => {
    const stop = deadline();
    let n = 0;
    for (let from = 1; ; ) {
      const page = await store.readAll({ fromPosition: from, maxCount: PAGE });
      n += page.length;
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return { units: n };
      from = last.position + 1;
      if (performance.now() > stop) return { units: n, partial: true };
    }
  }));
}

if (await wanted('subscribe')) {
  record('subscribe', 'store.subscribeToAll, catch-up to the head', await measure(async () => {
    const stop = deadline();
    const subscription = store.subscribeToAll();
    let n = 0;
    for await (const event of subscription) {
      n += 1;
      if (event.position >= head) break;
      if (n % 65_536 === 0 && performance.now() > stop) {
        await subscription.close();
        return { units: n, partial: true };
      }
    }
    await subscription.close();
    return { units: n };
  }));
}

for (const name of PROJECTION_NAMES) {
  if (await wanted(`evolve:${name}`)) await evolveOnly(name);
}
if (await wanted('evolve:all')) await evolveOnly('all');
for (const name of PROJECTION_NAMES) {
  if (await wanted(`runner:${name}`)) await runnerFromScratch(name);
}
if (await wanted('cli:all')) {
  const snapshots = freshSnapshots();
  record('cli:all', 'CLI rebuild all (one feed, snapshot every head ÷ 8)', await measure(async () => {
    const result = await rebuild('all', { store, snapshots, progress: 'off', logger: { info: () => undefined, error: () => undefined } });
    return { units: result.position };
  }));
  snapshots.close();
  collectGarbage();
}
if (await wanted('read-models')) await readModelsFromScratch('read-models', undefined, true);
if (await wanted('read-models-no-history')) await readModelsFromScratch('read-models-no-history', undefined, false);
if (await wanted('read-models-no-snapshots')) await readModelsFromScratch('read-models-no-snapshots', Number.MAX_SAFE_INTEGER, true);
if (await wanted('shared-fold')) await sharedFold();

raw.close();
await store.close();
rmSync(scratch, { recursive: true, force: true });
report();

/** The projection's evolve alone: pages are read and parsed outside the timed part. */
async function evolveOnly<K extends ProjectionName>(name: K | 'all'): Promise<void> {
  const projection = (name === 'all' ? allReadModels : PROJECTIONS[name]) as Projection<unknown>;
  const handles = new Set(projection.handles);
  let state = projection.initialState();
  let n = 0;
  let evolveMs = 0;
  const stop = deadline();
  const cpu = { user: 0, system: 0 };
  for (let from = 1; ; ) {
    const page = await store.readAll({ fromPosition: from, maxCount: 16_384 });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const event of page) if (handles.has(event.type)) state = projection.evolve(state, event);
    const c = process.cpuUsage(c0);
    cpu.user += c.user;
    cpu.system += c.system;
    evolveMs += performance.now() - t0;
    n += page.length;
    const last = page.at(-1);
    if (page.length < 16_384 || last === undefined || performance.now() > stop) break;
    from = last.position + 1;
  }
  record(`evolve:${name}`, name === 'all' ? 'evolve only, the four over shared facts' : `evolve only, ${name} (facts of its own)`, { units: n, wallSeconds: evolveMs / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, partial: n < head });
  if (state === undefined) throw new Error('unreachable');
  collectGarbage();
}

interface SnapshotTiming {
  serialiseMs: number;
  saveMs: number;
  saves: number;
  bytes: number;
}

/** The projection with its snapshot's size counted (serialising is lazy: it is timed inside the save). */
function timedProjection<State>(projection: Projection<State>, timing: SnapshotTiming): Projection<State> {
  return {
    ...projection,
    serialise: function* (state) {
      timing.bytes = 0;
      for (const chunk of projection.serialise(state)) {
        timing.bytes += chunk.length;
        yield chunk;
      }
    },
  };
}

function timedSaves(snapshots: SnapshotStore, timing: SnapshotTiming): SnapshotStore {
  return {
    ...snapshots,
    latest: (...args) => snapshots.latest(...args),
    prune: (...args) => snapshots.prune(...args),
    close: () => snapshots.close(),
    save: (projection, version, snapshot) => {
      const t0 = performance.now();
      const saved = snapshots.save(projection, version, snapshot);
      timing.saveMs += performance.now() - t0;
      timing.saves += 1;
      timing.bytes = saved.bytes;
      return saved;
    },
    begin: (projection, version, position, recordedAt) => {
      const t0 = performance.now();
      const writer = snapshots.begin(projection, version, position, recordedAt);
      return {
        write: (chunk) => writer.write(chunk),
        abort: () => writer.abort(),
        commit: () => {
          const saved = writer.commit();
          timing.saveMs += performance.now() - t0; // wall time from begin, the turns it let others run included
          timing.saves += 1;
          timing.bytes = saved.bytes;
          return saved;
        },
      };
    },
  };
}

interface Started {
  readonly position: () => number;
  readonly caughtUp: (ms: number) => Promise<boolean>;
  readonly stop: () => Promise<void>;
}

function startRunner<K extends ProjectionName>(name: K, snapshots: SnapshotStore, timing: SnapshotTiming): Started {
  const runner = new ProjectionRunner({ store, projection: timedProjection(PROJECTIONS[name], timing), snapshots: timedSaves(snapshots, timing) });
  const started = runner.start();
  return {
    position: () => runner.position,
    caughtUp: async (ms) => { await started; return runner.caughtUp(ms); },
    stop: () => runner.stop(),
  };
}

async function untilCaughtUp(runners: readonly Started[]): Promise<{ units: number; partial: boolean }> {
  const reached = await Promise.all(runners.map((r) => r.caughtUp(maxSeconds * 1000)));
  return { units: Math.min(...runners.map((r) => r.position())), partial: !reached.every(Boolean) };
}

function snapshotNote(timing: SnapshotTiming): string {
  return `snapshots: ${timing.saves} × ${(timing.saveMs / Math.max(1, timing.saves)).toFixed(0)} ms (serialise and save), last ${mib(timing.bytes)}`;
}

async function runnerFromScratch<K extends ProjectionName>(name: K): Promise<void> {
  const snapshots = freshSnapshots();
  const timing: SnapshotTiming = { serialiseMs: 0, saveMs: 0, saves: 0, bytes: 0 };
  let runner: Started | undefined;
  const measured = await measure(async () => {
    runner = startRunner(name, snapshots, timing);
    return untilCaughtUp([runner]);
  });
  await runner?.stop();
  snapshots.close();
  record(`runner:${name}`, `runner from scratch, ${name}`, measured, snapshotNote(timing));
  collectGarbage();
}

/** The history file's size: what the fold wrote beside the snapshots. */
function statHistory(dir: string): void {
  const path = join(dir, 'statistics-history.db');
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) if (existsSync(file)) bytes += statSync(file).size;
  console.log(`  the read side's history: ${mib(bytes)}`);
}

/** ReadModels from an empty read-model file, as the server's first start runs them (its defaults, unless told). */
async function readModelsFromScratch(key: string, snapshotEvery: number | undefined, history: boolean): Promise<void> {
  const snapshots = freshSnapshots();
  const timing: SnapshotTiming = { serialiseMs: 0, saveMs: 0, saves: 0, bytes: 0 };
  // The read side's history in a file of its own, as the server keeps it beside read-models.db.
  const historyDir = mkdtempSync(join(tmpdir(), 'rebuild-history-'));
  const folding = history
    ? new ReadModels({
      store, snapshots: timedSaves(snapshots, timing), ...(snapshotEvery === undefined ? {} : { snapshotEvery }),
      history: { path: join(historyDir, 'statistics-history.db') },
    })
    // The same runner and projection, told no history.
    : new ProjectionRunner({ store, projection: allReadModels, snapshots: timedSaves(snapshots, timing), ...(snapshotEvery === undefined ? {} : { snapshotEvery }) });
  const measured = await measure(async () => {
    await folding.start();
    const reached = await folding.caughtUp(maxSeconds * 1000);
    return { units: folding.position, partial: !reached };
  });
  const during = { ...timing };
  await folding.stop();
  if (history) statHistory(historyDir);
  rmSync(historyDir, { recursive: true, force: true });
  const label = (snapshotEvery === undefined ? 'ReadModels from scratch (server first start)' : 'ReadModels from scratch, no periodic snapshot')
    + (history ? '' : ', no history');
  record(key, label, measured, during.saves === 0 ? 'no snapshot while catching up' : `snapshots: ${during.saves} saves, SQLite ${(during.saveMs / 1000).toFixed(1)} s (+ serialising each state)`);
  collectGarbage();
}

/** One read of the log folded into the four read models over shared facts: the cost without a runner. */
async function sharedFold(): Promise<void> {
  const folds = [folder(allReadModels)];
  record('shared-fold', 'one read, the four over shared facts, no runner', await measure(async () => {
    const stop = deadline();
    let n = 0;
    for (let from = 1; ; ) {
      const page = await store.readAll({ fromPosition: from, maxCount: PAGE });
      for (const event of page) for (const fold of folds) fold(event);
      n += page.length;
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return { units: n };
      if (performance.now() > stop) return { units: n, partial: true };
      from = last.position + 1;
    }
  }));
  collectGarbage();
}

function folderOf<K extends ProjectionName>(name: K): (event: RecordedEvent) => void {
  return folder(PROJECTIONS[name]);
}

function folder<State>(projection: Projection<State>): (event: RecordedEvent) => void {
  const handles = new Set(projection.handles);
  let state = projection.initialState();
  return (event) => {
    if (handles.has(event.type)) state = projection.evolve(state, event);
  };
}

function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

function report(): void {
  const baseline = rows.find((row) => row.key === 'raw-parse')?.measured;
  const lines = [
    `rebuild benchmark, ${new Date().toISOString()}, ${machine()}`,
    `file ${file}: ${rate(head)} events, ${mib(bytes)}; each measure stops by itself after ${maxSeconds} s`,
    '',
    `${'measure'.padEnd(50)} ${'ev/s wall'.padStart(10)} ${'ev/s CPU'.padStart(10)} ${'paired raw-parse'.padStart(16)} ${'× paired'.padStart(8)} ${'× raw-parse'.padStart(11)}`,
    ...rows.map((row) => {
      const cpu = perCpuSecond(row.measured);
      const ratio = baseline ? (cpu / perCpuSecond(baseline)).toFixed(2) : '-';
      return `${row.label.padEnd(50)} ${rate(perWallSecond(row.measured)).padStart(10)} ${rate(cpu).padStart(10)} ${rate(row.paired).padStart(16)} ${(cpu / row.paired).toFixed(2).padStart(8)} ${ratio.padStart(11)}${row.measured.partial ? '  partial' : ''}${row.note ? `  ${row.note}` : ''}`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

