/**
 * A batch of the statistics' history to write (statistics-history.ts): what the fold told it
 * since the last batch, packed in typed arrays so that it crosses to the writer thread without
 * copying row by row. One batch is one transaction, which also records the position written.
 */
import type Database from 'better-sqlite3';
import { factRowsWriter, type FactRows } from './facts-history.js';

export interface HistoryBatch {
  /** [id, region, category, first position] of the nodes made since the last batch. */
  readonly nodes: ReadonlyArray<readonly [number, string, string, number]>;
  /** One row per event folded: its position, record time (ms) and where its changes end in `changes`. */
  readonly positions: Float64Array;
  readonly recordedMs: Float64Array;
  readonly changeEnds: Float64Array;
  readonly changes: Float64Array;
  /** [node, cell key, position, value] written at checkpoints. */
  readonly cells: ReadonlyArray<readonly [number, number, number, string]>;
  /** [node, cell key] of the cells a node has for the first time. */
  readonly newKeys: ReadonlyArray<readonly [number, number]>;
  readonly checkpoints: readonly number[];
  /** [region, year, position, targets] of each AnnualTargetsSet. */
  readonly targets: ReadonlyArray<readonly [string, string, number, string]>;
  /** The ledger's, compliance's and batches' rows (facts-history.ts). */
  readonly facts: FactRows;
  /** The last position folded: the history is written up to it once the batch is. */
  readonly position: number;
}

/** Rows of the log go in LOG_ROWS at a time: one call into SQLite instead of LOG_ROWS. */
const LOG_ROWS = 64;

/** Opens a history file for writing as both the server and its writer thread do. */
export function tuneForHistory(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // Lost to a power cut, it is written again from the snapshot before it: never a wrong answer.
  db.pragma('synchronous = NORMAL');
  // A batch writes tens of thousands of rows into a few B-trees: pages stay in memory until the
  // commit, and the file is checkpointed in fewer, larger steps.
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('busy_timeout = 5000');
  mapForReads(db);
}

/** Reads of a history file go through memory-mapped pages: a seek is a few page lookups, not a few read() calls. */
export function mapForReads(db: Database.Database): void {
  db.pragma('mmap_size = 2147483648');
}

/** A function writing batches into `db` (its schema applied), each in one transaction. */
export function batchWriter(db: Database.Database): (batch: HistoryBatch) => void {
  const insertLog = db.prepare('INSERT INTO statistics_log (position, recorded_ms, changes) VALUES (?, ?, ?)');
  const insertLogRows = db.prepare(`INSERT INTO statistics_log (position, recorded_ms, changes) VALUES ${Array.from({ length: LOG_ROWS }, () => '(?, ?, ?)').join(', ')}`);
  const insertNode = db.prepare('INSERT INTO statistics_nodes (id, region, category, first_position) VALUES (?, ?, ?, ?)');
  const insertCell = db.prepare('INSERT OR REPLACE INTO statistics_cells (node, key, position, value) VALUES (?, ?, ?, ?)');
  const insertKey = db.prepare('INSERT OR IGNORE INTO statistics_cell_keys (node, key) VALUES (?, ?)');
  const insertCheckpoint = db.prepare('INSERT OR IGNORE INTO statistics_checkpoints (position) VALUES (?)');
  const insertTargets = db.prepare('INSERT OR REPLACE INTO statistics_targets (region, year, position, targets) VALUES (?, ?, ?, ?)');
  const setPosition = db.prepare('UPDATE statistics_history SET position = ? WHERE id = 1');
  const writeFacts = factRowsWriter(db);
  return db.transaction((batch: HistoryBatch) => {
    for (const node of batch.nodes) insertNode.run(node[0], node[1], node[2], node[3]);
    const { positions, recordedMs, changeEnds, changes } = batch;
    const row = (i: number): [number, number, Buffer | null] => {
      const start = i === 0 ? 0 : (changeEnds[i - 1] as number);
      const end = changeEnds[i] as number;
      return [positions[i] as number, recordedMs[i] as number,
        end === start ? null : Buffer.from(changes.buffer, changes.byteOffset + start * 8, (end - start) * 8)];
    };
    let i = 0;
    const values: Array<number | Buffer | null> = [];
    for (; i + LOG_ROWS <= positions.length; i += LOG_ROWS) {
      values.length = 0;
      for (let j = i; j < i + LOG_ROWS; j++) values.push(...row(j));
      insertLogRows.run(values);
    }
    for (; i < positions.length; i++) insertLog.run(...row(i));
    for (const cell of batch.cells) insertCell.run(cell[0], cell[1], cell[2], cell[3]);
    for (const key of batch.newKeys) insertKey.run(key[0], key[1]);
    for (const position of batch.checkpoints) insertCheckpoint.run(position);
    for (const targets of batch.targets) insertTargets.run(targets[0], targets[1], targets[2], targets[3]);
    writeFacts(batch.facts);
    setPosition.run(batch.position);
  });
}
