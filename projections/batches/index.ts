/** 集中开工 batches: size, Σ investment, started on time / late / not yet. */
export { batches, type BatchesState, type Batch } from './projection.js';
export {
  queryBatches, batchesScan, getBatch,
  type BatchesQuery, type BatchList, type BatchSummary, type BatchDetail, type BatchMember, type MemberStatus,
} from './query.js';
