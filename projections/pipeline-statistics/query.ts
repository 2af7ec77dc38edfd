/**
 * GET /v1/stats/pipeline: the statistics of DOMAIN.md for a region (children rolled up), a
 * period and optionally a category, with 标尺 (targets, 序时进度) and 纵尺 (year on year).
 * Amounts answer in 万元; ratios are fractions rounded to 4 decimals; points to 2.
 */
import { amountToWan } from '../../commands/shared/money.js';
import type { IsoDate, Period } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import { CATEGORIES, type Category } from '../../commands/project/events.js';
import { TARGET_MEASURES, type TargetMeasure } from '../../commands/targets/events.js';
import { periodOfIndex } from '../shared/calendar.js';
import {
  AMOUNT, COUNT, OVER_1E8_AMOUNT, OVER_1E8_COUNT, OVER_1E9_AMOUNT, OVER_1E9_COUNT,
} from './cells.js';
import type { CubeNode } from './cube.js';
import { at, readFigures, type Figures, type Sized } from './figures.js';
import { MEASURE_KEYS, MEASURES, NOT_PRO_RATED, TARGET_MEASURE_OF, type Measure, type Unit } from './measures.js';
import { resolvePeriod, sameMonthsLastYear, yearToDate, type PeriodQuery, type ResolvedPeriod } from './periods.js';
import type { PipelineState } from './projection.js';

export interface PipelineQuery extends PeriodQuery {
  readonly regionCode: RegionCode;
  readonly category?: Category;
  /** Today's business date (China time), from the caller's clock: bounds a period in progress. */
  readonly asOfDate?: IsoDate;
}

export interface SizedFigure {
  readonly count: number;
  readonly investment: number;
  readonly over1e8: { readonly count: number; readonly investment: number };
  readonly over1e9: { readonly count: number; readonly investment: number };
}

export interface TargetRow {
  readonly measure: TargetMeasure;
  readonly label: string;
  /** Counts as counts, amounts in 万元. */
  readonly target: number;
  /** Year to date, to the end of the period's last counted month (the reserve: as at then). */
  readonly actual: number;
  /** actual ÷ target; null when the target is 0. */
  readonly ratio: number | null;
  /** 序时进度 = m ÷ 12 (periods.ts) for a flow measure; null for a stock or breakthrough measure (not pro-rated). */
  readonly schedule: number | null;
  /** (ratio − schedule) × 100: ahead (> 0) or behind (< 0) schedule, in percentage points; null when not pro-rated or the target is 0. */
  readonly aheadPoints: number | null;
  /** On target: a flow at or ahead of 序时进度 (actual ≥ target × m ÷ 12), a stock or breakthrough at actual ≥ target. */
  readonly met: boolean;
}

export interface YearOnYearRow {
  readonly measure: Measure;
  readonly label: string;
  readonly current: number;
  readonly lastYear: number;
  /** (current − lastYear) ÷ lastYear; null when last year was 0. */
  readonly growth: number | null;
}

export interface PipelineStatistics {
  readonly regionCode: RegionCode;
  readonly period: ResolvedPeriod['label'];
  readonly category: Category | null;
  /** The global position the statistics reflect. */
  readonly position: number;
  readonly asOfDate: IsoDate | null;
  /** The months counted (null when the period has not begun by asOfDate); stocks are at the end of `to`. */
  readonly months: { readonly from: Period; readonly to: Period } | null;
  readonly signed: SizedFigure & { readonly largest: number };
  readonly started: SizedFigure;
  readonly commissioned: SizedFigure;
  /** 谋划储备 as at the end of the period: registered, not withdrawn, not started. */
  readonly reserve: SizedFigure;
  readonly completedInvestment: { readonly period: number; readonly ytd: number; readonly sinceStart: number };
  readonly fundsArrived: { readonly period: number; readonly ytd: number; readonly sinceStart: number };
  /** 资金到位率: Σ funds arrived of the projects signed and not withdrawn by the period's end ÷ Σ their contract investment. */
  readonly fundsInPlace: { readonly arrived: number; readonly contract: number; readonly rate: number | null };
  readonly fundsInPlaceRate: number | null;
  readonly fundingSecured: { readonly period: number; readonly ytd: number };
  /** The cohort signed in the period, followed to now. */
  readonly conversion: {
    readonly signed: number;
    readonly started: number;
    readonly commissioned: number;
    readonly startedSameYear: number;
    /** 开工率 / 履约率: started ÷ signed. */
    readonly startRate: number | null;
    /** commissioned ÷ started. */
    readonly commissionRate: number | null;
    readonly sameYearStartRate: number | null;
  };
  /** 四个当年: land, start, completion and commissioning in one calendar year, the last of them in the period. */
  readonly fourSameYear: number;
  readonly schedule: number;
  /** Only for the region as a whole: annual targets are not set per category. */
  readonly targets: readonly TargetRow[];
  readonly yearOnYear: { readonly period: ResolvedPeriod['label']; readonly rows: readonly YearOnYearRow[] };
}

export function queryPipelineStatistics(state: PipelineState, query: PipelineQuery): PipelineStatistics {
  const period = resolvePeriod(query, query.asOfDate);
  const nodes = regionNodes(state, query.regionCode, query.category);
  const current = readFigures(nodes, period);
  const lastYearPeriod = sameMonthsLastYear(period);
  const lastYear = readFigures(nodes, lastYearPeriod);
  const schedule = period.scheduleMonth / 12;
  const targets = query.category === undefined
    ? targetRows(state, query.regionCode, readFigures(nodes, yearToDate(period)), period.year, period.scheduleMonth)
    : [];
  const rate = (n: number, d: number) => (d === 0 ? null : round(n / d, 4));
  return {
    regionCode: query.regionCode,
    period: period.label,
    category: query.category ?? null,
    position: state.position,
    asOfDate: query.asOfDate ?? null,
    months: period.to < period.from ? null : { from: periodOfIndex(period.from), to: periodOfIndex(period.to) },
    signed: { ...sized(current.signed), largest: amountToWan(current.largestSigning) },
    started: sized(current.started),
    commissioned: sized(current.commissioned),
    reserve: sized(current.reserve),
    completedInvestment: runningWan(current.completed),
    fundsArrived: runningWan(current.fundsArrived),
    fundsInPlace: {
      arrived: amountToWan(current.fundsInPlace.arrived),
      contract: amountToWan(current.fundsInPlace.contract),
      rate: rate(current.fundsInPlace.arrived, current.fundsInPlace.contract),
    },
    fundsInPlaceRate: rate(current.fundsInPlace.arrived, current.fundsInPlace.contract),
    fundingSecured: {
      period: amountToWan(current.fundingSecured.period),
      ytd: amountToWan(current.fundingSecured.ytd),
    },
    conversion: {
      ...current.cohort,
      startRate: rate(current.cohort.started, current.cohort.signed),
      commissionRate: rate(current.cohort.commissioned, current.cohort.started),
      sameYearStartRate: rate(current.cohort.startedSameYear, current.cohort.signed),
    },
    fourSameYear: current.fourSameYear,
    schedule: round(schedule, 4),
    targets,
    yearOnYear: { period: lastYearPeriod.label, rows: yearOnYearRows(current, lastYear) },
  };
}

/** The raw value of one measure for a region and period (rankings read this). */
export function measureValue(state: PipelineState, query: PipelineQuery, measure: Measure): number | null {
  const figures = readFigures(regionNodes(state, query.regionCode, query.category), resolvePeriod(query, query.asOfDate));
  return MEASURES[measure].read(figures);
}

/** The region's cube nodes: one category's, or every category's. */
export function regionNodes(state: PipelineState, regionCode: RegionCode, category?: Category): CubeNode[] {
  const byCategory = state.cube[regionCode];
  if (byCategory === undefined) return [];
  const nodes: CubeNode[] = [];
  for (const c of category === undefined ? CATEGORIES : [category]) {
    const node = byCategory[c];
    if (node !== undefined) nodes.push(node);
  }
  return nodes;
}

function targetRows(state: PipelineState, regionCode: RegionCode, ytd: Figures, year: number, scheduleMonth: number): TargetRow[] {
  const targets = state.targets[regionCode]?.[String(year)];
  if (targets === undefined) return [];
  const rows: TargetRow[] = [];
  for (const measure of TARGET_MEASURES) {
    const target = targets[measure];
    if (target === undefined) continue;
    const definition = MEASURES[TARGET_MEASURE_OF[measure]];
    const actual = definition.read(ytd) ?? 0;
    const ratio = target === 0 ? null : actual / target;
    const proRated = !NOT_PRO_RATED.has(measure);
    const schedule = scheduleMonth / 12;
    rows.push({
      measure,
      label: definition.label,
      target: shown(definition.unit, target),
      actual: shown(definition.unit, actual),
      ratio: ratio === null ? null : round(ratio, 4),
      schedule: proRated ? round(schedule, 4) : null,
      aheadPoints: proRated && ratio !== null ? round((ratio - schedule) * 100, 2) : null,
      // Integers compared exactly: a county exactly on plan is met, not lost to a float's last bit.
      met: proRated ? actual * 12 >= target * scheduleMonth : actual >= target,
    });
  }
  return rows;
}

function yearOnYearRows(current: Figures, lastYear: Figures): YearOnYearRow[] {
  const rows: YearOnYearRow[] = [];
  for (const measure of MEASURE_KEYS) {
    const definition = MEASURES[measure];
    if (definition.unit === 'ratio') continue;
    const now = definition.read(current) ?? 0;
    const before = definition.read(lastYear) ?? 0;
    rows.push({
      measure,
      label: definition.label,
      current: shown(definition.unit, now),
      lastYear: shown(definition.unit, before),
      growth: before === 0 ? null : round((now - before) / before, 4),
    });
  }
  return rows;
}

export function shown(unit: Unit, raw: number): number {
  switch (unit) {
    case 'amount': return amountToWan(raw);
    case 'count': return raw;
    case 'ratio': return round(raw, 4);
    default: {
      const unhandled: never = unit;
      return unhandled;
    }
  }
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function sized(group: Sized): SizedFigure {
  return {
    count: at(group, COUNT),
    investment: amountToWan(at(group, AMOUNT)),
    over1e8: { count: at(group, OVER_1E8_COUNT), investment: amountToWan(at(group, OVER_1E8_AMOUNT)) },
    over1e9: { count: at(group, OVER_1E9_COUNT), investment: amountToWan(at(group, OVER_1E9_AMOUNT)) },
  };
}

function runningWan(amounts: Figures['completed']): PipelineStatistics['completedInvestment'] {
  return { period: amountToWan(amounts.period), ytd: amountToWan(amounts.ytd), sinceStart: amountToWan(amounts.sinceStart) };
}
