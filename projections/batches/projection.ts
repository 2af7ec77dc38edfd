/**
 * 集中开工 batches: each batch as scheduled, over the shared facts of every project (a batch
 * lists projects registered before it). A project is a member when the
 * batch lists it or when its Started names the batch.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import type { Projection } from '../projection.js';
import { FACTS_EVENTS, standalone, type FactsReadModel } from '../facts-read-model.js';
import type { DomainEvent } from '../shared/domain-events.js';
import type { ProjectFacts } from '../shared/project-facts.js';
import { idRecord, idRecordOf } from '../shared/id-record.js';

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
  /** The shared facts of every project by id (a batch lists projects registered before it). */
  projects: Record<string, ProjectFacts>;
}

/** No batch figure reads the money flows. */
const IGNORED: ReadonlySet<string> = new Set(['InvestmentReported', 'InvestmentCorrected', 'FundsArrived', 'FundingSecured']);

export const batchesModel: FactsReadModel<BatchesState> = {
  name: 'batches',
  version: 2, // 2: over the shared facts
  handles: FACTS_EVENTS.filter((type) => !IGNORED.has(type)),
  initialState: (facts) => ({ position: 0, batches: idRecord(), joinedAtStart: idRecord(), projects: facts.projects }),
  evolve: evolveBatches,
  toSnapshot: ({ position, batches, joinedAtStart }) => ({ position, batches, joinedAtStart }),
  fromSnapshot: (snapshot, facts) => {
    const own = snapshot as Omit<BatchesState, 'projects'>;
    return { position: own.position, batches: idRecordOf(own.batches), joinedAtStart: idRecordOf(own.joinedAtStart), projects: facts.projects };
  },
};

export const batches: Projection<BatchesState> = standalone(batchesModel);

function evolveBatches(state: BatchesState, event: DomainEvent, facts: ProjectFacts | undefined, recorded: RecordedEvent): BatchesState {
  state.position = recorded.position;
  if (event.type === 'GroundbreakingBatchScheduled') {
    const d = event.data;
    state.batches[d.batchId] = {
      batchId: d.batchId, name: d.name, regionCode: d.regionCode, scheduledOn: d.occurredOn,
      ceremonyOn: d.ceremonyOn, mustStartBy: d.mustStartBy, projectIds: [...d.projectIds],
    };
    return state;
  }
  if (facts !== undefined && event.type === 'Started' && event.data.batchId !== undefined) {
    const batchId = event.data.batchId;
    const listed = state.batches[batchId]?.projectIds.includes(facts.projectId) ?? false;
    const joined = (state.joinedAtStart[batchId] ??= []);
    if (!listed && !joined.includes(facts.projectId)) joined.push(facts.projectId);
  }
  return state;
}
