/**
 * Where the runner keeps projection snapshots: a SQLite file beside the event store
 * (`DATA_DIR/read-models.db`), or memory in tests. Whatever the event store (embedded or
 * KurrentDB), read models are this process's own, so their snapshots are local.
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
  readonly state: string;
}

export interface SnapshotStore {
  /** The newest snapshot of this projection version, or the newest at or before `position`. */
  latest(projection: string, version: number, atOrBefore?: number): Snapshot | undefined;
  /** The newest snapshot recorded at or before a moment. */
  latestRecordedBy(projection: string, version: number, recordedAt: string): Snapshot | undefined;
  save(projection: string, version: number, snapshot: Snapshot): void;
  /** Keeps the newest `keep` snapshots of the version and drops every other version's. */
  prune(projection: string, version: number, keep: number): void;
  close(): void;
}

interface SnapshotRow { position: number; recorded_at: string; state: string }

export function openSnapshotStore(path: string): SnapshotStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // A snapshot lost to a power cut costs a longer catch-up, never a wrong answer.
  db.pragma('synchronous = NORMAL');
  applyStoreSchema(db, readModelSchemaVersions);
  const latest = db.prepare<[string, number, number], SnapshotRow>(
    'SELECT position, recorded_at, state FROM snapshots WHERE projection = ? AND version = ? AND position <= ? ORDER BY position DESC LIMIT 1');
  const byTime = db.prepare<[string, number, string], SnapshotRow>(
    'SELECT position, recorded_at, state FROM snapshots WHERE projection = ? AND version = ? AND recorded_at <= ? ORDER BY position DESC LIMIT 1');
  const save = db.prepare<[string, number, number, string, string]>(
    'INSERT OR REPLACE INTO snapshots (projection, version, position, recorded_at, state) VALUES (?, ?, ?, ?, ?)');
  const pruneOld = db.prepare<[string, number, string, number, number]>(
    `DELETE FROM snapshots WHERE projection = ? AND (version <> ? OR position NOT IN (
       SELECT position FROM snapshots WHERE projection = ? AND version = ? ORDER BY position DESC LIMIT ?))`);
  const toSnapshot = (row: SnapshotRow | undefined): Snapshot | undefined =>
    row && { position: row.position, recordedAt: row.recorded_at, state: row.state };
  return {
    latest: (projection, version, atOrBefore = Number.MAX_SAFE_INTEGER) => toSnapshot(latest.get(projection, version, atOrBefore)),
    latestRecordedBy: (projection, version, recordedAt) => toSnapshot(byTime.get(projection, version, recordedAt)),
    save: (projection, version, snapshot) => {
      save.run(projection, version, snapshot.position, snapshot.recordedAt, snapshot.state);
    },
    prune: (projection, version, keep) => {
      pruneOld.run(projection, version, projection, version, keep);
    },
    close: () => db.close(),
  };
}
