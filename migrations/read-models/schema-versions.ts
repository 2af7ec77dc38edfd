/**
 * Schema versions of the read-model file (`DATA_DIR/read-models.db`): projection snapshots.
 * It holds nothing that cannot be rebuilt from the event log; deleting it costs a rebuild.
 */
import type { StoreSchemaVersion } from '../store/schema-versions.js';

export const readModelSchemaVersions: readonly StoreSchemaVersion[] = [
  {
    version: 1,
    why: 'Snapshots of each projection version at positions of the log: the latest resumes the runner, older ones start "as of" replays.',
    sql: `
      CREATE TABLE snapshots (
        projection  TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        position    INTEGER NOT NULL,
        recorded_at TEXT    NOT NULL,
        state       TEXT    NOT NULL,
        PRIMARY KEY (projection, version, position)
      );
    `,
  },
  {
    version: 2,
    why: 'A snapshot is a sequence of chunks (one row each) instead of one text: a province-sized state is more JSON than V8\'s longest string, and is read back one chunk at a time. The old one-text snapshots are dropped: a start rebuilds from the log.',
    sql: `
      DROP TABLE snapshots;
      CREATE TABLE snapshots (
        projection  TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        position    INTEGER NOT NULL,
        recorded_at TEXT    NOT NULL,
        chunks      INTEGER NOT NULL,
        bytes       INTEGER NOT NULL,
        PRIMARY KEY (projection, version, position)
      );
      CREATE TABLE snapshot_chunks (
        projection  TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        position    INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        chunk       TEXT    NOT NULL,
        PRIMARY KEY (projection, version, position, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    why: 'Year-end snapshots are pinned (kept whatever the count): an "as of" question about the past then replays at most a year of the log instead of all of it.',
    sql: `ALTER TABLE snapshots ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;`,
  },
];
