import type { Database } from 'better-sqlite3';
import { storeSchemaVersions, currentStoreSchemaVersion } from './schema-versions.js';

export class StoreSchemaTooNew extends Error {
  constructor(readonly found: number) {
    super(`the store file has schema version ${found}, newer than this program's ${currentStoreSchemaVersion}: upgrade the program`);
    this.name = 'StoreSchemaTooNew';
  }
}

/** Brings the file to the current schema version, each step in its own transaction. */
export function applyStoreSchema(db: Database): { from: number; to: number } {
  const from = Number(db.pragma('user_version', { simple: true }));
  if (from > currentStoreSchemaVersion) throw new StoreSchemaTooNew(from);
  for (const step of storeSchemaVersions) {
    if (step.version <= from) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return { from, to: currentStoreSchemaVersion };
}
