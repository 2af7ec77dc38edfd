/**
 * The statistics computed the slow, obvious way, straight from the projects' facts: a scan of
 * every project for every figure. The property test holds the cube to it.
 */
import { YI } from '../../../commands/shared/money.js';
import { ancestorsOf } from '../../../commands/shared/region-code.js';
import { monthIndex, periodOfIndex } from '../../../projections/shared/calendar.js';
import { forEachAmount } from '../../../projections/shared/period-amounts.js';
import type { ProjectFacts } from '../../../projections/shared/project-facts.js';
import type { PipelineState } from '../../../projections/pipeline-statistics/index.js';
import type { ResolvedPeriod } from '../../../projections/pipeline-statistics/periods.js';

export interface ReferenceFigures {
  signed: number[]; started: number[]; commissioned: number[]; reserve: number[];
  largest: number;
  completed: [number, number, number];
  funds: [number, number, number];
  secured: [number, number];
  inPlace: [number, number];
  cohort: [number, number, number, number];
  fourSameYear: number;
}

/**
 * 总投资 on a date, written out again from DOMAIN.md rather than imported: approved if approved
 * by then, else contract if signed by then, else planned.
 */
function totalOn(f: ProjectFacts, date: string): number {
  const approvedOn = f.dates.ProjectApproved;
  if (approvedOn !== undefined && approvedOn <= date && f.approvedInvestment !== undefined) return f.approvedInvestment;
  const signedOn = f.dates.ProjectSigned;
  if (signedOn !== undefined && signedOn <= date && f.contractInvestment !== undefined) return f.contractInvestment;
  return f.plannedInvestment;
}

export function referenceFigures(state: PipelineState, regionCode: string, category: string | undefined, p: ResolvedPeriod): ReferenceFigures {
  const r: ReferenceFigures = {
    signed: [0, 0, 0, 0, 0, 0], started: [0, 0, 0, 0, 0, 0], commissioned: [0, 0, 0, 0, 0, 0], reserve: [0, 0, 0, 0, 0, 0],
    largest: 0, completed: [0, 0, 0], funds: [0, 0, 0], secured: [0, 0], inPlace: [0, 0], cohort: [0, 0, 0, 0], fourSameYear: 0,
  };
  const inPeriod = (date: string | undefined) => date !== undefined && monthIndex(date) >= p.from && monthIndex(date) <= p.to;
  const byEnd = (date: string | undefined) => date !== undefined && monthIndex(date) <= p.stockAt;
  const sized = (group: number[], amount: number, total: number) => {
    group[0]! += 1; group[1]! += amount;
    if (total >= YI) { group[2]! += 1; group[3]! += amount; }
    if (total >= 10 * YI) { group[4]! += 1; group[5]! += amount; }
  };
  for (const f of Object.values(state.projects) as ProjectFacts[]) {
    if (!ancestorsOf(f.regionCode).includes(regionCode)) continue;
    if (category !== undefined && f.category !== category) continue;
    const d = f.dates;
    // the last day of the stock month: every date in it sorts at or below day 31
    const stockDay = `${periodOfIndex(p.stockAt)}-31`;
    if (inPeriod(d.ProjectSigned)) {
      const contract = f.contractInvestment ?? 0;
      sized(r.signed, contract, totalOn(f, d.ProjectSigned as string));
      r.largest = Math.max(r.largest, contract);
      r.cohort[0] += 1;
      if (d.Started !== undefined) {
        r.cohort[1] += 1;
        if (d.Commissioned !== undefined) r.cohort[2] += 1;
        if (d.Started.slice(0, 4) === d.ProjectSigned?.slice(0, 4)) r.cohort[3] += 1;
      }
    }
    if (inPeriod(d.Started)) sized(r.started, totalOn(f, d.Started as string), totalOn(f, d.Started as string));
    if (inPeriod(d.Commissioned)) sized(r.commissioned, totalOn(f, d.Commissioned as string), totalOn(f, d.Commissioned as string));
    const exit = [d.Started, d.Withdrawn].filter((x): x is string => x !== undefined).sort()[0];
    if (byEnd(d.ProjectRegistered) && !byEnd(exit)) sized(r.reserve, totalOn(f, stockDay), totalOn(f, stockDay));
    const four = [d.LandAcquired, d.Started, d.Completed, d.Commissioned];
    if (four.every((x) => x !== undefined && x.slice(0, 4) === four[0]?.slice(0, 4))) {
      const lastOf = (four as string[]).sort()[3];
      if (inPeriod(lastOf)) r.fourSameYear += 1;
    }
    const ytdFrom = p.year * 12;
    const running = (pairs: number[], into: number[]) => forEachAmount(pairs, (m, amount) => {
      if (m >= p.from && m <= p.to) into[0]! += amount;
      if (m >= ytdFrom && m <= p.to) into[1]! += amount;
      if (into.length > 2 && m <= p.stockAt) into[2]! += amount;
    });
    running(f.reported, r.completed);
    running(f.fundsByMonth, r.funds);
    running(f.securedByMonth, r.secured);
    // 资金到位率: signed by the period's end and not withdrawn by then
    if (byEnd(d.ProjectSigned) && !byEnd(d.Withdrawn)) {
      r.inPlace[1] += f.contractInvestment ?? 0;
      forEachAmount(f.fundsByMonth, (m, amount) => { if (m <= p.stockAt) r.inPlace[0] += amount; });
    }
  }
  return r;
}
