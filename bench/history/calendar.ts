/**
 * The simulation's calendar: days as integers (days since 1970-01-01), converted to the
 * `YYYY-MM-DD` business dates and `YYYY-MM` periods the events carry.
 */
import type { IsoDate, Period } from '../../commands/shared/dates.js';

const DAY_MS = 86_400_000;

export function dayOf(date: IsoDate): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`${date} is not a date`);
  return Math.round(ms / DAY_MS);
}

export function dateOf(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function periodOfDay(day: number): Period {
  return dateOf(day).slice(0, 7);
}

/** Months since year 0 (2024-03 → 2024 × 12 + 2), for month arithmetic. */
export function monthOfDay(day: number): number {
  const date = new Date(day * DAY_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

export function periodOfMonth(month: number): Period {
  const year = Math.floor(month / 12);
  return `${String(year).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`;
}

/** The day number of a month's `dayOfMonth` (1-based; clamped to the month's length). */
export function dayInMonth(month: number, dayOfMonth: number): number {
  const year = Math.floor(month / 12);
  const length = new Date(Date.UTC(year, (month % 12) + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(year, month % 12, Math.min(dayOfMonth, length)) / DAY_MS);
}

export function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** 09:00 China time (01:00 UTC) on the day, in ms: when the bureaus' first posts are recorded. */
export function morningMs(day: number): number {
  return day * DAY_MS + 3_600_000;
}
