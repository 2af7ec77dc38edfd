/**
 * An XLSX workbook (exceljs) as sheets of plain cells. The container is checked first
 * (zip-guard.ts), so exceljs never unpacks a bomb; hidden sheets are refused here (a ledger whose
 * rows sit on a sheet nobody sees is not imported on trust), merged ranges and formulas are
 * reported for the ledger reader to judge against its header row.
 */
import type ExcelJS from 'exceljs';
import { excelJs } from '../exceljs.js';
import { checkXlsxContainer } from './zip-guard.js';
import { columnLetters, SpreadsheetRefused, type MergedRange, type Sheet, type SheetCell, type SheetRow, type Workbook } from './sheet.js';

export async function readXlsx(bytes: Buffer): Promise<Workbook> {
  checkXlsxContainer(bytes);
  const excel = await excelJs();
  const workbook = new excel.Workbook();
  try {
    // exceljs types its input as an ArrayBuffer (its own `Buffer`): hand it one of exactly these bytes.
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  } catch (error) {
    throw new SpreadsheetRefused('not-a-spreadsheet', `the file is not a readable .xlsx workbook (${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}): open it in Excel and save it again as .xlsx`);
  }
  const hidden = workbook.worksheets.filter((sheet) => sheet.state !== 'visible');
  if (hidden.length > 0) {
    throw new SpreadsheetRefused('unreadable', `the workbook has hidden sheets (${hidden.map((s) => `「${s.name}」`).join('、')}): unhide them and delete those that are not the ledger, so that what is imported is what you see`);
  }
  return { format: 'xlsx', sheets: workbook.worksheets.map((sheet) => sheetOf(sheet, excel.ValueType)) };
}

type ValueTypes = typeof ExcelJS.ValueType;

function sheetOf(worksheet: ExcelJS.Worksheet, ValueType: ValueTypes): Sheet {
  const rows: SheetRow[] = [];
  const formulas: { row: number; address: string; formula: string }[] = [];
  const merges = new Map<string, { top: number; left: number; bottom: number; right: number }>();
  const extend = (master: ExcelJS.Cell, row: number, column: number): void => {
    const range = merges.get(master.address) ?? { top: Number(master.row), left: Number(master.col), bottom: Number(master.row), right: Number(master.col) };
    range.top = Math.min(range.top, row);
    range.left = Math.min(range.left, column);
    range.bottom = Math.max(range.bottom, row);
    range.right = Math.max(range.right, column);
    merges.set(master.address, range);
  };
  worksheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: SheetCell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, column) => {
      if (cell.type === ValueType.Merge) {
        extend(cell.master, rowNumber, column);
        return;
      }
      if (cell.type === ValueType.Formula) {
        formulas.push({ row: rowNumber, address: `${columnLetters(column)}${rowNumber}`, formula: cell.formula ?? cell.text });
      }
      cells[column - 1] = valueOf(cell, ValueType);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= null;
    rows.push({ number: rowNumber, cells });
  });
  const merged: MergedRange[] = [...merges.values()].map((r) => ({
    ...r, ref: `${columnLetters(r.left)}${r.top}:${columnLetters(r.right)}${r.bottom}`,
  }));
  return { name: worksheet.name, rows, merged, formulas };
}

function valueOf(cell: ExcelJS.Cell, ValueType: ValueTypes): SheetCell {
  switch (cell.type) {
    case ValueType.Null:
    case ValueType.Merge:
      return null;
    case ValueType.Number:
      return typeof cell.value === 'number' ? cell.value : cell.text;
    case ValueType.Date:
      return cell.value instanceof Date ? cell.value : cell.text;
    case ValueType.Boolean:
      return cell.value === true;
    case ValueType.Formula: {
      const result = cell.result;
      if (result === undefined || result === null) return null;
      if (typeof result === 'number' || typeof result === 'string' || typeof result === 'boolean' || result instanceof Date) return result;
      return cell.text;
    }
    case ValueType.String:
    case ValueType.SharedString:
    case ValueType.RichText:
    case ValueType.Hyperlink:
    case ValueType.Error:
      return cell.text;
    default:
      return cell.text;
  }
}
