/**
 * GET /v1/stats/compliance: the flagged projects of a region, by kind, judged at `asOfDate`
 * (the caller's today, China time). Open items come first, most overdue first. Items whose duty
 * was met late (statistics entered on day 45, a batch project started after its deadline, an
 * approval after the start) are kept for auditors with `resolvedOn` set; `includeResolved: false`
 * leaves them out. A late report is a fact of the past and is always listed. Business dates
 * after asOfDate are not yet facts at asOfDate: a duty met after it is judged unmet then.
 *
 * Rules (DOMAIN.md, "Soft rules"):
 * - statistics-not-entered (应统未统): started, plannedInvestment ≥ 500 万元 (the decider's
 *   threshold for StatisticsEntered), not entered within 30 days of the start.
 * - started-without-approval (未批先建): no ProjectApproved dated on or before the start. Judged
 *   from the business dates as now known, so an approval recorded later but dated before the
 *   start clears it; `flagged` says whether the decider flagged the Started event.
 * - idle-land (闲置土地): land acquired with an agreed start date, and not started one year
 *   after it. Land without agreedStartBy cannot be judged and is not listed.
 * - overdue-batch-start: in a 集中开工 batch and not started by its mustStartBy.
 * - stalled: stage STALLED now.
 * - late-report: recorded more than 30 days after its occurredOn (or flagged so).
 */
import type { IsoDate } from '../../commands/shared/dates.js';
import { addDays, addYears, chinaDateOf } from '../../commands/shared/dates.js';
import { amountFromWan } from '../../commands/shared/money.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import { dayNumber } from '../shared/calendar.js';
import type { ProjectFacts, Stage } from '../shared/project-facts.js';
import { STARTED_WITHOUT_APPROVAL_FLAG, type ComplianceState } from './projection.js';

export const COMPLIANCE_KINDS = [
  'statistics-not-entered', 'started-without-approval', 'idle-land', 'overdue-batch-start', 'stalled', 'late-report',
] as const;
export type ComplianceKind = (typeof COMPLIANCE_KINDS)[number];

export const STATISTICS_THRESHOLD = amountFromWan(500);
export const STATISTICS_DEADLINE_DAYS = 30;

export interface ComplianceQuery {
  readonly regionCode: RegionCode;
  /** One kind; all kinds when absent. */
  readonly kind?: ComplianceKind;
  readonly asOfDate: IsoDate;
  /** Default true. */
  readonly includeResolved?: boolean;
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
  /** Kind-specific: the stall reason, the late event's type and revision, the batch id. */
  readonly detail: string | null;
}

export interface ComplianceList {
  readonly regionCode: RegionCode;
  readonly kind: ComplianceKind | null;
  readonly asOfDate: IsoDate;
  readonly position: number;
  readonly items: readonly ComplianceItem[];
}

type Judge = (f: ProjectFacts, state: ComplianceState, asOf: number) => Omit<ComplianceItem, 'kind' | 'projectId' | 'name' | 'regionCode' | 'stage'>[];

export function queryCompliance(state: ComplianceState, query: ComplianceQuery): ComplianceList {
  const asOf = dayNumber(query.asOfDate);
  const kinds = query.kind === undefined ? COMPLIANCE_KINDS : [query.kind];
  const items: ComplianceItem[] = [];
  for (const id in state.projects) {
    const f = state.projects[id];
    if (f === undefined || !contains(query.regionCode, f.regionCode)) continue;
    for (const kind of kinds) {
      for (const found of JUDGES[kind](f, state, asOf)) {
        if (!found.open && query.includeResolved === false && kind !== 'late-report') continue;
        items.push({ kind, projectId: f.projectId, name: f.name, regionCode: f.regionCode, stage: f.stage, ...found });
      }
    }
  }
  items.sort((a, b) => Number(b.open) - Number(a.open) || b.days - a.days || (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0));
  return { regionCode: query.regionCode, kind: query.kind ?? null, asOfDate: query.asOfDate, position: state.position, items };
}

/**
 * A duty due on `due`, met on `metOn` (if ever): listed when overdue at asOf or met late. A
 * duty met after asOf (by business date) is judged as it stood at asOf: unmet.
 */
function overdue(due: IsoDate, metOn: IsoDate | undefined, asOf: number, flagged: boolean, detail: string | null) {
  const dueDay = dayNumber(due);
  const metDay = metOn === undefined ? undefined : dayNumber(metOn);
  if (metOn !== undefined && metDay !== undefined && metDay <= asOf) {
    return metDay > dueDay ? [{ since: due, days: metDay - dueDay, open: false, resolvedOn: metOn, flagged, detail }] : [];
  }
  return asOf > dueDay ? [{ since: due, days: asOf - dueDay, open: true, resolvedOn: null, flagged, detail }] : [];
}

const JUDGES: { readonly [K in ComplianceKind]: Judge } = {
  'statistics-not-entered': (f, _state, asOf) => {
    const started = f.dates.Started;
    if (started === undefined || f.plannedInvestment < STATISTICS_THRESHOLD) return [];
    const due = addDays(started, STATISTICS_DEADLINE_DAYS);
    return overdue(due, f.dates.StatisticsEntered, asOf, false, null);
  },
  'started-without-approval': (f, _state, asOf) => {
    const started = f.dates.Started;
    if (started === undefined) return [];
    const startDay = dayNumber(started);
    if (startDay > asOf) return [];
    const known = f.dates.ProjectApproved;
    const approved = known !== undefined && dayNumber(known) <= asOf ? known : undefined;
    if (approved !== undefined && approved <= started) return [];
    const flagged = f.flags.includes(STARTED_WITHOUT_APPROVAL_FLAG);
    return [approved === undefined
      ? { since: started, days: asOf - startDay, open: true, resolvedOn: null, flagged, detail: null }
      : { since: started, days: dayNumber(approved) - startDay, open: false, resolvedOn: approved, flagged, detail: null }];
  },
  'idle-land': (f, _state, asOf) => {
    if (f.dates.LandAcquired === undefined || f.agreedStartBy === undefined) return [];
    return overdue(addYears(f.agreedStartBy, 1), f.dates.Started, asOf, false, f.parcelNo ?? null);
  },
  'overdue-batch-start': (f, state, asOf) => {
    const batch = f.batchId === undefined ? undefined : state.batches[f.batchId];
    if (batch === undefined || f.batchId === undefined) return [];
    return overdue(batch.mustStartBy, f.dates.Started, asOf, false, f.batchId);
  },
  stalled: (f, _state, asOf) => {
    const since = f.dates.Stalled;
    if (f.stage !== 'STALLED' || since === undefined) return [];
    return [{ since, days: asOf - dayNumber(since), open: true, resolvedOn: null, flagged: false, detail: f.stallReason ?? null }];
  },
  'late-report': (f, state) =>
    (state.lateReports[f.projectId] ?? []).map((late) => ({
      since: late.occurredOn,
      days: late.daysLate,
      open: false,
      resolvedOn: chinaDateOf(new Date(late.recordedAt)),
      flagged: late.flagged,
      detail: `${late.type} #${late.revision}`,
    })),
};
