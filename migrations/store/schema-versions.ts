/**
 * Schema versions of the embedded store's SQLite file, applied in order at open and recorded
 * in `PRAGMA user_version`. A version, once released, is never edited: add the next one.
 */
export interface StoreSchemaVersion {
  readonly version: number;
  readonly why: string;
  readonly sql: string;
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
      CREATE TABLE events_v2 (
        position    INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id   TEXT    NOT NULL,
        revision    INTEGER NOT NULL,
        id          TEXT    NOT NULL,
        type        TEXT    NOT NULL,
        data        TEXT    NOT NULL,
        metadata    TEXT    NOT NULL,
        recorded_at TEXT    NOT NULL
      );
      INSERT INTO events_v2 (position, stream_id, revision, id, type, data, metadata, recorded_at)
        SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM events ORDER BY position;
      DROP TABLE events;
      ALTER TABLE events_v2 RENAME TO events;
      CREATE UNIQUE INDEX events_by_stream ON events (stream_id, revision);
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
  },
];

export const currentStoreSchemaVersion = storeSchemaVersions.at(-1)?.version ?? 0;
