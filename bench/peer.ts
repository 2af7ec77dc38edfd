/**
 * The same append workload on this store and on a peer, Emmett's SQLite event store
 * (@event-driven-io/emmett-sqlite 0.38.5), in one run, beside raw one-row commits of
 * better-sqlite3 (the fsync bound of this machine): ratios, not lone numbers.
 *
 *   cd bench && npm ci && cd ..          # the peer lives in bench/package.json only (it builds sqlite3)
 *   node --import tsx bench/peer.ts      # SECONDS=3 per scenario by default
 *
 * Workload, on a fresh file each, both stores durable (synchronous FULL, WAL; Emmett's sqlite3 is
 * built with FULL as its default): single-event appends to many streams with 1 appender and with
 * 64 concurrent appenders (each its own stream, each append expecting the stream's revision), and
 * 100-event batches from 1 appender. A refused append (Emmett: SQLITE_BUSY) is counted, not retried.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { applyStoreSchema } from '../migrations/store/apply.js';

const SECONDS = Number(process.env['SECONDS'] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-peer-'));
let fileNo = 0;
const freshFile = () => join(dir, `events-${fileNo++}.db`);

const data = { projectId: 'ZQ-2025-0017', occurredOn: '2025-03-31', period: '2025-03', amount: 1_234_500 };
const metadata = {
  actor: { keyId: 'k-131121-01', role: 'bureau', regions: ['131121'] },
  correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1,
  prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
};

/** What the bench needs of a store: append `count` events to a stream after `expected`. */
interface Appender {
  append(streamId: string, count: number, expected: bigint | 'no_stream'): Promise<bigint>;
  close(): Promise<void>;
}

interface Outcome {
  readonly eventsPerSecond: number;
  readonly appendsPerSecond: number;
  readonly refused: number;
  /** Refusals by their code (SQLITE_BUSY, …). */
  readonly refusals: string;
}

async function run(store: Appender, appenders: number, batch: number): Promise<Outcome> {
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let appends = 0;
  let refused = 0;
  const kinds = new Map<string, number>();
  await Promise.all(Array.from({ length: appenders }, async (_, a) => {
    for (let stream = 0; performance.now() < deadline; stream++) {
      // Many streams: each appender moves to a new stream every 16 appends.
      const streamId = `project-${a}-${stream}`;
      let expected: bigint | 'no_stream' = 'no_stream';
      for (let n = 0; n < 16 && performance.now() < deadline; n++) {
        try {
          expected = await store.append(streamId, batch, expected);
          appends += 1;
        } catch (error) {
          refused += 1;
          const kind = /^[A-Z_]+/.exec(String(error instanceof Error ? error.message : error))?.[0] ?? 'other';
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
          break;
        }
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  const refusals = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
  return { eventsPerSecond: appends * batch / seconds, appendsPerSecond: appends / seconds, refused, refusals };
}

function ours(): Appender {
  const store = openEmbeddedStore({ path: freshFile(), synchronous: 'FULL' });
  return {
    append: async (streamId, count, expected) => {
      const events = Array.from({ length: count }, () => ({ type: 'InvestmentReported', data, metadata }));
      const result = await store.appendToStream(streamId, events, { expectedRevision: expected === 'no_stream' ? 'no_stream' : Number(expected) });
      return BigInt(result.nextRevision);
    },
    close: () => store.close(),
  };
}

interface EmmettStore {
  appendToStream(streamName: string, events: { type: string; data: object; metadata?: object }[], options?: { expectedStreamVersion?: bigint | 'STREAM_DOES_NOT_EXIST' }): Promise<{ nextExpectedStreamVersion: bigint }>;
}
interface EmmettModule {
  getSQLiteEventStore(options: { fileName: string; schema?: { autoMigration?: 'None' | 'CreateOrUpdate' } }): EmmettStore;
}

function isEmmettModule(value: unknown): value is EmmettModule {
  return typeof value === 'object' && value !== null && 'getSQLiteEventStore' in value && typeof value.getSQLiteEventStore === 'function';
}

async function loadEmmett(): Promise<EmmettModule | string> {
  // Named through a variable: the product's type check never sees this package (bench/package.json only).
  const name = '@event-driven-io/emmett-sqlite';
  try {
    const loaded: unknown = await import(name);
    return isEmmettModule(loaded) ? loaded : `${name} has no getSQLiteEventStore`;
  } catch (error) {
    return `${name} is not installed (cd bench && npm ci): ${String(error).split('\n')[0]}`;
  }
}

function emmett(module: EmmettModule): Appender {
  const store = module.getSQLiteEventStore({ fileName: freshFile(), schema: { autoMigration: 'CreateOrUpdate' } });
  return {
    append: async (streamId, count, expected) => {
      const events = Array.from({ length: count }, () => ({ type: 'InvestmentReported', data, metadata }));
      const result = await store.appendToStream(streamId, events, { expectedStreamVersion: expected === 'no_stream' ? 'STREAM_DOES_NOT_EXIST' : expected });
      return result.nextExpectedStreamVersion;
    },
    // Emmett opens a connection per operation on a file: nothing stays open.
    close: async () => undefined,
  };
}

/** One durable commit per row, in the store's own schema: what an fsync per append allows. */
function rawOneRowCommits(): { commits: number; seconds: number } {
  const db = new Database(freshFile());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  applyStoreSchema(db);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    insert.run(`project-${n >> 4}`, n & 15, randomUUID(), 'InvestmentReported', JSON.stringify(data), JSON.stringify(metadata), new Date().toISOString());
    n += 1;
  }
  db.close();
  return { commits: n, seconds: (performance.now() - started) / 1000 };
}

/**
 * The machine is shared and its load moves: the baseline is taken in slices between the
 * stores' runs (before the first, between each, after the last), and the ratio uses them all.
 */
function rawSlices(): { readonly take: () => void; readonly rate: () => number } {
  let commits = 0;
  let seconds = 0;
  return {
    take: () => {
      const slice = rawOneRowCommits();
      commits += slice.commits;
      seconds += slice.seconds;
    },
    rate: () => commits / seconds,
  };
}

const fmt = (rate: number) => Math.round(rate).toLocaleString('en-US').padStart(9);
const peer = await loadEmmett();
const baseline = rawSlices();
baseline.take();
const scenarios = [
  { name: 'single appends, 1 appender', appenders: 1, batch: 1 },
  { name: 'single appends, 64 appenders', appenders: 64, batch: 1 },
  { name: '100-event batches, 1 appender', appenders: 1, batch: 100 },
] as const;
console.log(`append workload, this store vs Emmett SQLite 0.38.5 (${SECONDS}s per scenario, ${new Date().toISOString()}, node ${process.version}, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
// Emmett prints each failure it meets to the console itself: quiet while the stores run.
const quiet = { log: console.log, error: console.error, warn: console.warn };
console.log = console.error = console.warn = () => undefined;
const results = [];
for (const scenario of scenarios) {
  const mine = await run(ours(), scenario.appenders, scenario.batch);
  baseline.take();
  const theirs = typeof peer === 'string' ? peer : await run(emmett(peer), scenario.appenders, scenario.batch);
  baseline.take();
  results.push({ scenario, mine, theirs });
}
Object.assign(console, quiet);
const raw = baseline.rate();
console.log(`baseline: raw better-sqlite3 one-row commits (WAL, FULL), ${SECONDS}s slices between the runs  ${fmt(raw)} commits/s`);
for (const { scenario, mine, theirs } of results) {
  const line = [`${scenario.name.padEnd(31)} this store ${fmt(mine.eventsPerSecond)} ev/s (${fmt(mine.appendsPerSecond)} appends/s, ${(mine.appendsPerSecond / raw).toFixed(2)}x raw commits${mine.refused ? `, ${mine.refused} refused` : ''})`];
  if (typeof theirs === 'string') line.push(`  Emmett: ${theirs}`);
  else {
    line.push(`  Emmett ${fmt(theirs.eventsPerSecond)} ev/s (${fmt(theirs.appendsPerSecond)} appends/s${theirs.refused ? `, refused: ${theirs.refusals}` : ''})`);
    line.push(`  ratio ${theirs.eventsPerSecond > 0 ? `${(mine.eventsPerSecond / theirs.eventsPerSecond).toFixed(1)}x` : 'n/a (Emmett completed none)'}`);
  }
  console.log(line.join(''));
}
rmSync(dir, { recursive: true, force: true });
