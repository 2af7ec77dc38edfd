import type { Database } from 'better-sqlite3';
import { storeSchemaVersions, type StoreSchemaVersion } from './schema-versions.js';

export class StoreSchemaTooNew extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(`the file has schema version ${found}, newer than this program's ${known}: upgrade the program`);
    this.name = 'StoreSchemaTooNew';
  }
}

/** Brings a SQLite file to the newest of `versions`, each step in its own transaction. */
export function applyStoreSchema(db: Database, versions: readonly StoreSchemaVersion[] = storeSchemaVersions): { from: number; to: number } {
  const from = Number(db.pragma('user_version', { simple: true }));
  const newest = versions.at(-1)?.version ?? 0;
  if (from > newest) throw new StoreSchemaTooNew(from, newest);
  for (const step of versions) {
    if (step.version <= from) continue;
    db.transaction(() => {
      db.exec(step.sql);
      step.apply?.(db);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return { from, to: newest };
}
