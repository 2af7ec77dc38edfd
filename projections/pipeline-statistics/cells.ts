/**
 * The layout of the statistics cube's cells: fixed-width arrays of integers (counts and
 * Amounts), compact in memory and snapshots and cheap to add into.
 *
 * Pipe cells hold what a project's milestones contribute, at the month of the milestone:
 * each of signed / started / commissioned / reserve is a "sized" group of six fields (count and
 * Σ investment, then the same for ≥ 1 亿 and ≥ 10 亿 projects). The reserve is a stock, so
 * its cells hold changes (+ at registration, − at start or withdrawal) and the reserve at a
 * date is their running sum. Flow cells hold amounts at the month they belong to.
 */

/** Offsets inside a sized group. */
export const COUNT = 0;
export const AMOUNT = 1;
export const OVER_1E8_COUNT = 2;
export const OVER_1E8_AMOUNT = 3;
export const OVER_1E9_COUNT = 4;
export const OVER_1E9_AMOUNT = 5;
export const SIZED_WIDTH = 6;

/** Pipe cell: sized groups, then the signing cohort and 四个当年. */
export const SIGNED = 0;
export const STARTED = SIGNED + SIZED_WIDTH;
export const COMMISSIONED = STARTED + SIZED_WIDTH;
export const RESERVE = COMMISSIONED + SIZED_WIDTH;
/** Of the projects signed in this month: how many have started (by now), … */
export const COHORT_STARTED = RESERVE + SIZED_WIDTH;
/** … how many have been commissioned, … */
export const COHORT_COMMISSIONED = COHORT_STARTED + 1;
/** … and how many started in the calendar year they were signed in. */
export const COHORT_STARTED_SAME_YEAR = COHORT_COMMISSIONED + 1;
/** Projects whose land, start, completion and commissioning fall in one calendar year, at the month of the last. */
export const FOUR_SAME_YEAR = COHORT_STARTED_SAME_YEAR + 1;
export const PIPE_WIDTH = FOUR_SAME_YEAR + 1;

/** Flow cell. */
export const COMPLETED_INVESTMENT = 0;
export const FUNDS_ARRIVED = 1;
export const FUNDING_SECURED = 2;
/**
 * Funds arrived for signed projects, at the later of the arrival month and the signing
 * month, and taken out again at the withdrawal month: their running sum to a date is "funds
 * arrived by then of the projects signed and not withdrawn by then", the numerator of the
 * funds-in-place rate.
 */
export const SIGNED_FUNDS_ARRIVED = 3;
/** The contract investment of signed projects: + at the signing month, − at the withdrawal month (its denominator). */
export const SIGNED_CONTRACT_IN_PLACE = 4;
export const FLOW_WIDTH = 5;

export type Cell = number[];

const EMPTY_PIPE: readonly number[] = Array.from({ length: PIPE_WIDTH }, () => 0);
const EMPTY_FLOW: readonly number[] = Array.from({ length: FLOW_WIDTH }, () => 0);

/** A cell of zeros; copied from a packed template so V8 keeps it a packed numeric array. */
export function emptyCell(width: number): Cell {
  return width === PIPE_WIDTH ? EMPTY_PIPE.slice() : width === FLOW_WIDTH ? EMPTY_FLOW.slice() : Array.from({ length: width }, () => 0);
}
