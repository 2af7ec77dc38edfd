/**
 * Amounts by month for one project, as a flat list of pairs [monthIndex, amount, …] sorted by
 * month: compact in memory and in snapshots (a 10^5-project state holds millions of them).
 * Monthly reports arrive mostly in order, so a lookup scans from the end and usually stops at
 * the first pair, and an insertion is usually a push.
 */
import type { Amount } from '../../commands/shared/money.js';

export type PeriodAmounts = number[];

/** Index of the month's pair, or −(insertion index) − 1 when absent. */
function find(pairs: PeriodAmounts, month: number): number {
  let i = pairs.length - 2;
  for (; i >= 0; i -= 2) {
    const at = pairs[i] ?? 0;
    if (at === month) return i;
    if (at < month) break;
  }
  return -(i + 2) - 1;
}

export function amountAt(pairs: PeriodAmounts, month: number): Amount | undefined {
  const i = find(pairs, month);
  return i >= 0 ? pairs[i + 1] : undefined;
}

/** Sets the month's amount; returns the amount it replaced (0 when there was none). */
export function replaceAmount(pairs: PeriodAmounts, month: number, amount: Amount): Amount {
  const i = find(pairs, month);
  if (i >= 0) {
    const previous = pairs[i + 1] ?? 0;
    pairs[i + 1] = amount;
    return previous;
  }
  insert(pairs, -i - 1, month, amount);
  return 0;
}

export function addAmount(pairs: PeriodAmounts, month: number, amount: Amount): void {
  const i = find(pairs, month);
  if (i >= 0) pairs[i + 1] = (pairs[i + 1] ?? 0) + amount;
  else insert(pairs, -i - 1, month, amount);
}

function insert(pairs: PeriodAmounts, at: number, month: number, amount: Amount): void {
  if (at === pairs.length) pairs.push(month, amount);
  else pairs.splice(at, 0, month, amount);
}

export function forEachAmount(pairs: PeriodAmounts, visit: (month: number, amount: Amount) => void): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) visit(pairs[i] ?? 0, pairs[i + 1] ?? 0);
}
