/**
 * The read side's long reads on a thread of their own (read-worker.ts): a province's ledger as
 * CSV or as cells, and its compliance list, read from the history's rows on this thread's own
 * read-only connection. Read on the server's thread, 10⁵ projects take seconds of its time a
 * slice per turn, and every command and SSE client waits behind the slices; here they take
 * another core. The rows read are those valid at one position (read with the head in one
 * transaction, or the "as of" position given), which never change: every answer is of it.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { mapForReads } from './statistics-history-batch.js';
import { FactsHistoryReader, type FactScope, type FactStates } from './facts-history.js';
import { runNow } from '../shared/sliced.js';
import { ledgerCells, ledgerCsvChunks, type LedgerFilter } from '../project-ledger/index.js';
import { complianceFlags, complianceScan, type ComplianceQuery } from '../compliance/index.js';
import type { IsoDate } from '../../commands/shared/dates.js';

export interface ReadWorkerData {
  readonly path: string;
}

/** Where a read stands: the history's head (at least `atLeast`), or a position "as of". */
export type ReadAt = { readonly now: true; readonly atLeast: number } | { readonly now: false; readonly position: number };

export type ReadRequest =
  | { readonly kind: 'csv'; readonly filter: LedgerFilter; readonly flagsOn: IsoDate }
  | { readonly kind: 'cells'; readonly filter: LedgerFilter; readonly flagsOn: IsoDate }
  | { readonly kind: 'compliance'; readonly query: ComplianceQuery };

export type ToReadWorker =
  | { readonly type: 'read'; readonly id: number; readonly at: ReadAt; readonly scope: FactScope; readonly request: ReadRequest }
  | { readonly type: 'stop' };

export type FromReadWorker =
  | { readonly type: 'position'; readonly id: number; readonly position: number }
  | { readonly type: 'part'; readonly id: number; readonly part: unknown }
  | { readonly type: 'done'; readonly id: number; readonly value?: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** CSV text posted at a time. */
const CSV_PART_CHARS = 256 * 1024;
/** Ledger rows of cells posted at a time. */
const CELL_ROWS_PER_PART = 4_096;

function run(port: NonNullable<typeof parentPort>, settings: ReadWorkerData): void {
  const db = new Database(settings.path, { readonly: true, fileMustExist: true });
  mapForReads(db);
  const reader = new FactsHistoryReader(db);
  const head = db.prepare<[], number | null>('SELECT max(position) FROM statistics_log').pluck();

  const statesAt = (at: ReadAt, scope: FactScope): { readonly position: number; readonly states: FactStates } => {
    if (!at.now) return { position: at.position, states: runNow(reader.statesAt(at.position, scope)) };
    // The head and fact_now in one transaction: fact_now is at that position.
    return db.transaction(() => {
      const position = head.get() ?? 0;
      if (position < at.atLeast) throw new Error(`the history's rows are at ${position}, not yet at ${at.atLeast}`);
      return { position, states: reader.currentStatesAt(position, scope) };
    })();
  };

  port.on('message', (message: ToReadWorker) => {
    if (message.type === 'stop') {
      db.close();
      port.close();
      return;
    }
    const { id, request } = message;
    try {
      const { position, states } = statesAt(message.at, message.scope);
      port.postMessage({ type: 'position', id, position } satisfies FromReadWorker);
      switch (request.kind) {
        case 'csv': {
          const state = states.compliance;
          let text = '';
          for (const line of ledgerCsvChunks(state, complianceFlags(state, request.flagsOn), request.filter)) {
            text += line;
            if (text.length >= CSV_PART_CHARS) {
              port.postMessage({ type: 'part', id, part: text } satisfies FromReadWorker);
              text = '';
            }
          }
          if (text.length > 0) port.postMessage({ type: 'part', id, part: text } satisfies FromReadWorker);
          port.postMessage({ type: 'done', id } satisfies FromReadWorker);
          return;
        }
        case 'cells': {
          const state = states.compliance;
          let rows: string[][] = [];
          for (const cells of ledgerCells(state, complianceFlags(state, request.flagsOn), request.filter)) {
            if (rows.push(cells) >= CELL_ROWS_PER_PART) {
              port.postMessage({ type: 'part', id, part: rows } satisfies FromReadWorker);
              rows = [];
            }
          }
          if (rows.length > 0) port.postMessage({ type: 'part', id, part: rows } satisfies FromReadWorker);
          port.postMessage({ type: 'done', id } satisfies FromReadWorker);
          return;
        }
        case 'compliance':
          port.postMessage({ type: 'done', id, value: runNow(complianceScan(states.compliance, request.query)) } satisfies FromReadWorker);
          return;
      }
    } catch (error) {
      port.postMessage({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) } satisfies FromReadWorker);
    }
  });
}

if (parentPort !== null) run(parentPort, workerData as ReadWorkerData);
