/**
 * Schema versions of the log's tree file (`DATA_DIR/log-tree.db`, src/log-tree/tree-file.ts),
 * applied in order at open and recorded in `PRAGMA user_version`. A version, once released,
 * is never edited: add the next one.
 */
import type { StoreSchemaVersion } from '../store/schema-versions.js';

export const logTreeSchemaVersions: readonly StoreSchemaVersion[] = [
  {
    version: 1,
    why: 'The Merkle tree over the log in tiles of 256 hashes, the leaves\' positions as runs, and the newest signed checkpoint.',
    sql: `
      -- id = level * 2^40 + tile: level L holds the hashes of the complete subtrees of 2^(4L)
      -- leaves, 256 to a tile (the last tile of a level may be partial); 32 bytes a hash.
      CREATE TABLE tree_tiles (
        id     INTEGER PRIMARY KEY,
        hashes BLOB    NOT NULL
      );
      -- Leaves first_leaf .. first_leaf + length - 1 are the events at positions
      -- first_position .. first_position + length - 1: a log with contiguous positions is one run.
      CREATE TABLE tree_runs (
        first_leaf     INTEGER PRIMARY KEY,
        first_position INTEGER NOT NULL,
        length         INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX tree_runs_by_position ON tree_runs (first_position);
      CREATE TABLE tree_checkpoint (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        size INTEGER NOT NULL,
        note TEXT    NOT NULL
      );
    `,
  },
];
