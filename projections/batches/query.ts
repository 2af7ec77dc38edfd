/**
 * Batch answers: per batch its size, Σ 总投资 of its projects, and how many started on time
 * (on or before mustStartBy), late, or not yet; `overdue` counts the not-yet ones past the
 * deadline at `asOfDate`. A member withdrawn before starting is counted apart.
 */
import { amountToWan, type Amount } from '../../commands/shared/money.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import { totalInvestment, type ProjectFacts, type Stage } from '../shared/project-facts.js';
import { runNow, SLICE, type Sliced } from '../shared/sliced.js';
import type { Batch, BatchesState } from './projection.js';

export type MemberStatus = 'on-time' | 'late' | 'not-started' | 'withdrawn' | 'unknown';

export interface BatchMember {
  readonly projectId: string;
  readonly name: string | null;
  readonly regionCode: RegionCode | null;
  readonly stage: Stage | null;
  readonly totalInvestment: number;
  readonly startedOn: IsoDate | null;
  readonly status: MemberStatus;
}

export interface BatchSummary {
  readonly batchId: string;
  readonly name: string;
  readonly regionCode: RegionCode;
  readonly ceremonyOn: IsoDate;
  readonly mustStartBy: IsoDate;
  readonly size: number;
  /** Σ 总投资 of the members (万元). */
  readonly investment: number;
  readonly startedOnTime: number;
  readonly startedLate: number;
  readonly notStarted: number;
  readonly withdrawn: number;
  /** Not started and past mustStartBy at asOfDate; null without an asOfDate. */
  readonly overdue: number | null;
  /** Listed ids with no registered project. */
  readonly unknown: number;
}

export interface BatchDetail extends BatchSummary {
  readonly members: readonly BatchMember[];
}

export interface BatchesQuery {
  /** Batches of this region and its children; all when absent. */
  readonly regionCode?: RegionCode;
  readonly asOfDate?: IsoDate;
}

export function queryBatches(state: BatchesState, query: BatchesQuery = {}): BatchList {
  return runNow(batchesScan(state, query));
}

export interface BatchList {
  readonly position: number;
  readonly batches: BatchSummary[];
}

/**
 * queryBatches as a scan that pauses between batches (see shared/sliced.ts): a province's
 * ~500 batches list ~10⁵ members, each a look-up of its facts.
 */
export function* batchesScan(state: BatchesState, query: BatchesQuery = {}): Sliced<BatchList> {
  const summaries: BatchSummary[] = [];
  let members = 0;
  for (const id in state.batches) {
    const batch = state.batches[id];
    if (batch !== undefined && (members += batch.projectIds.length) >= SLICE) {
      members = 0;
      yield;
    }
    if (batch === undefined || (query.regionCode !== undefined && !contains(query.regionCode, batch.regionCode))) continue;
    summaries.push(batchSummary(state, batch, memberIds(state, batch), query.asOfDate));
  }
  summaries.sort((a, b) => (a.ceremonyOn < b.ceremonyOn ? 1 : a.ceremonyOn > b.ceremonyOn ? -1 : a.batchId < b.batchId ? -1 : 1));
  return { position: state.position, batches: summaries };
}

export function getBatch(state: BatchesState, batchId: string, asOfDate?: IsoDate): BatchDetail | undefined {
  const batch = state.batches[batchId];
  return batch === undefined ? undefined : batchDetail(state, batch, asOfDate);
}

function memberIds(state: BatchesState, batch: Batch): string[] {
  return [...new Set([...batch.projectIds, ...(state.joinedAtStart[batch.batchId] ?? [])])];
}

function batchDetail(state: BatchesState, batch: Batch, asOfDate: IsoDate | undefined): BatchDetail {
  const ids = memberIds(state, batch);
  return { ...batchSummary(state, batch, ids, asOfDate), members: ids.map((id) => member(state, id, batch.mustStartBy)) };
}

/** The counts of a batch without a member object each (a province lists 10⁵ members in all). */
function batchSummary(state: BatchesState, batch: Batch, ids: readonly string[], asOfDate: IsoDate | undefined): BatchSummary {
  const counts: Record<MemberStatus, number> = { 'on-time': 0, late: 0, 'not-started': 0, withdrawn: 0, unknown: 0 };
  let investment: Amount = 0;
  for (const id of ids) {
    const facts = state.projects[id];
    counts[statusOf(facts, batch.mustStartBy)] += 1;
    if (facts) investment += totalInvestment(facts);
  }
  return {
    batchId: batch.batchId,
    name: batch.name,
    regionCode: batch.regionCode,
    ceremonyOn: batch.ceremonyOn,
    mustStartBy: batch.mustStartBy,
    size: ids.length,
    investment: amountToWan(investment),
    startedOnTime: counts['on-time'],
    startedLate: counts.late,
    notStarted: counts['not-started'],
    withdrawn: counts.withdrawn,
    overdue: asOfDate === undefined ? null : asOfDate > batch.mustStartBy ? counts['not-started'] : 0,
    unknown: counts.unknown,
  };
}

function statusOf(f: ProjectFacts | undefined, mustStartBy: IsoDate): MemberStatus {
  if (f === undefined) return 'unknown';
  const startedOn = f.dates.Started;
  return startedOn !== undefined ? (startedOn <= mustStartBy ? 'on-time' : 'late') : f.stage === 'WITHDRAWN' ? 'withdrawn' : 'not-started';
}

function member(state: BatchesState, projectId: string, mustStartBy: IsoDate): BatchMember {
  const f = state.projects[projectId];
  if (f === undefined) {
    return { projectId, name: null, regionCode: null, stage: null, totalInvestment: 0, startedOn: null, status: 'unknown' };
  }
  const startedOn = f.dates.Started;
  const status = statusOf(f, mustStartBy);
  return {
    projectId, name: f.name, regionCode: f.regionCode, stage: f.stage,
    totalInvestment: amountToWan(totalInvestment(f)), startedOn: startedOn ?? null, status,
  };
}
