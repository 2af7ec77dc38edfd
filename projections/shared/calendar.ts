/**
 * Calendar arithmetic on business dates and periods without Date objects: projections run
 * these per event, and a Date allocation plus parse costs more than the rest of the update.
 */
import type { IsoDate, Period } from '../../commands/shared/dates.js';

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian; Hinnant's days_from_civil). */
export function dayNumber(date: IsoDate): number {
  let y = digits(date, 0, 4);
  const m = digits(date, 5, 2);
  const d = digits(date, 8, 2);
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const CHINA_OFFSET_HOURS = 8;

/**
 * The business date (China Standard Time, UTC+8) of a store's `recordedAt`, as a day number.
 * The store writes ISO 8601 UTC (`…T hh:mm:ss(.sss)Z`); anything else goes through Date.
 */
export function recordedDayNumber(recordedAt: string): number {
  if (recordedAt.length >= 20 && recordedAt[10] === 'T' && recordedAt.endsWith('Z')) {
    const hour = digits(recordedAt, 11, 2);
    return dayNumber(recordedAt) + (hour + CHINA_OFFSET_HOURS >= 24 ? 1 : 0);
  }
  return Math.floor((Date.parse(recordedAt) + CHINA_OFFSET_HOURS * 3_600_000) / 86_400_000);
}

/** `YYYY-MM` → months since year 0 (year × 12 + month − 1): consecutive months differ by 1. */
export function monthIndex(period: Period): number {
  return digits(period, 0, 4) * 12 + digits(period, 5, 2) - 1;
}

/**
 * The number written by `count` ASCII digits at `from`. Dates and periods reach projections
 * only through the events' schemas (four-digit years, two-digit months and days), and a slice
 * and Number() per field was a visible part of the fold.
 */
function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

export function periodOfIndex(index: number): Period {
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}`;
}

export function periodOfYearMonth(year: number, month: number): Period {
  return periodOfIndex(year * 12 + month - 1);
}

/** The `YYYY-MM-DD` date of a day number (inverse of dayNumber; Hinnant's civil_from_days). */
export function dateOfDayNumber(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
