/**
 * Cold-start baseline: open the store's SQLite file read-only and read its last position, in
 * a fresh process (Node + tsx + better-sqlite3 loading included). Prints `{ head, queryMs }`.
 */
import Database from 'better-sqlite3';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: head-position.ts <events.db>');
const t0 = performance.now();
const db = new Database(file, { readonly: true });
const row = db.prepare<[], { head: number | null }>('SELECT MAX(position) AS head FROM events').get();
const queryMs = performance.now() - t0;
db.close();
process.stdout.write(`${JSON.stringify({ head: row?.head ?? 0, queryMs })}\n`);
