/**
 * Amounts by month for one project, as a flat list of pairs [monthIndex, amount, …]: compact
 * in memory and in snapshots (a 10^5-project state holds millions of them), and monthly
 * reports arrive mostly in order, so lookups scan from the end and stop at once.
 */
import type { Amount } from '../../commands/shared/money.js';

export type PeriodAmounts = number[];

export function amountAt(pairs: PeriodAmounts, month: number): Amount | undefined {
  for (let i = pairs.length - 2; i >= 0; i -= 2) if (pairs[i] === month) return pairs[i + 1];
  return undefined;
}

/** Sets the month's amount; returns the amount it replaced (0 when there was none). */
export function replaceAmount(pairs: PeriodAmounts, month: number, amount: Amount): Amount {
  for (let i = pairs.length - 2; i >= 0; i -= 2) {
    if (pairs[i] === month) {
      const previous = pairs[i + 1] ?? 0;
      pairs[i + 1] = amount;
      return previous;
    }
  }
  pairs.push(month, amount);
  return 0;
}

export function addAmount(pairs: PeriodAmounts, month: number, amount: Amount): void {
  for (let i = pairs.length - 2; i >= 0; i -= 2) {
    if (pairs[i] === month) {
      pairs[i + 1] = (pairs[i + 1] ?? 0) + amount;
      return;
    }
  }
  pairs.push(month, amount);
}

export function forEachAmount(pairs: PeriodAmounts, visit: (month: number, amount: Amount) => void): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) visit(pairs[i] ?? 0, pairs[i + 1] ?? 0);
}
