/**
 * The 台账: one row per project. Everything it shows is in the shared project facts
 * (project-facts.ts), including batch membership and the registration order that is the
 * ledger's stable paging order (projects are never removed; a withdrawn project keeps its row).
 */
import type { Projection } from '../projection.js';
import { FACTS_EVENTS, standalone, type FactsReadModel } from '../facts-read-model.js';
import type { ProjectFacts, RegionIndex } from '../shared/project-facts.js';

export interface LedgerState {
  /** Global position of the last event applied. */
  position: number;
  /** The shared facts of every project by id. */
  projects: Record<string, ProjectFacts>;
  /** Project ids by registration order: order[facts.seq] === facts.projectId (the shared table's). */
  order: string[];
  /** The shared table's projects by region code. */
  byRegion: RegionIndex;
}

export const ledgerModel: FactsReadModel<LedgerState> = {
  name: 'project-ledger',
  version: 5, // 3: over the shared facts; 4: flags are compliance's judgement (project-ledger/row.ts); 5: 投产产能 and 全面投产日期 in the export
  handles: FACTS_EVENTS,
  initialState: (facts) => ({ position: 0, projects: facts.projects, order: facts.order, byRegion: facts.byRegion }),
  evolve: (state, _event, _facts, recorded) => {
    state.position = recorded.position;
    return state;
  },
  toSnapshot: (state) => ({ position: state.position }),
  fromSnapshot: (snapshot, facts) => ({ position: (snapshot as { position: number }).position, projects: facts.projects, order: facts.order, byRegion: facts.byRegion }),
};

export const projectLedger: Projection<LedgerState> = standalone(ledgerModel);
