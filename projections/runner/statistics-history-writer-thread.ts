/**
 * The statistics' history written on a thread of its own (statistics-history.ts): the fold
 * hands each batch over and goes on, and SQLite's inserts and commits (several µs per event
 * folded) run on another core. After each commit the thread says which batch it wrote: the
 * fold's thread awaits that before a snapshot, and an "as of" answer about the newest moments
 * before it reads them. A batch that fails to write stops the writing: the history is then
 * abandoned (answers replay) and the next start begins it afresh.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { batchWriter, tuneForHistory, type HistoryBatch } from './statistics-history-batch.js';

export interface HistoryWriterData {
  readonly path: string;
}

export type ToHistoryWriter =
  | { readonly type: 'write'; readonly id: number; readonly batch: HistoryBatch }
  | { readonly type: 'stop' };

export type FromHistoryWriter =
  | { readonly type: 'written'; readonly id: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' };

function run(port: NonNullable<typeof parentPort>, settings: HistoryWriterData): void {
  let failed = false;
  const db = new Database(settings.path);
  tuneForHistory(db);
  const write = batchWriter(db);
  port.on('message', (message: ToHistoryWriter) => {
    if (message.type === 'stop') {
      db.close();
      port.postMessage({ type: 'stopped' } satisfies FromHistoryWriter);
      port.close();
      return;
    }
    if (failed) return;
    try {
      write(message.batch);
      port.postMessage({ type: 'written', id: message.id } satisfies FromHistoryWriter);
    } catch (error) {
      failed = true;
      port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromHistoryWriter);
    }
  });
}

if (parentPort !== null) run(parentPort, workerData as HistoryWriterData);
