/**
 * 集中开工 batches: each batch as scheduled, and the facts of every project (a batch lists
 * projects registered before it, so every project is kept). A project is a member when the
 * batch lists it or when its Started names the batch.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import { PROJECT_EVENT_TYPES } from '../../commands/project/events.js';
import { jsonCodec, type Projection } from '../projection.js';
import { domainEventOf } from '../shared/domain-events.js';
import { evolveFacts, registerFacts, type ProjectFacts } from '../shared/project-facts.js';

export interface Batch {
  readonly batchId: string;
  readonly name: string;
  readonly regionCode: RegionCode;
  readonly scheduledOn: IsoDate;
  readonly ceremonyOn: IsoDate;
  readonly mustStartBy: IsoDate;
  readonly projectIds: readonly string[];
}

export interface BatchesState {
  position: number;
  batches: Record<string, Batch>;
  /** batchId → projects whose Started named the batch without the batch listing them. */
  joinedAtStart: Record<string, string[]>;
  projects: Record<string, ProjectFacts>;
  registrations: number;
}

/** No batch figure reads the money flows. */
const IGNORED: ReadonlySet<string> = new Set(['InvestmentReported', 'InvestmentCorrected', 'FundsArrived', 'FundingSecured']);

export const batches: Projection<BatchesState> = {
  name: 'batches',
  version: 1,
  handles: [...PROJECT_EVENT_TYPES.filter((type) => !IGNORED.has(type)), 'GroundbreakingBatchScheduled'],
  initialState: () => ({ position: 0, batches: {}, joinedAtStart: {}, projects: {}, registrations: 0 }),
  evolve: evolveBatches,
  ...jsonCodec<BatchesState>(),
};

function evolveBatches(state: BatchesState, recorded: RecordedEvent): BatchesState {
  const event = domainEventOf(recorded);
  if (event === undefined || event.type === 'AnnualTargetsSet' || IGNORED.has(event.type)) return state;
  state.position = recorded.position;
  if (event.type === 'GroundbreakingBatchScheduled') {
    const d = event.data;
    state.batches[d.batchId] = {
      batchId: d.batchId, name: d.name, regionCode: d.regionCode, scheduledOn: d.occurredOn,
      ceremonyOn: d.ceremonyOn, mustStartBy: d.mustStartBy, projectIds: [...d.projectIds],
    };
    return state;
  }
  const facts = state.projects[event.data.projectId];
  if (facts === undefined) {
    if (event.type === 'ProjectRegistered') {
      state.projects[event.data.projectId] = registerFacts(event.data, recorded, state.registrations++);
    }
    return state;
  }
  evolveFacts(facts, event, recorded);
  if (event.type === 'Started' && event.data.batchId !== undefined) {
    const batchId = event.data.batchId;
    const listed = state.batches[batchId]?.projectIds.includes(facts.projectId) ?? false;
    const joined = (state.joinedAtStart[batchId] ??= []);
    if (!listed && !joined.includes(facts.projectId)) joined.push(facts.projectId);
  }
  return state;
}
