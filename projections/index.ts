/**
 * The read side: every read model (a pure fold of the global log over the shared project
 * facts, see facts-read-model.ts) and their queries. The server folds the four as one
 * projection, `allReadModels`; each is also a Projection of its own (`PROJECTIONS`), with a
 * facts table of its own, for tests and tools that want just one.
 */
import type { Projection } from './projection.js';
import { projectLedger, type LedgerState } from './project-ledger/index.js';
import { pipelineStatistics, type PipelineState } from './pipeline-statistics/index.js';
import { compliance, type ComplianceState } from './compliance/index.js';
import { batches, type BatchesState } from './batches/index.js';

export { type Projection, jsonCodec, foldAll } from './projection.js';
export { allReadModels, READ_MODEL_NAMES, READ_MODEL_VERSIONS, type AllReadModelsState, type ReadModelName, type ReadModelStates } from './all-read-models.js';
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
