/**
 * GET /v1/stats/compliance: the flagged projects of a region, by kind, judged at `asOfDate`
 * (the caller's today, China time). Open items come first, most overdue first. Items whose duty
 * was met late (statistics entered on day 45, a batch project started after its deadline, an
 * approval after the start) are kept for auditors with `resolvedOn` set; `includeResolved: false`
 * leaves them out. Business dates after asOfDate are not yet facts at asOfDate: a duty met after
 * it is judged unmet then.
 *
 * Rules (DOMAIN.md, "Soft rules"):
 * - statistics-not-entered (应统未统): started, 总投资 (on asOfDate) ≥ STATISTICS_THRESHOLD
 *   (500 万元, the decider's threshold for StatisticsEntered), not entered within
 *   STATISTICS_DEADLINE_DAYS (30) of the start.
 * - statistics-inconsistent (入统数据不一致): entered declaring a plannedInvestment more than
 *   10 % off the project's 总投资 on the entry's date (commands/shared/statistics-rules.ts).
 *   Open while the figures disagree: a later-recorded approval dated on or before the entry
 *   that brings 总投资 within 10 % clears it, as it would have kept the decider from flagging it.
 * - started-without-approval (未批先建): no ProjectApproved dated on or before the start. Judged
 *   from the business dates as now known, so an approval recorded later but dated before the
 *   start clears it; `flagged` says whether the decider flagged the Started event.
 * - idle-land (闲置土地): land acquired with an agreed start date, and not started one year
 *   after it. Land without agreedStartBy cannot be judged and is not listed.
 * - overdue-batch-start: in a 集中开工 batch and not started by its mustStartBy.
 * - stalled: stage STALLED now.
 * - late-report: a project with events recorded more than 30 days after their occurredOn (or
 *   flagged so), recorded by asOfDate: one item per project, for its latest report (`days`: how
 *   late it was); every late event is in `lateReportsOf`. Always open and counted open (a fact
 *   of the past, never "resolved"), so `includeResolved: false` keeps it.
 *
 * `counts` counts every kind, whichever `kind` the items are filtered to, and `limit` cuts the
 * items only.
 */
import type { IsoDate } from '../../commands/shared/dates.js';
import { addYears } from '../../commands/shared/dates.js';
import { amountToWan } from '../../commands/shared/money.js';
import { declaredInconsistent, STATISTICS_DEADLINE_DAYS, STATISTICS_THRESHOLD } from '../../commands/shared/statistics-rules.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import { dateOfDayNumber, dayNumber } from '../shared/calendar.js';
import { seqsWithin, totalInvestmentOn, type ProjectFacts, type Stage } from '../shared/project-facts.js';
import { runNow, SLICE, type Sliced } from '../shared/sliced.js';
import { STARTED_WITHOUT_APPROVAL_FLAG, STATISTICS_INCONSISTENT_FLAG, type ComplianceState, type LateReport } from './projection.js';

export const COMPLIANCE_KINDS = [
  'statistics-not-entered', 'statistics-inconsistent', 'started-without-approval', 'idle-land', 'overdue-batch-start', 'stalled', 'late-report',
] as const;
export type ComplianceKind = (typeof COMPLIANCE_KINDS)[number];


export interface ComplianceQuery {
  readonly regionCode: RegionCode;
  /** One kind; all kinds when absent. */
  readonly kind?: ComplianceKind;
  readonly asOfDate: IsoDate;
  /** Default true. */
  readonly includeResolved?: boolean;
  /** At most this many items (after sorting); `total` and `counts` still count them all. */
  readonly limit?: number;
}

export interface ComplianceItem {
  readonly kind: ComplianceKind;
  readonly projectId: string;
  readonly name: string;
  readonly regionCode: RegionCode;
  readonly stage: Stage;
  /** The date the duty fell due, or the issue began (a stall, a late report's occurredOn). */
  readonly since: IsoDate;
  /** Open: days from `since` to asOfDate; resolved: days from `since` to `resolvedOn`. */
  readonly days: number;
  readonly open: boolean;
  readonly resolvedOn: IsoDate | null;
  /** The decider flagged it in the event's metadata. */
  readonly flagged: boolean;
  /** Kind-specific: the stall reason, the parcel, the batch id, the late events. */
  readonly detail: string | null;
}

export interface ComplianceList {
  readonly regionCode: RegionCode;
  readonly kind: ComplianceKind | null;
  readonly asOfDate: IsoDate;
  readonly position: number;
  /** Items found, before `limit`. */
  readonly total: number;
  readonly counts: { readonly [K in ComplianceKind]?: { readonly open: number; readonly resolved: number } };
  readonly items: readonly ComplianceItem[];
}

type Finding = Omit<ComplianceItem, 'kind' | 'projectId' | 'name' | 'regionCode' | 'stage'>;
type Judge = (f: ProjectFacts, state: ComplianceState, asOf: number) => Finding | undefined;

export function queryCompliance(state: ComplianceState, query: ComplianceQuery): ComplianceList {
  return runNow(complianceScan(state, query));
}

/** queryCompliance as a scan that pauses every SLICE projects (see shared/sliced.ts). */
export function* complianceScan(state: ComplianceState, query: ComplianceQuery): Sliced<ComplianceList> {
  const asOf = dayNumber(query.asOfDate);
  const items: ComplianceItem[] = [];
  const counts: { [K in ComplianceKind]?: { open: number; resolved: number } } = {};
  const seqs = seqsWithin(state, [query.regionCode]);
  for (let i = 0; i < seqs.length; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const id = state.order[seqs[i] as number];
    const f = id === undefined ? undefined : state.projects[id];
    if (f === undefined || !contains(query.regionCode, f.regionCode)) continue;
    // Every kind is judged, so `counts` is the same whichever `kind` the items are filtered to.
    for (const kind of COMPLIANCE_KINDS) {
      const found = JUDGES[kind](f, state, asOf);
      if (found === undefined || (!found.open && query.includeResolved === false)) continue;
      const count = (counts[kind] ??= { open: 0, resolved: 0 });
      if (found.open) count.open++;
      else count.resolved++;
      if (query.kind === undefined || query.kind === kind) {
        items.push({ kind, projectId: f.projectId, name: f.name, regionCode: f.regionCode, stage: f.stage, ...found });
      }
    }
  }
  items.sort((a, b) => Number(b.open) - Number(a.open) || b.days - a.days || (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0));
  const limit = query.limit === undefined ? items.length : Math.max(0, Math.floor(query.limit));
  return {
    regionCode: query.regionCode, kind: query.kind ?? null, asOfDate: query.asOfDate, position: state.position,
    total: items.length, counts, items: items.length > limit ? items.slice(0, limit) : items,
  };
}

/**
 * The kinds the lists name a project under at asOfDate (open or resolved, as the lists show
 * them by default): the ledger's flags (project-ledger/row.ts), judged by the same JUDGES.
 */
export function complianceFlags(state: ComplianceState, asOfDate: IsoDate): (f: ProjectFacts) => ComplianceKind[] {
  const asOf = dayNumber(asOfDate);
  return (f) => COMPLIANCE_KINDS.filter((kind) => JUDGES[kind](f, state, asOf) !== undefined);
}

/** Every late-recorded event of a project, in log order (for auditors). */
export function lateReportsOf(state: ComplianceState, projectId: string): readonly LateReport[] {
  return state.lateReports[projectId] ?? [];
}

/** A duty due on day `due`, met on `metOn` (if ever): a finding when overdue at asOf or met late. */
function overdue(due: number, metOn: IsoDate | undefined, asOf: number, detail: string | null): Finding | undefined {
  const metDay = metOn === undefined ? undefined : dayNumber(metOn);
  if (metOn !== undefined && metDay !== undefined && metDay <= asOf) {
    return metDay > due ? { since: dateOfDayNumber(due), days: metDay - due, open: false, resolvedOn: metOn, flagged: false, detail } : undefined;
  }
  return asOf > due ? { since: dateOfDayNumber(due), days: asOf - due, open: true, resolvedOn: null, flagged: false, detail } : undefined;
}

const JUDGES: { readonly [K in ComplianceKind]: Judge } = {
  'statistics-not-entered': (f, _state, asOf) => {
    const started = f.dates.Started;
    if (started === undefined || totalInvestmentOn(f, dateOfDayNumber(asOf)) < STATISTICS_THRESHOLD) return undefined;
    return overdue(dayNumber(started) + STATISTICS_DEADLINE_DAYS, f.dates.StatisticsEntered, asOf, null);
  },
  'statistics-inconsistent': (f, _state, asOf) => {
    const entered = f.dates.StatisticsEntered;
    const declared = f.statisticsPlannedInvestment;
    if (entered === undefined || declared === undefined || dayNumber(entered) > asOf) return undefined;
    const total = totalInvestmentOn(f, entered);
    if (!declaredInconsistent(declared, total)) return undefined;
    return {
      since: entered, days: asOf - dayNumber(entered), open: true, resolvedOn: null,
      flagged: f.flags.includes(STATISTICS_INCONSISTENT_FLAG),
      detail: `申报 ${amountToWan(declared)} 万元，总投资 ${amountToWan(total)} 万元`,
    };
  },
  'started-without-approval': (f, _state, asOf) => {
    const started = f.dates.Started;
    if (started === undefined) return undefined;
    const startDay = dayNumber(started);
    if (startDay > asOf) return undefined;
    const known = f.dates.ProjectApproved;
    const approved = known !== undefined && dayNumber(known) <= asOf ? known : undefined;
    if (approved !== undefined && approved <= started) return undefined;
    const flagged = f.flags.includes(STARTED_WITHOUT_APPROVAL_FLAG);
    return approved === undefined
      ? { since: started, days: asOf - startDay, open: true, resolvedOn: null, flagged, detail: null }
      : { since: started, days: dayNumber(approved) - startDay, open: false, resolvedOn: approved, flagged, detail: null };
  },
  'idle-land': (f, _state, asOf) => {
    if (f.dates.LandAcquired === undefined || f.agreedStartBy === undefined) return undefined;
    return overdue(dayNumber(addYears(f.agreedStartBy, 1)), f.dates.Started, asOf, f.parcelNo ?? null);
  },
  'overdue-batch-start': (f, state, asOf) => {
    const batch = f.batchId === undefined ? undefined : state.batches[f.batchId];
    if (batch === undefined) return undefined;
    return overdue(dayNumber(batch.mustStartBy), f.dates.Started, asOf, f.batchId ?? null);
  },
  stalled: (f, _state, asOf) => {
    const since = f.dates.Stalled;
    if (f.stage !== 'STALLED' || since === undefined) return undefined;
    return { since, days: asOf - dayNumber(since), open: true, resolvedOn: null, flagged: false, detail: f.stallReason ?? null };
  },
  'late-report': (f, state, asOf) => {
    // Reports recorded after asOfDate were not yet made then.
    const late = state.lateReports[f.projectId]?.filter((r) => dayNumber(r.recordedOn) <= asOf);
    const latest = late?.[late.length - 1];
    if (late === undefined || latest === undefined) return undefined;
    const shown = late.slice(-3).map((r) => `${r.type} #${r.revision} (${r.daysLate} 天)`).join('; ');
    // A late report is a fact of the past (DOMAIN.md): it stays open, never resolved.
    return {
      since: latest.occurredOn,
      days: latest.daysLate,
      open: true,
      resolvedOn: null,
      flagged: late.some((r) => r.flagged),
      detail: late.length > 3 ? `${late.length} late reports, latest: ${shown}` : shown,
    };
  },
};
