/**
 * Compliance (soft rules of DOMAIN.md): the facts the rules are judged on (the shared project
 * facts), plus the batches' deadlines and every late-recorded event. Which projects are flagged depends on
 * the date they are asked about, so the lists are computed by the query (query.ts).
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import type { ProjectEvent } from '../../commands/project/events.js';
import { LATE_REPORT_DAYS } from '../../commands/shared/statistics-rules.js';
import type { Projection } from '../projection.js';
import { FACTS_EVENTS, standalone, type FactsReadModel } from '../facts-read-model.js';
import { flagsOf, type DomainEvent } from '../shared/domain-events.js';
import { dateOfDayNumber, dayNumber, recordedDayNumber } from '../shared/calendar.js';
import type { ProjectFacts, RegionIndex } from '../shared/project-facts.js';
import { idRecord, idRecordOf } from '../shared/id-record.js';

export const LATE_REPORT_FLAG = 'late-report';
export const STARTED_WITHOUT_APPROVAL_FLAG = 'started-without-approval';
export const STATISTICS_INCONSISTENT_FLAG = 'statistics-inconsistent';

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
  /** The shared facts of every project by id, their registration order and their regions. */
  projects: Record<string, ProjectFacts>;
  order: string[];
  byRegion: RegionIndex;
  batches: Record<string, BatchDeadline>;
  lateReports: Record<string, LateReport[]>;
}

export const complianceModel: FactsReadModel<ComplianceState> = {
  name: 'compliance',
  version: 4, // 2: over the shared facts; 3: late reports stay open, counts independent of `kind`; 4: 入统数据不一致, 应统未统 on 总投资
  handles: FACTS_EVENTS,
  initialState: (facts) => ({ position: 0, projects: facts.projects, order: facts.order, byRegion: facts.byRegion, batches: idRecord(), lateReports: idRecord() }),
  evolve: evolveCompliance,
  toSnapshot: ({ position, batches, lateReports }) => ({ position, batches, lateReports }),
  fromSnapshot: (snapshot, facts) => {
    const own = snapshot as Pick<ComplianceState, 'position' | 'batches' | 'lateReports'>;
    return {
      position: own.position, batches: idRecordOf(own.batches), lateReports: idRecordOf(own.lateReports),
      projects: facts.projects, order: facts.order, byRegion: facts.byRegion,
    };
  },
};

export const compliance: Projection<ComplianceState> = standalone(complianceModel);

function evolveCompliance(state: ComplianceState, event: DomainEvent, facts: ProjectFacts | undefined, recorded: RecordedEvent): ComplianceState {
  state.position = recorded.position;
  if (event.type === 'GroundbreakingBatchScheduled') {
    const { batchId, name, regionCode, mustStartBy } = event.data;
    state.batches[batchId] = { name, regionCode, mustStartBy };
    return state;
  }
  // Lateness of the events of registered projects only: nothing else has a row to show it on.
  if (facts !== undefined && event.type !== 'AnnualTargetsSet') noteLateness(state, event, recorded);
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
