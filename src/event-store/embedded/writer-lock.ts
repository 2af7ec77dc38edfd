/**
 * One writer process per store file. Two processes appending to one file would each keep their
 * own group commit, their own idea of the last record time and their own live feed, and each
 * would wait on the other's locks; so the writer takes a lock first and a second one is refused,
 * naming the process that holds it.
 *
 * The lock is SQLite's own: a small side file (`events.db.lock`) opened in exclusive locking
 * mode and written once, so the connection keeps its exclusive lock until it closes. The
 * operating system drops it when the process dies, however it dies: a SIGKILLed server leaves
 * no stale lock behind, and no pid needs checking for liveness. Who holds it is written beside
 * it (`events.db.writer`), for the refusal's message only.
 *
 * Readers (the CLI, a backup) never take it: they open the store file read-only.
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StoreUnavailable } from '../errors.js';

export interface WriterIdentity {
  readonly pid: number;
  readonly host: string;
  /** When it took the lock (ISO). */
  readonly since: string;
  /** Its command line, to tell a server from a CLI. */
  readonly command: string;
}

/** Another process writes this store file. */
export class StoreInUse extends StoreUnavailable {
  constructor(readonly storePath: string, readonly holder: WriterIdentity | undefined) {
    super(holder
      ? `another process writes ${storePath}: pid ${holder.pid} on ${holder.host} (${holder.command}), since ${holder.since}. `
        + 'Stop it first; a second process may only read the store.'
      : `another process writes ${storePath} (it holds ${storePath}.lock). Stop it first; a second process may only read the store.`);
    this.name = 'StoreInUse';
  }
}

export interface WriterLock {
  release(): void;
}

export function acquireWriterLock(storePath: string): WriterLock {
  const lockPath = `${storePath}.lock`;
  const identityPath = `${storePath}.writer`;
  // timeout 0: a held lock is an answer now, never a wait.
  const lock = new Database(lockPath, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    lock.exec('CREATE TABLE IF NOT EXISTS held (since TEXT NOT NULL); DELETE FROM held;');
    lock.prepare('INSERT INTO held (since) VALUES (?)').run(new Date().toISOString());
    lock.exec('COMMIT');
  } catch (error) {
    lock.close();
    if (isBusy(error)) throw new StoreInUse(storePath, readIdentity(identityPath));
    throw new StoreUnavailable(`cannot take the writer lock ${lockPath}: ${String(error)}`, { cause: error });
  }
  const identity: WriterIdentity = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    command: [process.argv0, ...process.argv.slice(1)].join(' '),
  };
  try {
    writeFileSync(identityPath, `${JSON.stringify(identity)}\n`);
  } catch {
    // Only the refusal's message would miss it: the lock is what counts.
  }
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      if (readIdentity(identityPath)?.pid === process.pid) rmSync(identityPath, { force: true });
      lock.close();
    },
  };
}

export function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error &&
    typeof error.code === 'string' && error.code.startsWith('SQLITE_BUSY');
}

function readIdentity(path: string): WriterIdentity | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('pid' in parsed) || !('host' in parsed) ||
        !('since' in parsed) || !('command' in parsed)) return undefined;
    const { pid, host, since, command } = parsed;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string' || typeof command !== 'string') return undefined;
    return { pid, host, since, command };
  } catch {
    return undefined;
  }
}
