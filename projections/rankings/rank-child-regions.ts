/**
 * 横尺: the child regions of a region ranked on a measure of the statistics, with the 红黑榜
 * marks. A red mark: in the top N and meeting the period target (the target row's `met`: a
 * flow's year-to-date completion ≥ 序时进度, a stock or breakthrough at its whole target); a
 * black mark: in the bottom N and missing it. A measure with no target for a child region (or no target measure at all) marks
 * nothing. Ties share a rank (1, 2, 2, 4); "top N" is rank ≤ N from the top, "bottom N" the
 * same from the bottom, so tied regions at the edge are all in.
 */
import { parentOf, type RegionCode } from '../../commands/shared/region-code.js';
import type { Category } from '../../commands/project/events.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import {
  MEASURES, measureValue, queryPipelineStatistics, shown, type Measure, type PipelineState, type PeriodQuery,
} from '../pipeline-statistics/index.js';

export type RegionNameOf = (code: RegionCode) => string | undefined;
export type Mark = 'red' | 'black';

export interface RankingQuery extends PeriodQuery {
  readonly regionCode: RegionCode;
  readonly measure: Measure;
  readonly category?: Category;
  readonly asOfDate?: IsoDate;
  /** N of the 红黑榜 (local): default 3. */
  readonly listSize?: number;
  /** The child regions to rank (from a region catalogue); default: those holding projects or targets. */
  readonly children?: readonly RegionCode[];
}

export interface RankingRow {
  readonly regionCode: RegionCode;
  readonly name: string;
  /** Counts as counts, amounts in 万元, ratios as fractions; null when undefined (÷ 0). */
  readonly value: number | null;
  readonly rank: number | null;
  readonly mark: Mark | null;
}

export interface Rankings {
  readonly regionCode: RegionCode;
  readonly measure: Measure;
  readonly period: { readonly year: number; readonly quarter?: number; readonly month?: number };
  readonly position: number;
  readonly listSize: number;
  readonly rows: readonly RankingRow[];
}

export const DEFAULT_LIST_SIZE = 3;

export function rankChildRegions(state: PipelineState, query: RankingQuery, nameOf: RegionNameOf): Rankings {
  const listSize = Math.max(0, Math.floor(query.listSize ?? DEFAULT_LIST_SIZE));
  const children = query.children ?? knownChildren(state, query.regionCode);
  const unit = MEASURES[query.measure].unit;
  const scored = children.map((regionCode) => {
    const childQuery = { ...query, regionCode };
    return { regionCode, raw: measureValue(state, childQuery, query.measure), onTarget: onTarget(state, childQuery) };
  });
  const ranked = scored.filter((s) => s.raw !== null).sort((a, b) => (b.raw ?? 0) - (a.raw ?? 0) || compareCodes(a.regionCode, b.regionCode));
  const unranked = scored.filter((s) => s.raw === null).sort((a, b) => compareCodes(a.regionCode, b.regionCode));
  const rows: RankingRow[] = [];
  ranked.forEach((s, i) => {
    const rank = competitionRank(ranked, i, 1);
    const rankFromBottom = competitionRank(ranked, i, -1);
    const met = s.onTarget;
    const mark: Mark | null =
      met === true && rank <= listSize ? 'red' : met === false && rankFromBottom <= listSize ? 'black' : null;
    rows.push({ regionCode: s.regionCode, name: nameOf(s.regionCode) ?? s.regionCode, value: shown(unit, s.raw ?? 0), rank, mark });
  });
  for (const s of unranked) rows.push({ regionCode: s.regionCode, name: nameOf(s.regionCode) ?? s.regionCode, value: null, rank: null, mark: null });
  return {
    regionCode: query.regionCode,
    measure: query.measure,
    period: query.month !== undefined ? { year: query.year, month: query.month }
      : query.quarter !== undefined ? { year: query.year, quarter: query.quarter } : { year: query.year },
    position: state.position,
    listSize,
    rows,
  };
}

/** Whether the region is on schedule for this measure's target; undefined when it has none. */
function onTarget(state: PipelineState, query: RankingQuery & { readonly regionCode: RegionCode }): boolean | undefined {
  const { category: _category, ...regionWide } = query; // targets are region-wide
  const stats = queryPipelineStatistics(state, regionWide);
  const row = stats.targets.find((t) => t.measure === query.measure);
  if (row === undefined) return undefined;
  return row.met;
}

/** Direct children of `regionCode` that hold projects or targets. */
export function knownChildren(state: PipelineState, regionCode: RegionCode): RegionCode[] {
  const children = new Set<RegionCode>();
  for (const code in state.cube) if (parentOf(code) === regionCode) children.add(code);
  for (const code in state.targets) if (parentOf(code) === regionCode) children.add(code);
  return [...children].sort(compareCodes);
}

/** 1 + how many rank strictly better, from the top (direction 1) or the bottom (−1). */
function competitionRank(sorted: readonly { readonly raw: number | null }[], index: number, direction: 1 | -1): number {
  const value = sorted[index]?.raw ?? 0;
  let better = 0;
  for (const other of sorted) if (direction * ((other.raw ?? 0) - value) > 0) better++;
  return better + 1;
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
