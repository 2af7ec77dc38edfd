import type { Database } from 'better-sqlite3';

/**
 * Schema versions of the embedded store's SQLite file, applied in order at open and recorded
 * in `PRAGMA user_version`. A version, once released, is never edited: add the next one.
 */
export interface StoreSchemaVersion {
  readonly version: number;
  readonly why: string;
  readonly sql: string;
  /** What SQL alone cannot say, run after `sql` in the same transaction. */
  readonly apply?: (db: Database) => void;
}

export const storeSchemaVersions: readonly StoreSchemaVersion[] = [
  {
    version: 1,
    why: 'The global log: one row per event, positioned by rowid; a stream is read by (stream_id, revision).',
    sql: `
      CREATE TABLE events (
        position    INTEGER PRIMARY KEY,
        stream_id   TEXT    NOT NULL,
        revision    INTEGER NOT NULL,
        id          TEXT    NOT NULL,
        type        TEXT    NOT NULL,
        data        TEXT    NOT NULL,
        metadata    TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL
      );
      CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);
    `,
  },
  {
    version: 2,
    why: 'Positions are never reused (AUTOINCREMENT: a deleted tail\'s positions stay spent), an event id names one '
      + 'event (a retried append is recognised by its ids), and the log has an id of its own, made once, so a reader '
      + 'can tell this log from another file restored in its place.',
    sql: `
      CREATE UNIQUE INDEX events_by_id ON events (id);
      CREATE TABLE store_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO store_meta (key, value) VALUES ('log_id',
        lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2)
        || '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(lower(hex(randomblob(2))), 2)
        || '-' || lower(hex(randomblob(6))));
    `,
    apply: (db) => {
      // AUTOINCREMENT changes nothing stored in the table (its rows are keyed by rowid either
      // way), only how the next rowid is chosen: so the declaration is changed in place, as
      // SQLite documents for such changes (ALTER TABLE, "other kinds of table schema changes"),
      // instead of copying the log (80 s and twice the file for 1.5M events). sqlite_sequence
      // then starts at the highest position the log has ever had.
      db.exec('CREATE TABLE pipeline_sequence_maker (n INTEGER PRIMARY KEY AUTOINCREMENT); DROP TABLE pipeline_sequence_maker;');
      const declared = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'events'").get()?.sql ?? '';
      const autoincrement = declared.replace(/position\s+INTEGER\s+PRIMARY\s+KEY(?!\s+AUTOINCREMENT)/i, 'position    INTEGER PRIMARY KEY AUTOINCREMENT');
      if (autoincrement === declared) throw new Error(`events is not declared as schema 1 made it: ${declared}`);
      const version = Number(db.pragma('schema_version', { simple: true }));
      db.unsafeMode(true);
      try {
        db.pragma('writable_schema = ON');
        db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'events'").run(autoincrement);
        db.pragma(`schema_version = ${version + 1}`);
        db.pragma('writable_schema = OFF');
      } finally {
        db.unsafeMode(false);
      }
      db.exec("INSERT INTO sqlite_sequence (name, seq) SELECT 'events', COALESCE(MAX(position), 0) FROM events");
    },
  },
];

export const currentStoreSchemaVersion = storeSchemaVersions.at(-1)?.version ?? 0;
