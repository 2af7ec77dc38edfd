/**
 * Writes a realistic province-scale history into an embedded store file, through the store's
 * API and the real deciders (bench/history/*): the counties of a few 河南 cities, projects
 * registered over several years with heavy-tailed sizes, DOMAIN.md's conversion rates,
 * monthly investment reports, funds, stalls, withdrawals, annual targets and 集中开工 batches.
 *
 *   npm run bench:generate -- --events 10000000 [--seed 1] [--out data/bench/…/events.db]
 *                             [--from 2019-01-01] [--to 2026-10-31] [--counties N] [--force]
 *
 * It stops at exactly `--events` events (the registration rate is calibrated by a dry run of
 * a few thousand projects so that the span is nearly used up). Deterministic for a seed: ids,
 * dates and record times all come from the seeded stream and the simulated clock.
 *
 * Durability: the file is written with `synchronous: 'NORMAL'` (a crash of the machine may
 * lose the last commits; a crash of the process loses nothing committed). That is fine for
 * generated data and much faster than the server's default FULL: a lost run is rerun.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { applyStoreSchema } from '../migrations/store/apply.js';
import { createProgress, formatCount, formatDuration, progressModeFor } from '../src/cli/progress.js';
import { dateOf, dayOf } from './history/calendar.js';
import { seeded } from './history/random.js';
import { provinceCountyCount } from './history/regions.js';
import { simulate } from './history/simulation.js';
import { HistoryWriter } from './history/writer.js';

export interface GenerateOptions {
  readonly events: number;
  readonly seed: number;
  readonly out: string;
  readonly from: string;
  readonly to: string;
  readonly counties?: number;
  /** Progress lines on a pipe (the default is a bar on a terminal only). */
  readonly log?: (line: string) => void;
  /** false: no progress at all (a test); default: a bar on a terminal, a line every 10 s on a pipe. */
  readonly progress?: boolean;
}

export interface GenerateSummary {
  readonly events: number;
  readonly projects: number;
  readonly counties: number;
  readonly batches: number;
  readonly lastDate: string;
  readonly seconds: number;
  readonly bytes: number;
  readonly byType: ReadonlyMap<string, number>;
  readonly refusals: ReadonlyMap<string, number>;
}

/** Projects expected to register per county and year: DOMAIN.md's 50–530, around the middle. */
const PROJECTS_PER_COUNTY_YEAR = 300;

export function defaultHistoryPath(events: number, seed: number): string {
  return resolve('data', 'bench', `history-${events}-s${seed}`, 'events.db');
}

export async function generateHistory(options: GenerateOptions): Promise<GenerateSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const years = (dayOf(options.to) - dayOf(options.from) + 1) / 365.25;
  const perProject = await eventsPerProject(options);
  const projects = Math.ceil((options.events / perProject) * 1.04);
  const counties = options.counties ?? Math.min(provinceCountyCount(), Math.max(8, Math.round(projects / years / PROJECTS_PER_COUNTY_YEAR)));
  log(`calibration: ${perProject.toFixed(1)} events per project; ~${formatCount(projects)} projects over ${years.toFixed(1)} years in ${counties} counties`);

  mkdirSync(dirname(options.out), { recursive: true });
  let nowMs = 0;
  let tick = 0;
  // Record time: the simulated morning of the day, a second further at each group commit.
  const store = openEmbeddedStore({
    path: options.out,
    synchronous: 'NORMAL',
    maxGroupSize: 4096,
    clock: () => new Date(nowMs + Math.min(tick++, 36_000) * 1000),
  });
  const writer = new HistoryWriter({ store, rnd: seeded(options.seed), limit: options.events });
  const progress = createProgress({ label: 'generate', total: options.events, mode: options.progress === false ? 'off' : progressModeFor(process.stderr, 'lines') });
  const started = performance.now();
  try {
    const summary = await simulate({
      rnd: seeded(options.seed ^ 0x5eed),
      writer,
      from: options.from,
      to: options.to,
      counties,
      projects,
      setNow: (ms) => { nowMs = ms; tick = 0; },
      onDay: (day) => progress.update(writer.written, `${dateOf(day)}  rss ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB`),
    });
    progress.finish();
    await store.close();
    return {
      events: writer.written,
      projects: summary.projects,
      counties: summary.regions.counties.length,
      batches: summary.batches,
      lastDate: dateOf(summary.lastDay),
      seconds: (performance.now() - started) / 1000,
      bytes: fileSize(options.out),
      byType: writer.byType,
      refusals: writer.refusals,
    };
  } catch (error) {
    progress.finish();
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** A dry run (decided, not written) of a few thousand projects: events per project over the span. */
async function eventsPerProject(options: GenerateOptions): Promise<number> {
  const projects = 3_000;
  const writer = new HistoryWriter({ rnd: seeded(options.seed + 1), limit: Number.POSITIVE_INFINITY });
  const summary = await simulate({
    rnd: seeded((options.seed + 1) ^ 0x5eed), writer, from: options.from, to: options.to, counties: 10, projects, setNow: () => undefined,
  });
  return writer.written / Math.max(1, summary.projects);
}

/**
 * The machine's own write baseline, same run: the first rows just written, inserted again with
 * plain better-sqlite3 (prepared insert, 4,096 rows a transaction, synchronous NORMAL) into a
 * scratch file of the same schema: what writing the bytes costs without deciding, hashing or
 * the store's per-append savepoints.
 */
export function rawInsertRate(from: string, rows: number): number {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-generate-'));
  try {
    const source = new Database(from, { readonly: true });
    const sample = source.prepare<[number], RawRow>('SELECT stream_id, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position LIMIT ?').all(rows);
    source.close();
    const target = new Database(join(scratch, 'events.db'));
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    applyStoreSchema(target);
    const insert = target.prepare<[string, number, string, string, string, string, string]>(
      'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const write = target.transaction((batch: readonly RawRow[]) => {
      for (const r of batch) insert.run(r.stream_id, r.revision, r.id, r.type, r.data, r.metadata, r.recorded_at);
    });
    const t0 = performance.now();
    for (let i = 0; i < sample.length; i += 4096) write(sample.slice(i, i + 4096));
    const seconds = (performance.now() - t0) / 1000;
    target.close();
    return sample.length / seconds;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface RawRow {
  readonly stream_id: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: string;
}

function fileSize(path: string): number {
  let bytes = 0;
  for (const suffix of ['', '-wal']) if (existsSync(path + suffix)) bytes += statSync(path + suffix).size;
  return bytes;
}

const USAGE = `usage: npm run bench:generate -- --events <n> [--seed <n>] [--out <file>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--counties <n>] [--force]`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        events: { type: 'string', default: '1000000' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string' },
        from: { type: 'string', default: '2019-01-01' },
        to: { type: 'string', default: '2026-10-31' },
        counties: { type: 'string' },
        force: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const events = Number(values.events);
  const seed = Number(values.seed);
  const counties = values.counties === undefined ? undefined : Number(values.counties);
  if (!Number.isInteger(events) || events < 1 || !Number.isInteger(seed) || (counties !== undefined && !(Number.isInteger(counties) && counties > 0)) ||
      !/^\d{4}-\d{2}-\d{2}$/.test(values.from) || !/^\d{4}-\d{2}-\d{2}$/.test(values.to) || values.from >= values.to) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const out = resolve(values.out ?? defaultHistoryPath(events, seed));
  if (existsSync(out)) {
    if (!values.force) {
      process.stderr.write(`${out} exists: pass --force to replace it\n`);
      process.exit(2);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(out + suffix, { force: true });
  }
  process.stderr.write(`generating ${formatCount(events)} events (seed ${seed}, ${values.from} … ${values.to}) into ${out}; synchronous NORMAL\n`);
  const summary = await generateHistory({ events, seed, out, from: values.from, to: values.to, ...(counties === undefined ? {} : { counties }) });
  const rate = summary.events / summary.seconds;
  const raw = rawInsertRate(out, Math.min(summary.events, 200_000));
  const lines = [
    `wrote ${formatCount(summary.events)} events for ${formatCount(summary.projects)} projects in ${summary.counties} counties, ${summary.batches} 集中开工 batches, up to ${summary.lastDate}`,
    `in ${formatDuration(summary.seconds)} (${formatCount(rate)} events/s); file ${(summary.bytes / 2 ** 20).toFixed(0)} MiB (${(summary.bytes / summary.events).toFixed(0)} bytes/event): ${out}`,
    `baseline, same run: plain better-sqlite3 inserting the first ${formatCount(Math.min(summary.events, 200_000))} of these rows, 4,096 a transaction: ${formatCount(raw)} events/s (generation at ${(rate / raw).toFixed(3)}x of it)`,
    `by type: ${[...summary.byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${formatCount(n)}`).join(', ')}`,
    `refused by the deciders (not written): ${summary.refusals.size === 0 ? 'none' : [...summary.refusals].map(([rule, n]) => `${rule} ${n}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`generation failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
