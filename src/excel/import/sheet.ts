/**
 * A sheet as the ledger import reads it, whatever the file was: rows of cells with their
 * numbers as Excel shows them, and what Excel would hide from a reader (merged ranges, formula
 * cells), so the import can refuse what it cannot read faithfully.
 *
 * The bounds keep one upload from taking the server down: a file is refused before it is
 * parsed when it would unpack to more than MAX_UNPACKED_BYTES or hold more than MAX_ROWS rows
 * or MAX_CELLS cells (a zip bomb, a sheet of a million rows), so the work and memory of an
 * import stay within a fixed multiple of these.
 */
export type SheetCell = string | number | boolean | Date | null;

export interface SheetRow {
  /** 1-based, as Excel numbers the row (for a CSV: the record's number). */
  readonly number: number;
  readonly cells: readonly SheetCell[];
}

export interface MergedRange {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
  readonly ref: string;
}

export interface Sheet {
  readonly name: string;
  readonly rows: readonly SheetRow[];
  readonly merged: readonly MergedRange[];
  /** Cells holding a formula, by address (`F7`), with the formula. */
  readonly formulas: readonly { readonly row: number; readonly address: string; readonly formula: string }[];
}

export type SpreadsheetFormat = 'xlsx' | 'csv';

export interface Workbook {
  readonly format: SpreadsheetFormat;
  /** The visible sheets, in workbook order. */
  readonly sheets: readonly Sheet[];
}

export const MAX_ROWS = 100_000;
export const MAX_CELLS = 1_500_000;
export const MAX_UNPACKED_BYTES = 128 * 1024 * 1024;

/**
 * Why a file cannot be imported at all (as opposed to a row refused): not a spreadsheet (HTTP
 * 415), too large to read (413), or a spreadsheet the import cannot read faithfully (400).
 */
export class SpreadsheetRefused extends Error {
  constructor(readonly reason: 'not-a-spreadsheet' | 'too-large' | 'unreadable', message: string) {
    super(message);
    this.name = 'SpreadsheetRefused';
  }
}

/** Column letters of a 1-based column number: 1 → A, 27 → AA. */
export function columnLetters(column: number): string {
  let n = column;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
