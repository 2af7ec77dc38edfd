/**
 * A ledger file imported: read (XLSX or CSV), its rows read into records, each planned by the
 * project decider and (unless a dry run) appended, and the answer of every row: accepted with
 * the events it appends (or would), unchanged (everything it says is recorded), refused with
 * its problems (row, column, cell, value, what to fix, and the rule when a rule refused it), or
 * skipped (a total row). Used by POST /v1/imports and `npm run pipeline -- import`.
 */
import type { Actor } from '../../../commands/metadata.js';
import { clockAt } from '../../../commands/shared/clock.js';
import { importLedger, type RowOutcome } from '../../../commands/ledger-import/import-ledger.js';
import type { LedgerRecord } from '../../../commands/ledger-import/ledger-record.js';
import type { CommandContext } from '../../../commands/handle-command.js';
import type { JsonObject } from '../../event-store/port.js';
import type { EventStore } from '../../event-store/port.js';
import type { Clock } from '../../clock.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import { dataInWan } from '../../http/routes/project-bodies.js';
import { readCsv } from './read-csv.js';
import { readLedger, type CellProblem, type LedgerColumnRead } from './read-ledger.js';
import { readXlsx } from './read-xlsx.js';
import { regionResolver } from './region-names.js';
import { SpreadsheetRefused, type SpreadsheetFormat, type Workbook } from './sheet.js';
import { isZip } from './zip-guard.js';

export interface ImportFileOptions {
  readonly store: EventStore;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly regions: RegionCatalogue;
  readonly clock: Clock;
  readonly dryRun: boolean;
  /** The read side: the project registered under this name in this region, if any. */
  readonly projectNamed: (name: string, regionCode: string) => string | undefined;
  /** Called once the rows are read (how many) and as they are imported (how many done). */
  readonly onRows?: (total: number) => void;
  readonly onProgress?: (done: number) => void;
}

export type ImportRowAnswer =
  | { readonly row: number; readonly status: 'accepted'; readonly projectId: string; readonly name: string; readonly existing: boolean; readonly events: readonly ImportEventAnswer[]; readonly notes: readonly string[] }
  | { readonly row: number; readonly status: 'unchanged'; readonly projectId: string; readonly name: string; readonly notes: readonly string[] }
  | { readonly row: number; readonly status: 'refused'; readonly projectId: string | null; readonly name: string | null; readonly problems: readonly CellProblem[] }
  | { readonly row: number; readonly status: 'skipped'; readonly reason: string };

export interface ImportEventAnswer {
  readonly type: string;
  readonly occurredOn: string | null;
  /** Amounts in 万元, as every answer shows money. */
  readonly data: JsonObject;
  readonly flags: readonly string[];
}

export interface ImportAnswer {
  readonly dryRun: boolean;
  readonly format: SpreadsheetFormat;
  readonly sheet: string;
  readonly headerRow: number;
  readonly columns: readonly LedgerColumnRead[];
  readonly assumptions: readonly string[];
  readonly summary: {
    readonly rows: number;
    readonly accepted: number;
    readonly unchanged: number;
    readonly refused: number;
    readonly skipped: number;
    /** Events appended (a dry run: that would be). */
    readonly events: number;
  };
  /** Global position of the last event appended; pass it as minPosition to read the import. */
  readonly position: number;
  readonly rows: readonly ImportRowAnswer[];
}

export type DeclaredFormat = SpreadsheetFormat | 'sniff';

/** The workbook in the bytes: by the declared format, or by its first bytes. */
export async function readSpreadsheet(bytes: Buffer, declared: DeclaredFormat, charset?: string): Promise<Workbook> {
  if (bytes.length === 0) throw new SpreadsheetRefused('unreadable', 'the file is empty: there is no row to import');
  const format = declared === 'sniff' ? (isZip(bytes) ? 'xlsx' : 'csv') : declared;
  if (format === 'xlsx') {
    if (!isZip(bytes)) throw new SpreadsheetRefused('not-a-spreadsheet', 'the body is not an .xlsx workbook (an .xlsx file is a zip archive): send the workbook as saved by Excel, or the ledger as CSV with Content-Type text/csv');
    return readXlsx(bytes);
  }
  if (isZip(bytes)) throw new SpreadsheetRefused('not-a-spreadsheet', 'the body is a zip archive, not CSV: send an .xlsx workbook with its own content type');
  return readCsv(bytes, charset);
}

export async function importLedgerFile(workbook: Workbook, options: ImportFileOptions): Promise<ImportAnswer> {
  const today = clockAt(options.clock.now()).today;
  const ledger = await readLedger(workbook, { regions: regionResolver(options.regions, options.actor), today });
  const records: LedgerRecord[] = ledger.rows.flatMap((row) => (row.kind === 'record' ? [row.record] : []));
  options.onRows?.(records.length);
  const context: CommandContext = {
    actor: options.actor,
    correlationId: options.correlationId,
    ...(options.causationId === undefined ? {} : { causationId: options.causationId }),
  };
  const imported = await importLedger(records, {
    store: options.store,
    context,
    dryRun: options.dryRun,
    clock: () => clockAt(options.clock.now()),
    projectNamed: options.projectNamed,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const outcomes = new Map(imported.outcomes.map((outcome) => [outcome.row, outcome]));
  const names = new Map(records.map((record) => [record.row, record.registration.name]));
  const rows = ledger.rows.map((row): ImportRowAnswer => {
    switch (row.kind) {
      case 'skipped':
        return { row: row.row, status: 'skipped', reason: row.reason };
      case 'problems':
        return { row: row.row, status: 'refused', projectId: null, name: row.name, problems: row.problems };
      case 'record': {
        const outcome = outcomes.get(row.row);
        if (outcome === undefined) throw new Error(`row ${row.row} was not imported`);
        return answerOf(outcome, names.get(row.row) ?? '');
      }
      default: {
        const unhandled: never = row;
        return unhandled;
      }
    }
  });
  const count = (status: ImportRowAnswer['status']) => rows.filter((row) => row.status === status).length;
  return {
    dryRun: options.dryRun,
    format: workbook.format,
    sheet: ledger.sheet,
    headerRow: ledger.headerRow,
    columns: ledger.columns,
    assumptions: ledger.assumptions,
    summary: {
      rows: rows.length,
      accepted: count('accepted'),
      unchanged: count('unchanged'),
      refused: count('refused'),
      skipped: count('skipped'),
      events: rows.reduce((sum, row) => sum + (row.status === 'accepted' ? row.events.length : 0), 0),
    },
    position: imported.position,
    rows,
  };
}

function answerOf(outcome: RowOutcome, name: string): ImportRowAnswer {
  switch (outcome.status) {
    case 'accepted':
      return {
        row: outcome.row, status: 'accepted', projectId: outcome.projectId, name, existing: outcome.existing, notes: outcome.notes,
        events: outcome.events.map((event) => ({
          type: event.type,
          occurredOn: typeof event.data['occurredOn'] === 'string' ? event.data['occurredOn'] : null,
          data: dataInWan(event.type, event.data),
          flags: event.flags,
        })),
      };
    case 'unchanged':
      return { row: outcome.row, status: 'unchanged', projectId: outcome.projectId, name, notes: outcome.notes };
    case 'refused': {
      const { rule, message, source } = outcome.refusal;
      return {
        row: outcome.row, status: 'refused', projectId: outcome.projectId, name,
        problems: [{ ...source, problem: message, fix: RULE_FIXES[rule] ?? 'correct the cell so that the rule holds, or clear it', rule }],
      };
    }
    default: {
      const unhandled: never = outcome;
      return unhandled;
    }
  }
}

/** What to change in the file when a rule refuses a row's event. */
const RULE_FIXES: Readonly<Record<string, string>> = {
  'milestone-dates-in-order': 'the dates must follow the stages (签约 ≤ 开工 < 竣工 ≤ 投产 < 达产): correct this date or the one before it',
  'stage-cannot-be-skipped': 'a project is completed (竣工) before it is commissioned (投产), and commissioned before full production (达产): fill in the missing date',
  'stage-moves-forward': 'the stages only move forward: correct the dates',
  'occurred-on-not-in-future': 'a milestone cannot be dated after today: correct the date, or clear it until it happens',
  'occurred-on-not-before-registration': 'no date may come before 登记日期: correct 登记日期 or this date',
  'only-attracted-projects-sign': 'local and government projects are never signed: set 项目来源 to 招商引资, or clear 签约日期',
  'statistics-needs-started': '入库入统 needs 开工 on or before it: fill in 开工日期, or correct 入库时间',
  'statistics-threshold-500wan': 'only projects of at least 500 万元 enter the statistics: check 计划总投资 (and its unit), or clear 入库时间',
  'statistics-month-not-ahead': 'the statistics month cannot be after this month',
  'investment-needs-started': 'completed investment needs 开工 (its month not before the start): fill in 开工日期, or clear 累计完成投资',
  'investment-period-not-ahead': 'a month of completed investment cannot be after this month',
  'region-unknown': 'check the region code, or register the custom region (开发区, 新区) first',
  'project-id-mismatch': 'check 项目编号',
};
