/**
 * Compliance (soft rules of DOMAIN.md): the facts the rules are judged on, per project, plus
 * the batches' deadlines and every late-recorded event. Which projects are flagged depends on
 * the date they are asked about, so the lists are computed by the query (query.ts).
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import { PROJECT_EVENT_TYPES, type ProjectEvent } from '../../commands/project/events.js';
import { jsonCodec, type Projection } from '../projection.js';
import { domainEventOf, flagsOf } from '../shared/domain-events.js';
import { dateOfDayNumber, dayNumber, recordedDayNumber } from '../shared/calendar.js';
import { evolveFacts, joinBatch, registerFacts, type ProjectFacts } from '../shared/project-facts.js';

/** recordedAt more than this many days after occurredOn is a late (or back-dated) report. */
export const LATE_REPORT_DAYS = 30;
export const LATE_REPORT_FLAG = 'late-report';
export const STARTED_WITHOUT_APPROVAL_FLAG = 'started-without-approval';

export interface LateReport {
  readonly type: string;
  readonly revision: number;
  readonly position: number;
  readonly occurredOn: IsoDate;
  readonly recordedAt: string;
  /** The business date (China time) it was recorded on. */
  readonly recordedOn: IsoDate;
  /** Days from occurredOn to recordedOn. */
  readonly daysLate: number;
  /** The decider flagged it (metadata.flags); otherwise it was found from the dates. */
  readonly flagged: boolean;
}

export interface BatchDeadline {
  readonly name: string;
  readonly regionCode: RegionCode;
  readonly mustStartBy: IsoDate;
}

export interface ComplianceState {
  position: number;
  /** Project facts without the money flows (no rule reads them). */
  projects: Record<string, ProjectFacts>;
  registrations: number;
  batches: Record<string, BatchDeadline>;
  pendingBatches: Record<string, string>;
  lateReports: Record<string, LateReport[]>;
}

/** Events that change no fact a rule reads: only their lateness is looked at. */
const FLOW_EVENTS: ReadonlySet<string> = new Set(['InvestmentReported', 'InvestmentCorrected', 'FundsArrived', 'FundingSecured']);

export const compliance: Projection<ComplianceState> = {
  name: 'compliance',
  version: 1,
  handles: [...PROJECT_EVENT_TYPES, 'GroundbreakingBatchScheduled'],
  initialState: () => ({ position: 0, projects: {}, registrations: 0, batches: {}, pendingBatches: {}, lateReports: {} }),
  evolve: evolveCompliance,
  ...jsonCodec<ComplianceState>(),
};

function evolveCompliance(state: ComplianceState, recorded: RecordedEvent): ComplianceState {
  const event = domainEventOf(recorded);
  if (event === undefined || event.type === 'AnnualTargetsSet') return state;
  state.position = recorded.position;
  if (event.type === 'GroundbreakingBatchScheduled') {
    const { batchId, name, regionCode, mustStartBy, projectIds } = event.data;
    state.batches[batchId] = { name, regionCode, mustStartBy };
    for (const projectId of projectIds) {
      const facts = state.projects[projectId];
      if (facts) joinBatch(facts, batchId);
      else state.pendingBatches[projectId] ??= batchId;
    }
    return state;
  }
  let facts = state.projects[event.data.projectId];
  if (facts === undefined) {
    if (event.type !== 'ProjectRegistered') return state;
    facts = registerFacts(event.data, recorded, state.registrations++);
    const pending = state.pendingBatches[facts.projectId];
    if (pending !== undefined) {
      joinBatch(facts, pending);
      delete state.pendingBatches[facts.projectId];
    }
    state.projects[facts.projectId] = facts;
  } else if (!FLOW_EVENTS.has(event.type)) {
    evolveFacts(facts, event, recorded);
  }
  noteLateness(state, event, recorded);
  return state;
}

function noteLateness(state: ComplianceState, event: ProjectEvent, recorded: RecordedEvent): void {
  const flagged = flagsOf(recorded).includes(LATE_REPORT_FLAG);
  const recordedDay = recordedDayNumber(recorded.recordedAt);
  const daysLate = recordedDay - dayNumber(event.data.occurredOn);
  // A MilestoneDateCorrected carries the corrected (past) date: its distance to recordedAt says
  // nothing about how late it was reported, so only the decider's flag counts for it.
  const computed = event.type !== 'MilestoneDateCorrected' && daysLate > LATE_REPORT_DAYS;
  if (!flagged && !computed) return;
  (state.lateReports[event.data.projectId] ??= []).push({
    type: event.type,
    revision: recorded.revision,
    position: recorded.position,
    occurredOn: event.data.occurredOn,
    recordedAt: recorded.recordedAt,
    recordedOn: dateOfDayNumber(recordedDay),
    daysLate,
    flagged,
  });
}
