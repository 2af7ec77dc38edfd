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
];

export const currentStoreSchemaVersion = storeSchemaVersions.at(-1)?.version ?? 0;
