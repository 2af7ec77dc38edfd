/**
 * Checks an XLSX file's zip container before any parser unpacks it: a zip bomb (a few MB that
 * inflate to gigabytes) or a sheet of millions of rows must be refused before it costs memory.
 *
 * The central directory is read by hand (APPNOTE.TXT 4.3), every entry is inflated with its
 * output bounded by the size the directory declares (a lying size fails the bound), the sum is
 * bounded by MAX_UNPACKED_BYTES, and the worksheets' rows and cells are counted on the raw XML
 * (`<row`, `<c`): what a parser would build objects for.
 */
import { inflateRawSync } from 'node:zlib';
import { MAX_CELLS, MAX_ROWS, MAX_UNPACKED_BYTES, SpreadsheetRefused } from './sheet.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_ENTRIES = 2_000;

export function isZip(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL;
}

interface Entry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

export interface ZipCheck {
  readonly unpackedBytes: number;
  readonly rows: number;
  readonly cells: number;
}

export function checkXlsxContainer(bytes: Buffer): ZipCheck {
  const entries = centralDirectory(bytes);
  if (!entries.some((e) => e.name === 'xl/workbook.xml')) {
    throw new SpreadsheetRefused('not-a-spreadsheet', 'the file is a zip archive but not an Excel workbook (no xl/workbook.xml): save it as .xlsx');
  }
  const declared = entries.reduce((sum, e) => sum + e.size, 0);
  if (declared > MAX_UNPACKED_BYTES) throw unpacksTooLarge(declared);
  let rows = 0;
  let cells = 0;
  for (const entry of entries) {
    const content = inflate(bytes, entry);
    if (/^xl\/worksheets\/[^/]+\.xml$/.test(entry.name)) {
      rows += count(content, '<row ') + count(content, '<row>');
      cells += count(content, '<c ') + count(content, '<c>');
      if (rows > MAX_ROWS) throw new SpreadsheetRefused('too-large', `the workbook has more than ${MAX_ROWS.toLocaleString('en-US')} rows: split it (by region, say) into files of fewer rows`);
      if (cells > MAX_CELLS) throw new SpreadsheetRefused('too-large', `the workbook has more than ${MAX_CELLS.toLocaleString('en-US')} cells: split it into smaller files or delete the unused columns`);
    }
  }
  return { unpackedBytes: declared, rows, cells };
}

function centralDirectory(bytes: Buffer): Entry[] {
  const eocd = findEndOfCentralDirectory(bytes);
  const total = bytes.readUInt16LE(eocd + 10);
  const size = bytes.readUInt32LE(eocd + 12);
  const offset = bytes.readUInt32LE(eocd + 16);
  if (total === 0xffff || offset === 0xffffffff) throw damaged('it uses ZIP64, which no ledger needs');
  if (total > MAX_ENTRIES) throw new SpreadsheetRefused('too-large', `the workbook has ${total} parts: more than any ledger needs`);
  if (offset + size > bytes.length) throw damaged('its directory lies outside the file');
  const entries: Entry[] = [];
  let at = offset;
  for (let i = 0; i < total; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) throw damaged('its directory is cut short');
    const nameLength = bytes.readUInt16LE(at + 28);
    const skip = nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    entries.push({
      name: bytes.toString('utf8', at + 46, at + 46 + nameLength),
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      localOffset: bytes.readUInt32LE(at + 42),
    });
    at += 46 + skip;
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535.
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65_535); at--) {
    if (bytes.readUInt32LE(at) === EOCD) return at;
  }
  throw damaged('it has no zip directory (is the upload cut short?)');
}

function inflate(bytes: Buffer, entry: Entry): Buffer {
  const local = entry.localOffset;
  if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL) throw damaged(`its part ${entry.name} is missing`);
  const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw damaged(`its part ${entry.name} is cut short`);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw damaged(`its part ${entry.name} has two sizes`);
    return data;
  }
  if (entry.method !== 8) throw damaged(`its part ${entry.name} uses a compression Excel does not write`);
  let content: Buffer;
  try {
    content = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    if (error instanceof RangeError) throw unpacksTooLarge(entry.size, entry.name);
    throw damaged(`its part ${entry.name} does not unpack`);
  }
  if (content.length !== entry.size) throw damaged(`its part ${entry.name} is not the size its directory says`);
  return content;
}

function count(content: Buffer, needle: string): number {
  let n = 0;
  for (let at = content.indexOf(needle); at !== -1; at = content.indexOf(needle, at + needle.length)) n++;
  return n;
}

function damaged(why: string): SpreadsheetRefused {
  return new SpreadsheetRefused('not-a-spreadsheet', `the file is not a readable .xlsx workbook: ${why}`);
}

function unpacksTooLarge(bytes: number, part?: string): SpreadsheetRefused {
  return new SpreadsheetRefused('too-large', `the workbook${part === undefined ? '' : `'s part ${part}`} unpacks to more than it declares or to over ${MAX_UNPACKED_BYTES / 1024 / 1024} MB (${bytes.toLocaleString('en-US')} bytes declared): it is not a ledger this import reads`);
}
