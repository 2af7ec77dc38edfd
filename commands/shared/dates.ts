/**
 * Business dates (`YYYY-MM-DD`) and periods (`YYYY-MM`) as strings: JSON-safe, sortable,
 * and free of time zones. Validation refuses calendar impossibilities such as 2023-02-30.
 */
import { z } from 'zod';

export type IsoDate = string;
export type Period = string;

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1949 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const isoDate = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'dates are YYYY-MM-DD' })
    .refine(isCalendarDate, { message: 'not a calendar date' })
    .meta({ description: 'Business date, YYYY-MM-DD', example: '2025-03-18' });

export const period = () =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'periods are YYYY-MM' })
    .refine((p) => Number(p.slice(0, 4)) >= 1949, { message: 'not a plausible period' })
    .meta({ description: 'Month, YYYY-MM', example: '2025-03' });

/** The business date of an instant in China Standard Time (UTC+8, no daylight saving). */
export function chinaDateOf(instant: Date): IsoDate {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function periodOf(date: IsoDate): Period {
  return date.slice(0, 7);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function addYears(date: IsoDate, years: number): IsoDate {
  const year = Number(date.slice(0, 4)) + years;
  const month = Number(date.slice(5, 7));
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${date.slice(5, 7)}-${String(day).padStart(2, '0')}`;
}
