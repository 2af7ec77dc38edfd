/**
 * The period a statistics query asks about (a year, or a quarter or month of it, by
 * occurredOn), bounded by the as-of date when it is still in progress.
 *
 * Decisions (documented in the answer too):
 * - Flows are summed over the period's months up to the as-of month; stocks (the reserve, the
 *   running totals) are taken at the end of the last of those months. With no as-of date the
 *   whole period counts. Months after the as-of date hold nothing anyway (occurredOn is never
 *   in the future); the bound matters for 纵尺 (last year's comparable months) and 序时进度.
 * - 序时进度 (schedule) = m ÷ 12, m = the whole months of the year that have ended by the as-of
 *   date (DOMAIN.md), capped at the period's last month. The as-of date's figures include that
 *   whole day, so a month has ended by its own last day: on 2025-04-01 … 04-29 m = 3, on
 *   2025-04-30 m = 4, on 2025-12-31 m = 12. A past year is 12, a year not yet begun 0, and with
 *   no as-of date the whole period counts. A county that posts each month's figures as the
 *   month closes is at 0 points all month, not 1/12 behind.
 *   Targets are annual, so actuals compared with them are year-to-date (query.ts).
 */
import type { IsoDate } from '../../commands/shared/dates.js';
import { dateOfDayNumber, dayNumber, monthIndex } from '../shared/calendar.js';

export interface PeriodQuery {
  readonly year: number;
  readonly quarter?: number;
  readonly month?: number;
}

export interface ResolvedPeriod {
  readonly label: { readonly year: number; readonly quarter?: number; readonly month?: number };
  readonly year: number;
  /** First month counted (monthIndex). */
  readonly from: number;
  /** Last month counted (monthIndex); below `from` when the period has not begun. */
  readonly to: number;
  /** The month at whose end stocks are taken. */
  readonly stockAt: number;
  /** Whole months of the year ended by the as-of date, within the period (0–12): 序时进度's m. */
  readonly scheduleMonth: number;
}

/** A query names an impossible period (client error: 400). */
export class InvalidPeriod extends Error {
  readonly code = 'INVALID_PERIOD';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPeriod';
  }
}

export function resolvePeriod(query: PeriodQuery, asOfDate?: IsoDate): ResolvedPeriod {
  const { year, quarter, month } = query;
  if (!Number.isInteger(year) || year < 1949 || year > 2200) throw new InvalidPeriod(`year ${year} is not plausible`);
  if (quarter !== undefined && month !== undefined) throw new InvalidPeriod('ask for a quarter or a month, not both');
  if (quarter !== undefined && !(Number.isInteger(quarter) && quarter >= 1 && quarter <= 4)) throw new InvalidPeriod(`quarter ${quarter} is not 1–4`);
  if (month !== undefined && !(Number.isInteger(month) && month >= 1 && month <= 12)) throw new InvalidPeriod(`month ${month} is not 1–12`);
  if (asOfDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOfDate)) throw new InvalidPeriod(`as-of date ${asOfDate} is not YYYY-MM-DD`);

  const firstMonth = month ?? (quarter === undefined ? 1 : quarter * 3 - 2);
  const lastMonth = month ?? (quarter === undefined ? 12 : quarter * 3);
  const from = year * 12 + firstMonth - 1;
  const nominalTo = year * 12 + lastMonth - 1;
  const asOf = asOfDate === undefined ? Number.POSITIVE_INFINITY : monthIndex(asOfDate);
  const to = Math.min(nominalTo, asOf);
  const stockAt = to < from ? Math.min(asOf, nominalTo) : to;
  const endedBy = asOfDate === undefined ? Number.POSITIVE_INFINITY : monthIndex(dateOfDayNumber(dayNumber(asOfDate) + 1));
  const scheduleMonth = Math.max(0, Math.min(lastMonth, endedBy - year * 12));

  const label = month !== undefined ? { year, month } : quarter !== undefined ? { year, quarter } : { year };
  return { label, year, from, to, stockAt, scheduleMonth };
}

/** The same months a year earlier (纵尺). */
export function sameMonthsLastYear(period: ResolvedPeriod): ResolvedPeriod {
  return { ...period, label: { ...period.label, year: period.year - 1 }, year: period.year - 1, from: period.from - 12, to: period.to - 12, stockAt: period.stockAt - 12 };
}

/** January to the period's last counted month (what annual targets are compared with). */
export function yearToDate(period: ResolvedPeriod): ResolvedPeriod {
  return { ...period, from: period.year * 12 };
}
