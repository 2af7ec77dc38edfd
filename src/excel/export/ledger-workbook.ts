/**
 * The ledger (台账) as an XLSX workbook, from the same cells as the CSV export: typed cells
 * (dates as dates, 万元 as numbers shown with two decimals), the header row frozen, filters on
 * it, and column widths to read it by. Pure: plain rows in, the file's bytes out. Written with
 * exceljs's streaming writer, row by row, so a province's 10⁵ rows are never one object graph.
 */
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import { excelJs } from '../exceljs.js';
import type { CellKind } from '../../../projections/project-ledger/index.js';
import { columnLetters } from '../import/sheet.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface LedgerWorkbookInput {
  readonly columns: readonly { readonly header: string; readonly kind: CellKind }[];
  readonly rows: Iterable<readonly string[]>;
  /** The sheet's name (at most 31 characters, no []:*?/\). */
  readonly sheetName?: string;
}

const WIDTHS: Readonly<Record<CellKind, number>> = {
  code: 14, label: 12, 'free-text': 30, date: 12, month: 10, amount: 16, number: 12, integer: 8, 'amounts-by-month': 36,
};

export const AMOUNT_FORMAT = '#,##0.00';
export const DATE_FORMAT = 'yyyy-mm-dd';

export async function ledgerWorkbook(input: LedgerWorkbookInput): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => { out.on('end', resolve); out.on('error', reject); });
  const excel = await excelJs();
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(input.sheetName ?? '项目台账', { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  sheet.columns = input.columns.map(({ header, kind }) => ({
    header,
    width: Math.max(WIDTHS[kind], header.length * 2 + 2),
    style: styleOf(kind),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: 'A1', to: `${columnLetters(input.columns.length)}1` };
  for (const cells of input.rows) {
    sheet.addRow(input.columns.map(({ kind }, i) => typed(kind, cells[i] ?? ''))).commit();
  }
  sheet.commit();
  await workbook.commit();
  await finished;
  return Buffer.concat(chunks);
}

function styleOf(kind: CellKind): Partial<ExcelJS.Style> {
  switch (kind) {
    case 'amount': return { numFmt: AMOUNT_FORMAT };
    case 'number': return { numFmt: '0.00' };
    case 'integer': return { numFmt: '0' };
    case 'date': return { numFmt: DATE_FORMAT };
    case 'code':
    case 'label':
    case 'free-text':
    case 'month':
    case 'amounts-by-month':
      return { numFmt: '@' };
    default: {
      const unhandled: never = kind;
      return unhandled;
    }
  }
}

/** A CSV cell as the value Excel should hold: a date, a number, or text as written. */
export function typed(kind: CellKind, text: string): ExcelJS.CellValue {
  if (text === '') return null;
  switch (kind) {
    case 'date':
      // Midnight UTC is the day itself to Excel (exceljs writes the UTC date's serial).
      return new Date(`${text}T00:00:00Z`);
    case 'amount':
    case 'number':
    case 'integer':
      return Number(text);
    case 'code':
    case 'label':
    case 'free-text':
    case 'month':
    case 'amounts-by-month':
      return text;
    default: {
      const unhandled: never = kind;
      return unhandled;
    }
  }
}
