/** 集中开工 batches: size, Σ investment, started on time / late / not yet. */
export { batches, type BatchesState, type Batch } from './projection.js';
export {
  queryBatches, getBatch,
  type BatchesQuery, type BatchSummary, type BatchDetail, type BatchMember, type MemberStatus,
} from './query.js';
