/**
 * The log's tree, maintained in a worker thread for the embedded store's file: the hashing
 * (a SHA-256 per leaf and about one per node, over canonical JSON) runs on another core, not
 * on the thread that answers commands. It reads new events straight from events.db on a
 * read-only connection of its own (WAL: it never blocks the writer), appends their leaves to
 * the tree file in batches, and tells the main thread after each commit. It is the tree
 * file's only writer while it runs; the main thread reads it on its own connection.
 */
import Database from 'better-sqlite3';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { JsonObject } from '../event-store/port.js';
import { leafText } from './leaf.js';
import { leafHash } from './merkle.js';
import { TreeFile } from './tree-file.js';

export interface TreeWorkerData {
  readonly eventsPath: string;
  readonly treePath: string;
  /** How long to wait when the log has nothing new (ms). */
  readonly idleMs: number;
}

export type ToTreeWorker =
  | { readonly type: 'save-checkpoint'; readonly size: number; readonly note: string }
  | { readonly type: 'stop' };

export type FromTreeWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'appended'; readonly size: number; readonly lastPosition: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' };

const BATCH = 4096;

type Row = [position: number, streamId: string, revision: number, id: string, type: string, data: string, metadata: string, recordedAt: string];

function run(port: NonNullable<typeof parentPort>, settings: TreeWorkerData): void {
  // A lower priority for this thread alone (on Linux, setpriority on pid 0 is the calling
  // thread): when the machine has no idle core, commands get about three times the tree's
  // share of it. Not the lowest: the tree must still keep up, checkpoints within a second.
  try {
    setPriority(5);
  } catch {
    // Not permitted here: the tree runs at the process's priority.
  }
  const events = new Database(settings.eventsPath, { readonly: true, fileMustExist: true });
  const treeDb = new Database(settings.treePath);
  treeDb.pragma('journal_mode = WAL');
  treeDb.pragma('synchronous = NORMAL');
  const tree = new TreeFile(treeDb);
  const next = events.prepare<[number, number], Row>(
    'SELECT position, stream_id, revision, id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?').raw(true);
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const step = (): void => {
    timer = undefined;
    if (stopping) return;
    let rows: Row[];
    try {
      rows = next.all(tree.lastPosition, BATCH);
      if (rows.length > 0) {
        tree.append(rows.map((row) => ({
          position: row[0],
          hash: leafHash(leafText({
            streamId: row[1], revision: row[2], id: row[3], type: row[4],
            data: JSON.parse(row[5]) as JsonObject, metadata: JSON.parse(row[6]) as JsonObject, recordedAt: row[7],
          })),
        })));
        const appended: FromTreeWorker = { type: 'appended', size: tree.size, lastPosition: tree.lastPosition };
        port.postMessage(appended);
      }
    } catch (error) {
      const failed: FromTreeWorker = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
      port.postMessage(failed);
      rows = [];
    }
    // A full batch: more is waiting, go on at once (after the messages); else wait a little.
    timer = setTimeout(step, rows.length === BATCH ? 0 : settings.idleMs);
  };

  port.on('message', (message: ToTreeWorker) => {
    switch (message.type) {
      case 'save-checkpoint':
        tree.saveCheckpoint(message.size, message.note);
        return;
      case 'stop': {
        stopping = true;
        if (timer !== undefined) clearTimeout(timer);
        // One last look, so that everything committed before the stop is in the tree.
        stopping = false;
        step();
        stopping = true;
        if (timer !== undefined) clearTimeout(timer);
        events.close();
        treeDb.close();
        const stopped: FromTreeWorker = { type: 'stopped' };
        port.postMessage(stopped);
        port.close();
        return;
      }
      default: {
        const unknown: never = message;
        return unknown;
      }
    }
  });
  const ready: FromTreeWorker = { type: 'ready' };
  port.postMessage(ready);
  step();
}

if (parentPort !== null) run(parentPort, workerData as TreeWorkerData);
