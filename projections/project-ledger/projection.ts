/**
 * The 台账: one row per project, folded from the project streams (and the batch streams, for
 * batch membership). State: the facts of every project by id, and the ids in registration
 * order, which is the ledger's stable paging order (projects are never removed; a withdrawn
 * project keeps its row).
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import { PROJECT_EVENT_TYPES } from '../../commands/project/events.js';
import { jsonCodec, type Projection } from '../projection.js';
import { domainEventOf } from '../shared/domain-events.js';
import { evolveFacts, joinBatch, registerFacts, type ProjectFacts } from '../shared/project-facts.js';

export interface LedgerState {
  /** Global position of the last event applied. */
  position: number;
  projects: Record<string, ProjectFacts>;
  /** Project ids by registration order: order[facts.seq] === facts.projectId. */
  order: string[];
  /** Batch memberships seen before the project's registration (projectId → batchId). */
  pendingBatches: Record<string, string>;
}

export const projectLedger: Projection<LedgerState> = {
  name: 'project-ledger',
  version: 2, // 2: PeriodAmounts kept sorted by month
  handles: [...PROJECT_EVENT_TYPES, 'GroundbreakingBatchScheduled'],
  initialState: () => ({ position: 0, projects: {}, order: [], pendingBatches: {} }),
  evolve: evolveLedger,
  ...jsonCodec<LedgerState>(),
};

function evolveLedger(state: LedgerState, recorded: RecordedEvent): LedgerState {
  const event = domainEventOf(recorded);
  if (event === undefined || event.type === 'AnnualTargetsSet') return state;
  state.position = recorded.position;
  if (event.type === 'GroundbreakingBatchScheduled') {
    for (const projectId of event.data.projectIds) {
      const facts = state.projects[projectId];
      if (facts) joinBatch(facts, event.data.batchId);
      else state.pendingBatches[projectId] ??= event.data.batchId;
    }
    return state;
  }
  const existing = state.projects[event.data.projectId];
  if (existing) {
    evolveFacts(existing, event, recorded);
    return state;
  }
  if (event.type !== 'ProjectRegistered') return state; // no registration: nothing to attach it to
  const facts = registerFacts(event.data, recorded, state.order.length);
  const pendingBatch = state.pendingBatches[facts.projectId];
  if (pendingBatch !== undefined) {
    joinBatch(facts, pendingBatch);
    delete state.pendingBatches[facts.projectId];
  }
  state.projects[facts.projectId] = facts;
  state.order.push(facts.projectId);
  return state;
}
