/**
 * Schema versions of the statistics' history (`DATA_DIR/statistics-history.db`,
 * projections/runner/statistics-history.ts). A file of its own: its writer thread commits a
 * batch every second or so and must never wait behind a snapshot's long transaction in
 * read-models.db. It holds nothing that cannot be rebuilt from the event log.
 */
import type { StoreSchemaVersion } from '../store/schema-versions.js';

export const statisticsHistorySchemaVersions: readonly StoreSchemaVersion[] = [
  {
    version: 1,
    why: 'Every change to the statistics cube kept with the record position of its event, and the cube\'s cells at checkpoints, so that statistics "as of" a record time are an indexed read (the cells at the checkpoint before it plus the changes since) instead of a replay of up to a year of the log.',
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
      -- A rowid table and an index, not WITHOUT ROWID: a cell's value is hundreds of bytes, and
      -- in a WITHOUT ROWID table whole rows fill the interior pages (a seek read ~6 pages).
      CREATE TABLE statistics_cells (
        node     INTEGER NOT NULL,
        key      INTEGER NOT NULL,
        position INTEGER NOT NULL,
        value    TEXT    NOT NULL
      );
      CREATE UNIQUE INDEX statistics_cells_at ON statistics_cells (node, key, position);
      CREATE TABLE statistics_targets (
        region   TEXT    NOT NULL,
        year     TEXT    NOT NULL,
        position INTEGER NOT NULL,
        targets  TEXT    NOT NULL,
        PRIMARY KEY (region, year, position)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    why: 'The keys each node has cells for, so that reading a node as of a checkpoint is one seek per key (its last value by then) instead of two.',
    sql: `
      CREATE TABLE statistics_cell_keys (
        node INTEGER NOT NULL,
        key  INTEGER NOT NULL,
        PRIMARY KEY (node, key)
      ) WITHOUT ROWID;
      INSERT INTO statistics_cell_keys (node, key) SELECT DISTINCT node, key FROM statistics_cells;
    `,
  },
  {
    version: 3,
    why: 'The ledger\'s, compliance\'s and batches\' facts kept as history rows (each project\'s facts and late reports whole at every eighth event that changed them and the events in between, each batch after every change, each project\'s region from each position), so that their answers "as of" a record time read the rows valid then instead of replaying the log from a pinned snapshot. The history is started afresh (the next start seeds it from the snapshot), since a file of version 2 holds none of these rows.',
    sql: `
      -- One row per project an event changed: its facts whole (and its late reports), or the
      -- event to fold into the last whole row before it. A rowid table: rows are hundreds of
      -- bytes, appended in log order, and the index finds a project's rows by a position.
      CREATE TABLE fact_versions (
        position INTEGER NOT NULL,
        seq      INTEGER NOT NULL,
        facts    TEXT,
        late     TEXT,
        event    TEXT,
        CHECK ((facts IS NULL) <> (event IS NULL))
      );
      CREATE UNIQUE INDEX fact_versions_at ON fact_versions (seq, position);
      -- Each project's region from the position it was registered or moved: who is in a region then.
      CREATE TABLE fact_regions (
        region   TEXT    NOT NULL,
        seq      INTEGER NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (region, seq, position)
      ) WITHOUT ROWID;
      CREATE TABLE fact_projects (
        project_id TEXT    PRIMARY KEY,
        seq        INTEGER NOT NULL,
        position   INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE batch_versions (
        batch_id TEXT    NOT NULL,
        position INTEGER NOT NULL,
        batch    TEXT,
        joined   TEXT,
        PRIMARY KEY (batch_id, position)
      ) WITHOUT ROWID;
      DELETE FROM statistics_history;
    `,
  },
  {
    version: 4,
    why: 'Each project as it stands now, one row with the typed columns the live lists filter on (region, stage, category, 总投资, the dates compliance judges by), written in the same transactions as the history rows: a live ledger page, compliance list or CSV reads the rows at the position written (one position, the fold never held) and only the projects its filters can match, instead of the in-heap facts frozen for it. The history is started afresh (the next start folds the log again), since the rows of version 3 carry no such columns.',
    sql: `
      CREATE TABLE fact_now (
        seq           INTEGER PRIMARY KEY,
        region        TEXT    NOT NULL,
        stage         TEXT    NOT NULL,
        category      TEXT    NOT NULL,
        total         INTEGER NOT NULL,
        started_day   INTEGER,
        entered_day   INTEGER,
        approved_day  INTEGER,
        idle_due_day  INTEGER,
        in_batch      INTEGER NOT NULL,
        inconsistent  INTEGER NOT NULL,
        late_from_day INTEGER
      );
      CREATE INDEX fact_now_by_region ON fact_now (region, seq);
      DELETE FROM statistics_history;
    `,
  },
];
