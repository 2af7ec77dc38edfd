/**
 * Schema versions of the read-model file (`DATA_DIR/read-models.db`): projection snapshots and
 * the statistics' history (projections/runner/statistics-history.ts).
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
  {
    version: 4,
    why: 'The statistics\' history: every change to the statistics cube kept with the record position of its event, and the cube\'s cells at checkpoints, so that statistics "as of" a record time are an indexed read (the cells at the checkpoint before it plus the changes since) instead of a replay of up to a year of the log.',
    sql: `
      CREATE TABLE statistics_history (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        version        INTEGER NOT NULL,
        covers_from    INTEGER NOT NULL,
        covers_from_ms INTEGER NOT NULL,
        position       INTEGER NOT NULL
      );
      CREATE TABLE statistics_log (
        position    INTEGER PRIMARY KEY,
        recorded_ms INTEGER NOT NULL,
        changes     BLOB
      );
      CREATE TABLE statistics_nodes (
        id             INTEGER PRIMARY KEY,
        region         TEXT    NOT NULL,
        category       TEXT    NOT NULL,
        first_position INTEGER NOT NULL
      );
      CREATE TABLE statistics_checkpoints (position INTEGER PRIMARY KEY);
      CREATE TABLE statistics_cells (
        node     INTEGER NOT NULL,
        key      INTEGER NOT NULL,
        position INTEGER NOT NULL,
        value    TEXT    NOT NULL,
        PRIMARY KEY (node, key, position)
      ) WITHOUT ROWID;
      CREATE TABLE statistics_targets (
        region   TEXT    NOT NULL,
        year     TEXT    NOT NULL,
        position INTEGER NOT NULL,
        targets  TEXT    NOT NULL,
        PRIMARY KEY (region, year, position)
      ) WITHOUT ROWID;
    `,
  },
];
