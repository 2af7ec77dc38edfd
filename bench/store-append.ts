/**
 * Append throughput of the embedded store, beside raw better-sqlite3 inserts into the same
 * schema in the same run (the machine's own baseline: report the ratios).
 *
 *   npm run bench:store            (SECONDS=2 per scenario by default)
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openEmbeddedStore, type Synchronous } from '../src/event-store/embedded/sqlite-store.js';
import { applyStoreSchema } from '../migrations/store/apply.js';

const SECONDS = Number(process.env['SECONDS'] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
let fileNo = 0;
const freshFile = () => join(dir, `events-${fileNo++}.db`);

// A realistic event: a monthly InvestmentReported with its metadata and hash chain.
const data = { projectId: 'ZQ-2025-0017', occurredOn: '2025-03-31', period: '2025-03', amount: 1_234_500 };
const metadata = {
  actor: { keyId: 'k-131121-01', role: 'bureau', regions: ['131121'] },
  correlationId: randomUUID(), causationId: randomUUID(), schemaVersion: 1,
  prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
};

async function measure(run: (deadline: number) => Promise<number>): Promise<number> {
  const started = performance.now();
  const events = await run(started + SECONDS * 1000);
  return events / ((performance.now() - started) / 1000);
}

function rawInserts(synchronous: Synchronous, perTransaction: number): Promise<number> {
  const db = new Database(freshFile());
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  applyStoreSchema(db);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const revisions = new Map<string, number>();
  const write = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      const stream = `project-${i % 64}`;
      const revision = (revisions.get(stream) ?? -1) + 1;
      revisions.set(stream, revision);
      insert.run(stream, revision, randomUUID(), 'InvestmentReported', JSON.stringify(data), JSON.stringify(metadata), new Date().toISOString());
    }
  });
  return measure(async (deadline) => {
    let n = 0;
    while (performance.now() < deadline) { write(perTransaction); n += perTransaction; }
    db.close();
    return n;
  });
}

function storeAppends(synchronous: Synchronous, appenders: number, batch: number): Promise<number> {
  const store = openEmbeddedStore({ path: freshFile(), synchronous });
  const events = Array.from({ length: batch }, () => ({ type: 'InvestmentReported', data, metadata }));
  return measure(async (deadline) => {
    let n = 0;
    await Promise.all(Array.from({ length: appenders }, async (_, a) => {
      let expected: number | 'no_stream' = 'no_stream';
      while (performance.now() < deadline) {
        const result = await store.appendToStream(`project-${a}`, events, { expectedRevision: expected });
        expected = result.nextRevision;
        n += batch;
      }
    }));
    await store.close();
    return n;
  });
}

const fmt = (rate: number) => `${Math.round(rate).toLocaleString('en-US').padStart(11)} ev/s`;
const rows: string[] = [];
for (const sync of ['FULL', 'NORMAL'] as const) {
  const raw1 = await rawInserts(sync, 1);
  const raw64 = await rawInserts(sync, 64);
  const raw100 = await rawInserts(sync, 100);
  const one = await storeAppends(sync, 1, 1);
  const sixtyFour = await storeAppends(sync, 64, 1);
  const batches = await storeAppends(sync, 1, 100);
  rows.push(
    `${sync.padEnd(6)} raw insert, 1 row/commit      ${fmt(raw1)}`,
    `${sync.padEnd(6)} raw insert, 64 rows/commit    ${fmt(raw64)}`,
    `${sync.padEnd(6)} raw insert, 100 rows/commit   ${fmt(raw100)}`,
    `${sync.padEnd(6)} store, 1 appender x 1 event   ${fmt(one)}   ${(one / raw1).toFixed(2)}x raw 1/commit`,
    `${sync.padEnd(6)} store, 64 appenders x 1 event ${fmt(sixtyFour)}   ${(sixtyFour / raw64).toFixed(2)}x raw 64/commit`,
    `${sync.padEnd(6)} store, 1 appender x 100 events ${fmt(batches)}  ${(batches / raw100).toFixed(2)}x raw 100/commit`,
  );
}
console.log(`embedded store append throughput (${SECONDS}s per scenario, ${new Date().toISOString()}, node ${process.version})`);
for (const row of rows) console.log(row);
rmSync(dir, { recursive: true, force: true });
