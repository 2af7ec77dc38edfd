/**
 * Where the runner keeps projection snapshots: a SQLite file beside the event store
 * (`DATA_DIR/read-models.db`), or memory in tests. Whatever the event store (embedded or
 * KurrentDB), read models are this process's own, so their snapshots are local.
 *
 * A snapshot is a sequence of text chunks (Projection.serialise), one row each, written in one
 * transaction as they are produced and read back lazily: neither side ever holds the whole
 * text of a province-sized state.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { readModelSchemaVersions } from '../../migrations/read-models/schema-versions.js';

export interface Snapshot {
  readonly position: number;
  /** Record time of the event at `position`: "as of" replays start from the last one before. */
  readonly recordedAt: string;
  /** The state's chunks: read from the file as they are iterated, when the snapshot was loaded. */
  readonly chunks: Iterable<string>;
}

export interface SavedSnapshot {
  readonly chunks: number;
  readonly bytes: number;
}

/** A snapshot being written a chunk at a time; nothing of it is visible until `commit`. */
export interface SnapshotWriter {
  write(chunk: string): void;
  commit(): SavedSnapshot;
  /** Drops what was written (the chunks must not outlive a failed snapshot). */
  abort(): void;
}

export interface SnapshotStore {
  /** The newest snapshot of this projection version, or the newest at or before `position`. */
  latest(projection: string, version: number, atOrBefore?: number): Snapshot | undefined;
  /** Writes the chunks as the iterable yields them; nothing is written if it throws. */
  save(projection: string, version: number, snapshot: Snapshot): SavedSnapshot;
  /**
   * Starts a snapshot whose chunks come over several turns of the event loop (the runner
   * writes a province-sized state that way, so the server keeps answering meanwhile). One at
   * a time per store.
   */
  begin(projection: string, version: number, position: number, recordedAt: string): SnapshotWriter;
  /**
   * Keeps the newest `keep` snapshots of the version; drops every other version's (and the year
   * ends earlier versions pinned for "as of" replays: the history answers those now).
   */
  prune(projection: string, version: number, keep: number): void;
  close(): void;
}

interface SnapshotRow { position: number; recorded_at: string }

export function openSnapshotStore(path: string): SnapshotStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // A snapshot lost to a power cut costs a longer catch-up, never a wrong answer.
  db.pragma('synchronous = NORMAL');
  applyStoreSchema(db, readModelSchemaVersions);
  const latest = db.prepare<[string, number, number], SnapshotRow>(
    'SELECT position, recorded_at FROM snapshots WHERE projection = ? AND version = ? AND position <= ? ORDER BY position DESC LIMIT 1');
  const CHUNKS_OF = 'SELECT chunk FROM snapshot_chunks WHERE projection = ? AND version = ? AND position = ? ORDER BY seq';
  /**
   * A snapshot's chunks on a connection of their own: an "as of" load iterates them over many
   * turns of the loop, and a connection with an open iterator can run nothing else (the runner
   * may be writing the next snapshot meanwhile). WAL lets it read what was committed. A memory
   * database is its one connection's own: there, a statement of its own.
   */
  function* chunksOf(projection: string, version: number, position: number): Generator<string> {
    const reader = path === ':memory:' ? db : new Database(path, { readonly: true });
    try {
      yield* reader.prepare<[string, number, number], string>(CHUNKS_OF).pluck().iterate(projection, version, position);
    } finally {
      if (reader !== db) reader.close();
    }
  }
  const saveHeader = db.prepare<[string, number, number, string, number, number, number]>(
    'INSERT OR REPLACE INTO snapshots (projection, version, position, recorded_at, chunks, bytes, pinned) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const dropChunks = db.prepare<[string, number, number]>(
    'DELETE FROM snapshot_chunks WHERE projection = ? AND version = ? AND position = ?');
  const saveChunk = db.prepare<[string, number, number, number, string]>(
    'INSERT INTO snapshot_chunks (projection, version, position, seq, chunk) VALUES (?, ?, ?, ?, ?)');
  const kept = 'SELECT position FROM snapshots WHERE projection = ? AND version = ? ORDER BY position DESC LIMIT ?';
  const pruneChunks = db.prepare<[string, number, string, number, number]>(
    `DELETE FROM snapshot_chunks WHERE projection = ? AND (version <> ? OR position NOT IN (${kept}))`);
  const pruneHeaders = db.prepare<[string, number, string, number, number]>(
    `DELETE FROM snapshots WHERE projection = ? AND (version <> ? OR position NOT IN (${kept}))`);

  const toSnapshot = (projection: string, version: number, row: SnapshotRow | undefined): Snapshot | undefined => row && {
    position: row.position,
    recordedAt: row.recorded_at,
    chunks: { [Symbol.iterator]: () => chunksOf(projection, version, row.position) },
  };
  const save = db.transaction((projection: string, version: number, snapshot: Snapshot): SavedSnapshot => {
    dropChunks.run(projection, version, snapshot.position);
    let chunks = 0;
    let bytes = 0;
    for (const chunk of snapshot.chunks) {
      saveChunk.run(projection, version, snapshot.position, chunks++, chunk);
      bytes += chunk.length;
    }
    saveHeader.run(projection, version, snapshot.position, snapshot.recordedAt, chunks, bytes, 0);
    return { chunks, bytes };
  });
  const prune = db.transaction((projection: string, version: number, keep: number) => {
    pruneChunks.run(projection, version, projection, version, keep);
    pruneHeaders.run(projection, version, projection, version, keep);
  });
  const begin = (projection: string, version: number, position: number, recordedAt: string): SnapshotWriter => {
    // One transaction held open across turns: the snapshot appears whole at COMMIT or not at all.
    db.exec('BEGIN');
    dropChunks.run(projection, version, position);
    let chunks = 0;
    let bytes = 0;
    let open = true;
    const end = (sql: 'COMMIT' | 'ROLLBACK') => {
      if (!open) return;
      open = false;
      if (db.inTransaction) db.exec(sql);
    };
    return {
      write: (chunk) => {
        saveChunk.run(projection, version, position, chunks++, chunk);
        bytes += chunk.length;
      },
      commit: () => {
        saveHeader.run(projection, version, position, recordedAt, chunks, bytes, 0);
        end('COMMIT');
        return { chunks, bytes };
      },
      abort: () => end('ROLLBACK'),
    };
  };
  return {
    begin,
    latest: (projection, version, atOrBefore = Number.MAX_SAFE_INTEGER) => toSnapshot(projection, version, latest.get(projection, version, atOrBefore)),
    save: (projection, version, snapshot) => save(projection, version, snapshot),
    prune: (projection, version, keep) => prune(projection, version, keep),
    close: () => db.close(),
  };
}
