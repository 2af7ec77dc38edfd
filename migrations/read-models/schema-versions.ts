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
];
