/**
 * How figures are written on the page. Formatting only: every number comes from the API as it
 * is; here it gets its unit, its grouping and its precision. Amounts arrive in 万元 (DOMAIN.md);
 * from 1 亿元 (10,000 万元) up they read better in 亿元.
 *
 * Pure and free of the DOM: the browser test formats the API's figures with these same
 * functions to know what the page must show.
 */

export const WAN_PER_YI = 10_000;
export const NO_VALUE = '—';

export interface FormattedAmount {
  /** The figure, grouped, in its unit. */
  readonly value: string;
  readonly unit: '万元' | '亿元';
}

const grouped = (fractionDigits: number, minimumFractionDigits = 0) =>
  new Intl.NumberFormat('zh-CN', { maximumFractionDigits: fractionDigits, minimumFractionDigits, useGrouping: true });
const WAN_FORMAT = grouped(2);
const YI_FORMAT = grouped(2, 2);
const COUNT_FORMAT = grouped(0);
const PERCENT_FORMAT = grouped(1, 1);
const POINTS_FORMAT = grouped(2, 2);

/** An amount in 万元: `12.35 亿元` from 1 亿 up, `3,456.5 万元` below. */
export function amountParts(wan: number): FormattedAmount {
  if (Math.abs(wan) >= WAN_PER_YI) return { value: YI_FORMAT.format(wan / WAN_PER_YI), unit: '亿元' };
  return { value: WAN_FORMAT.format(wan), unit: '万元' };
}

export function formatAmount(wan: number | null | undefined): string {
  if (wan === null || wan === undefined || !Number.isFinite(wan)) return NO_VALUE;
  const { value, unit } = amountParts(wan);
  return `${value} ${unit}`;
}

/** An amount in 亿元 whatever its size (chart axes, where one unit must hold for all). */
export function formatYi(wan: number): string {
  return `${YI_FORMAT.format(wan / WAN_PER_YI)} 亿元`;
}

export function formatCount(count: number | null | undefined): string {
  if (count === null || count === undefined || !Number.isFinite(count)) return NO_VALUE;
  return COUNT_FORMAT.format(count);
}

/** A fraction as a percentage: 0.837 → `83.7%`; null (÷ 0) → `—`. */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return NO_VALUE;
  return `${PERCENT_FORMAT.format(ratio * 100)}%`;
}

/** Percentage points ahead (+) or behind (−) the schedule; null (no schedule) → `—`. */
export function formatPoints(points: number | null | undefined): string {
  if (points === null || points === undefined || !Number.isFinite(points)) return NO_VALUE;
  const sign = points > 0 ? '+' : points < 0 ? '−' : '±';
  return `${sign}${POINTS_FORMAT.format(Math.abs(points))}`;
}

/** Growth as a signed percentage: 0.21 → `+21.0%`; null (nothing last year) → `—`. */
export function formatGrowth(growth: number | null | undefined): string {
  if (growth === null || growth === undefined || !Number.isFinite(growth)) return NO_VALUE;
  const sign = growth > 0 ? '+' : growth < 0 ? '−' : '±';
  return `${sign}${PERCENT_FORMAT.format(Math.abs(growth) * 100)}%`;
}

export type Unit = 'count' | 'amount' | 'ratio';

/** A measure's value in its unit (counts in 个, amounts in 万元/亿元, ratios in %). */
export function formatMeasure(unit: Unit, value: number | null | undefined): string {
  switch (unit) {
    case 'count': return value === null || value === undefined ? NO_VALUE : `${formatCount(value)} 个`;
    case 'amount': return formatAmount(value);
    case 'ratio': return formatRatio(value);
    default: {
      const unhandled: never = unit;
      return unhandled;
    }
  }
}

/** An ISO record time as China time, `2026-03-05 09:12`. */
export function formatRecordTime(iso: string): string {
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}
