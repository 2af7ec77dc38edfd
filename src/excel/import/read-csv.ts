/**
 * A CSV ledger (csv-parse) as one sheet of text cells. Bureaus' CSVs come from Excel: UTF-8
 * with a BOM (this product's export), GB18030 (Excel's "CSV" on a Chinese Windows), or UTF-16
 * tab-separated ("Unicode text"); the separator is a comma, a tab or a semicolon, whichever the
 * header line uses most. Binary content (an image, a PDF, an old .xls) is not a CSV.
 */
import { parse } from 'csv-parse/sync';
import { MAX_CELLS, MAX_ROWS, SpreadsheetRefused, type Workbook } from './sheet.js';

/** A record longer than this is not a ledger row (it would be a million commas). */
const MAX_RECORD_CHARS = 256 * 1024;

export function readCsv(bytes: Buffer, charset?: string): Workbook {
  const text = decode(bytes, charset);
  const delimiter = delimiterOf(text);
  let rows = 0;
  let cells = 0;
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_CHARS,
      on_record: (record: string[]) => {
        rows += 1;
        cells += record.length;
        if (rows > MAX_ROWS) throw new SpreadsheetRefused('too-large', `the file has more than ${MAX_ROWS.toLocaleString('en-US')} rows: split it (by region, say) into files of fewer rows`);
        if (cells > MAX_CELLS) throw new SpreadsheetRefused('too-large', `the file has more than ${MAX_CELLS.toLocaleString('en-US')} cells: split it into smaller files`);
        return record;
      },
    });
  } catch (error) {
    if (error instanceof SpreadsheetRefused) throw error;
    throw new SpreadsheetRefused('unreadable', `the CSV cannot be read: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}`);
  }
  return {
    format: 'csv',
    sheets: [{
      name: 'CSV',
      rows: records.map((cells, index) => ({ number: index + 1, cells })),
      merged: [],
      formulas: [],
    }],
  };
}

function decode(bytes: Buffer, charset: string | undefined): string {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes);
  }
  const head = bytes.subarray(0, 8192);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xd0cf11e0) {
    throw new SpreadsheetRefused('not-a-spreadsheet', 'the file is an old Excel .xls workbook (or a password-protected one): save it as .xlsx (Excel 2007 or later) or as CSV, without a password');
  }
  if (head.includes(0)) throw new SpreadsheetRefused('not-a-spreadsheet', 'the file is binary, not a CSV ledger: send the .xlsx workbook or a CSV');
  const named = charset?.toLowerCase();
  if (named !== undefined && named !== 'utf-8' && named !== 'utf8') {
    try {
      return new TextDecoder(named, { fatal: true }).decode(bytes);
    } catch {
      throw new SpreadsheetRefused('not-a-spreadsheet', `the file is not text in ${charset}: send it as UTF-8 or say its charset`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: Excel on a Chinese Windows saves CSV in GB18030 (GBK).
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new SpreadsheetRefused('not-a-spreadsheet', 'the file is neither UTF-8 nor GB18030 text: it is not a CSV ledger');
    }
  }
}

function delimiterOf(text: string): string {
  const firstLines = text.slice(0, 16 * 1024).split(/\r?\n/).slice(0, 30).join('\n');
  const counts = [',', '\t', ';'].map((d) => ({ d, n: firstLines.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0] !== undefined && counts[0].n > 0 ? counts[0].d : ',';
}
