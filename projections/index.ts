/**
 * The read side: every projection (a pure fold of the global log, see projection.ts) and
 * their queries. A runner subscribes each projection to the log (filtered by `handles`),
 * folds with `evolve`, snapshots with `serialise`, and answers queries from the state.
 */
import type { Projection } from './projection.js';
import { projectLedger, type LedgerState } from './project-ledger/index.js';
import { pipelineStatistics, type PipelineState } from './pipeline-statistics/index.js';
import { compliance, type ComplianceState } from './compliance/index.js';
import { batches, type BatchesState } from './batches/index.js';

export { type Projection, jsonCodec, foldAll } from './projection.js';
export * as ledger from './project-ledger/index.js';
export * as statistics from './pipeline-statistics/index.js';
export * as rankings from './rankings/index.js';
export * as complianceLists from './compliance/index.js';
export * as batchLists from './batches/index.js';

export interface ProjectionStates {
  readonly 'project-ledger': LedgerState;
  readonly 'pipeline-statistics': PipelineState;
  readonly compliance: ComplianceState;
  readonly batches: BatchesState;
}

export const PROJECTIONS: { readonly [K in keyof ProjectionStates]: Projection<ProjectionStates[K]> } = {
  'project-ledger': projectLedger,
  'pipeline-statistics': pipelineStatistics,
  compliance,
  batches,
};
