/**
 * 总投资 on a date (DOMAIN.md, "Statistics"): the approvedInvestment of the approval dated on or
 * before the date, else the contractInvestment of the signing dated on or before it, else the
 * plannedInvestment (as last corrected: a DetailsCorrected fixes the figure for every date).
 * One formula for the decider (the 500 万 threshold) and every read model (size classes, the
 * reserve at a period's end, a milestone's value on its date): an approval dated in 2026 must
 * not restate the reserve at the end of 2025, whenever it was recorded.
 *
 * A project is signed once and approved once (a second is milestone-already-reached), so one
 * dated amount of each is the whole history.
 */
import type { Amount } from './money.js';
import type { IsoDate } from './dates.js';

export interface DatedAmount {
  readonly on: IsoDate | undefined;
  readonly amount: Amount | undefined;
}

export function totalInvestmentOn(date: IsoDate, planned: Amount, signing: DatedAmount, approval: DatedAmount): Amount {
  if (approval.on !== undefined && approval.amount !== undefined && approval.on <= date) return approval.amount;
  if (signing.on !== undefined && signing.amount !== undefined && signing.on <= date) return signing.amount;
  return planned;
}

/** A date after every business date (they are never in the future): 总投资 as it stands now. */
export const LATEST_DATE: IsoDate = '9999-12-31';

/**
 * The last day of a month as a key that `YYYY-MM-DD` strings compare with: every date of the
 * month is ≤ `YYYY-MM-31` (no month has more days), and every later one is above it.
 */
export function endOfMonthKey(period: string): IsoDate {
  return `${period}-31`;
}
