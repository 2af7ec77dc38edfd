/**
 * The statistics' history written on a thread of its own (statistics-history.ts): the fold
 * hands each batch over and goes on, and SQLite's inserts and commits (several µs per event
 * folded) run on another core. After each commit the thread raises the shared count of
 * batches written, which the fold's thread waits on before it reads the history or takes a
 * snapshot. A batch that fails to write sets the count to −1: the history is then abandoned
 * (answers replay) and the next start begins it afresh.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { batchWriter, tuneForHistory, type HistoryBatch } from './statistics-history-batch.js';

export interface HistoryWriterData {
  readonly path: string;
  /** [0]: batches written (−1: failed). */
  readonly written: SharedArrayBuffer;
}

export type ToHistoryWriter =
  | { readonly type: 'write'; readonly id: number; readonly batch: HistoryBatch }
  | { readonly type: 'stop' };

export type FromHistoryWriter = { readonly type: 'failed'; readonly message: string } | { readonly type: 'stopped' };

function run(port: NonNullable<typeof parentPort>, settings: HistoryWriterData): void {
  const written = new Int32Array(settings.written);
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
    if (Atomics.load(written, 0) < 0) return;
    try {
      write(message.batch);
      Atomics.store(written, 0, message.id);
    } catch (error) {
      Atomics.store(written, 0, -1);
      port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromHistoryWriter);
    }
    Atomics.notify(written, 0);
  });
}

if (parentPort !== null) run(parentPort, workerData as HistoryWriterData);
