/**
 * The thresholds of DOMAIN.md's statistics rules, held once for the deciders and the read side
 * (compliance judges what the decider lets through with the same numbers).
 */
import { AMOUNTS_PER_WAN, type Amount } from './money.js';

/** Fixed-asset-investment statistics admit projects of ≥ 500 万元 (the national threshold since 2011). */
export const STATISTICS_THRESHOLD: Amount = 500 * AMOUNTS_PER_WAN;

/** 应统未统: a started project of ≥ 500 万 not entered in the statistics within this many days of its start. */
export const STATISTICS_DEADLINE_DAYS = 30;

/** recordedAt more than this many days after occurredOn is a late (or back-dated) report. */
export const LATE_REPORT_DAYS = 30;

/** 入统数据不一致: a declared plannedInvestment more than this many percent off 总投资. */
export const STATISTICS_DISCREPANCY_PERCENT = 10;

/**
 * Whether the figure declared to the statistics office differs from 总投资 by more than
 * STATISTICS_DISCREPANCY_PERCENT of 总投资 (严把入统质量). Integer Amounts compared exactly:
 * exactly 10 % off is still consistent.
 */
export function declaredInconsistent(declared: Amount, total: Amount): boolean {
  return Math.abs(declared - total) * 100 > STATISTICS_DISCREPANCY_PERCENT * total;
}
