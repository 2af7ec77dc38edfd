/**
 * A ledger cell as bureaus write it, read into the value an event takes: dates as Excel
 * dates or as `2026-03-05`, `2026/3/5`, `2026年3月5日`, `2026.3.5`, `20260305`; amounts in 万元
 * (or 亿元 when the header or the cell says so) with thousands separators; months; labels.
 * Each reader answers the value, or a problem with what to fix.
 */
import { amountFromWan, hasAtMostTwoDecimals, MAX_WAN, type Amount } from '../../../commands/shared/money.js';
import { isCalendarDate, type IsoDate, type Period } from '../../../commands/shared/dates.js';
import type { SheetCell } from './sheet.js';

export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string; readonly fix: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (problem: string, fix: string): Read<never> => ({ ok: false, problem, fix });

/** Full-width digits and punctuation (１２３，４５６．７８) as ASCII, spaces trimmed. */
export function normalText(value: string): string {
  return value.normalize('NFKC').replace(/[\u00A0\u3000]/g, ' ').trim();
}

/** The text of a cell as shown (dates as YYYY-MM-DD), for problems and free-text fields. */
export function cellText(cell: SheetCell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return cell.trim();
}

export function isBlank(cell: SheetCell): boolean {
  return cell === null || (typeof cell === 'string' && normalText(cell) === '');
}

const DATE_FIX = 'write the date as 2026-03-05, 2026/3/5, 2026年3月5日 or 2026.3.5, or as an Excel date';
/** Excel's day 0 is 1899-12-30 (its 1900 leap-year bug included); serials of 1949–2100. */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const SERIALS = { min: 17_899, max: 73_415 };

export function readDate(cell: SheetCell): Read<IsoDate> {
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return bad('not a date', DATE_FIX);
    // exceljs reads an Excel date as that day's midnight UTC: the date is the UTC one.
    const date = cell.toISOString().slice(0, 10);
    return isCalendarDate(date) ? ok(date) : bad(`${date} is not a plausible date`, DATE_FIX);
  }
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= SERIALS.min && cell <= SERIALS.max) {
      return ok(new Date(EXCEL_EPOCH_MS + cell * 86_400_000).toISOString().slice(0, 10));
    }
    if (Number.isInteger(cell) && cell >= 19_490_101 && cell <= 21_001_231) return readDate(String(cell));
    return bad('not a date', DATE_FIX);
  }
  if (typeof cell !== 'string') return bad('not a date', DATE_FIX);
  const text = normalText(cell).replace(/\s+/g, '');
  const match = /^(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text)
    // An ISO time from a system export: the date part.
    ?? /^(\d{4})-(\d{2})-(\d{2})T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!match) return bad('not a date', DATE_FIX);
  const date = `${match[1]}-${(match[2] ?? '').padStart(2, '0')}-${(match[3] ?? '').padStart(2, '0')}`;
  return isCalendarDate(date) ? ok(date) : bad(`${date} is not a calendar date`, DATE_FIX);
}

const MONTH_FIX = 'write the month as 2026-03, 2026/3 or 2026年3月';

export function readMonth(cell: SheetCell): Read<Period> {
  if (cell instanceof Date) return readDate(cell).ok ? ok(cell.toISOString().slice(0, 7)) : bad('not a month', MONTH_FIX);
  const text = normalText(cellText(cell)).replace(/\s+/g, '');
  const match = /^(\d{4})(?:[-/.年])(\d{1,2})月?$/.exec(text) ?? /^(\d{4})(\d{2})$/.exec(text);
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12 || Number(match[1]) < 1949) return bad('not a month', MONTH_FIX);
  return ok(`${match[1]}-${String(month).padStart(2, '0')}`);
}

export type MoneyUnit = '万元' | '亿元' | '元';
const PER_WAN: Readonly<Record<MoneyUnit, number>> = { 万元: 1, 亿元: 10_000, 元: 0.0001 };

/**
 * An amount in `unit` (the header's) as an integer Amount of 0.01 万元. A unit written in the
 * cell (`3.5亿`, `1,200万元`) wins over the header's. Thousands separators are taken out.
 */
export function readAmount(cell: SheetCell, unit: MoneyUnit): Read<Amount> {
  const fix = `write an amount in ${unit} such as 1,250.5 (at most two decimals of 万元)`;
  let text: string;
  if (typeof cell === 'number') text = String(cell);
  else if (typeof cell === 'string') text = normalText(cell).replace(/\s+/g, '');
  else return bad('not an amount', fix);
  const match = /^([+-]?[\d,]*\.?\d+)(亿元|亿|万元|万|元)?$/.exec(text);
  if (!match?.[1] || !/^[+-]?(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$|^[+-]?\.\d+$/.test(match[1])) return bad('not an amount', fix);
  const written = match[2];
  const cellUnit: MoneyUnit = written === undefined ? unit : written.startsWith('亿') ? '亿元' : written.startsWith('万') ? '万元' : '元';
  const wan = Number(match[1].replaceAll(',', '')) * PER_WAN[cellUnit];
  if (!Number.isFinite(wan)) return bad('not an amount', fix);
  if (wan < 0) return bad('amounts cannot be negative', fix);
  const rounded = Math.round(wan * 100) / 100;
  if (!hasAtMostTwoDecimals(wan) && cellUnit === '万元') return bad('more than two decimals of 万元', fix);
  if (rounded > MAX_WAN) return bad(`above ${MAX_WAN} 万元: not plausible`, `${fix}; check the unit (万元 or 亿元)`);
  return ok(amountFromWan(rounded));
}

/** A plain number (亩), at most two decimals, > 0. */
export function readArea(cell: SheetCell): Read<number> {
  const fix = 'write the area in 亩 with at most two decimals, such as 120.5';
  const text = typeof cell === 'number' ? String(cell) : normalText(cellText(cell)).replace(/[\s,]/g, '').replace(/亩$/, '');
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) return bad('not an area', fix);
  if (n <= 0) return bad('an area must be above 0', fix);
  if (!hasAtMostTwoDecimals(n)) return bad('more than two decimals', fix);
  return ok(n);
}

/** A share of capacity in percent (60 or 60%), 0 to 100, at most two decimals. */
export function readCapacityPct(cell: SheetCell): Read<number> {
  const fix = 'write the commissioned share of capacity in percent, such as 60 or 60%';
  const text = typeof cell === 'number' ? String(cell) : normalText(cellText(cell)).replace(/[\s,]/g, '').replace(/[%％]$/, '');
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) return bad('not a percentage', fix);
  if (n < 0 || n > 100) return bad('a share of capacity is between 0 and 100 %', fix);
  if (!hasAtMostTwoDecimals(n)) return bad('more than two decimals', fix);
  return ok(n);
}

/**
 * One of a set of coded values, written as the code itself or as one of its Chinese labels
 * (exact, or a label the text starts with: 正式合同（已签） → formal).
 */
export function readChoice<Code extends string>(
  cell: SheetCell, labels: Readonly<Record<Code, string>>, synonyms: Readonly<Record<string, Code>> = {},
): Read<Code> {
  const text = normalText(cellText(cell)).replace(/\s+/g, '');
  const entries = Object.entries(labels) as [Code, string][];
  const fix = `write one of: ${entries.map(([, label]) => label).join('、')}`;
  const lower = text.toLowerCase();
  const byCode = entries.find(([code]) => code.toLowerCase() === lower);
  if (byCode) return ok(byCode[0]);
  const byLabel = entries.find(([, label]) => label === text) ?? entries.find(([, label]) => text.startsWith(label));
  if (byLabel) return ok(byLabel[0]);
  const synonym = Object.entries(synonyms).find(([word]) => text === word || text.startsWith(word));
  if (synonym) return ok(synonym[1]);
  return bad(`not a known value`, fix);
}

/**
 * Amounts by month, as the export writes them (`2025-03 120.00；2025-04 80.00`) or as a bureau
 * might (`2025年3月:120`, one per line).
 */
export function readAmountsByMonth(cell: SheetCell, unit: MoneyUnit): Read<readonly { readonly month: Period; readonly amount: Amount }[]> {
  const fix = 'write each month and its amount as 2025-03 120.00, separated by ；';
  const text = normalText(cellText(cell));
  const entries: { month: Period; amount: Amount }[] = [];
  for (const part of text.split(/[;；\n]+/).map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(\S+?月?)\s*[:：\s]\s*(\S+)$/.exec(part);
    const month = match?.[1] === undefined ? undefined : readMonth(match[1]);
    const amount = match?.[2] === undefined ? undefined : readAmount(match[2], unit);
    if (!month?.ok || !amount?.ok) return bad(`'${part}' is not a month and an amount`, fix);
    if (entries.some((e) => e.month === month.value)) return bad(`${month.value} is listed twice`, fix);
    entries.push({ month: month.value, amount: amount.value });
  }
  return ok(entries);
}
