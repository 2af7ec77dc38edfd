/**
 * Every measure the statistics can be ranked, compared year on year, or held to a target on,
 * read from the raw figures of a period. The 11 target measures of DOMAIN.md keep their keys;
 * the others are extra measures of this read model.
 */
import type { TargetMeasure } from '../../commands/targets/events.js';
import { AMOUNT, COUNT, OVER_1E8_COUNT, OVER_1E9_COUNT } from './cells.js';
import { at, type Figures } from './figures.js';

export type Unit = 'count' | 'amount' | 'ratio';

export interface MeasureDefinition {
  readonly unit: Unit;
  readonly label: string;
  /** The raw value: a count, an integer Amount, or a ratio (null when undefined, e.g. ÷ 0). */
  readonly read: (figures: Figures) => number | null;
}

const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

export const MEASURES = {
  reserveCount: { unit: 'count', label: '谋划储备项目数', read: (f) => at(f.reserve, COUNT) },
  reserveInvestment: { unit: 'amount', label: '谋划储备项目总投资', read: (f) => at(f.reserve, AMOUNT) },
  signedCount: { unit: 'count', label: '签约项目数', read: (f) => at(f.signed, COUNT) },
  signedInvestment: { unit: 'amount', label: '签约项目合同投资', read: (f) => at(f.signed, AMOUNT) },
  signedOver1e8Count: { unit: 'count', label: '亿元以上签约项目数', read: (f) => at(f.signed, OVER_1E8_COUNT) },
  signedOver1e9Count: { unit: 'count', label: '十亿元以上签约项目数', read: (f) => at(f.signed, OVER_1E9_COUNT) },
  largestSigning: { unit: 'amount', label: '单体最大签约项目', read: (f) => f.largestSigning },
  startedCount: { unit: 'count', label: '开工项目数', read: (f) => at(f.started, COUNT) },
  startedInvestment: { unit: 'amount', label: '开工项目总投资', read: (f) => at(f.started, AMOUNT) },
  startedOver1e8Count: { unit: 'count', label: '亿元以上开工项目数', read: (f) => at(f.started, OVER_1E8_COUNT) },
  commissionedCount: { unit: 'count', label: '投产项目数', read: (f) => at(f.commissioned, COUNT) },
  commissionedInvestment: { unit: 'amount', label: '投产项目总投资', read: (f) => at(f.commissioned, AMOUNT) },
  completedInvestment: { unit: 'amount', label: '完成投资', read: (f) => f.completed.period },
  fundsArrived: { unit: 'amount', label: '到位资金', read: (f) => f.fundsArrived.period },
  fundingSecured: { unit: 'amount', label: '争取资金', read: (f) => f.fundingSecured.period },
  fundsInPlaceRate: { unit: 'ratio', label: '资金到位率', read: (f) => ratio(f.fundsInPlace.arrived, f.fundsInPlace.contract) },
  startRate: { unit: 'ratio', label: '签约项目开工率', read: (f) => ratio(f.cohort.started, f.cohort.signed) },
  commissionRate: { unit: 'ratio', label: '开工项目投产率', read: (f) => ratio(f.cohort.commissioned, f.cohort.started) },
  sameYearStartRate: { unit: 'ratio', label: '当年签约当年开工率', read: (f) => ratio(f.cohort.startedSameYear, f.cohort.signed) },
  fourSameYearCount: { unit: 'count', label: '四个当年项目数', read: (f) => f.fourSameYear },
} as const satisfies Record<string, MeasureDefinition>;

export type Measure = keyof typeof MEASURES;
export const MEASURE_KEYS = Object.keys(MEASURES) as Measure[];

export function isMeasure(key: string): key is Measure {
  return Object.hasOwn(MEASURES, key);
}

/** Every target measure is a measure: compile-time check that the keys line up. */
export const TARGET_MEASURE_OF: { readonly [K in TargetMeasure]: Measure } = {
  reserveCount: 'reserveCount',
  reserveInvestment: 'reserveInvestment',
  signedCount: 'signedCount',
  signedInvestment: 'signedInvestment',
  signedOver1e8Count: 'signedOver1e8Count',
  largestSigning: 'largestSigning',
  startedCount: 'startedCount',
  startedInvestment: 'startedInvestment',
  commissionedCount: 'commissionedCount',
  completedInvestment: 'completedInvestment',
  fundingSecured: 'fundingSecured',
};

/**
 * Target measures compared with the whole annual target at any time of the year (DOMAIN.md,
 * 标尺): the reserve is a stock (a county holds 100 reserve projects or it does not) and the
 * largest signing a breakthrough (one ≥ 50 亿 signing, whenever it comes); neither accrues by
 * month, so neither is held to 序时进度. Every other target measure is a flow.
 */
export const NOT_PRO_RATED: ReadonlySet<TargetMeasure> = new Set<TargetMeasure>(['reserveCount', 'reserveInvestment', 'largestSigning']);
