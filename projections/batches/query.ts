/**
 * Batch answers: per batch its size, Σ 总投资 of its projects, and how many started on time
 * (on or before mustStartBy), late, or not yet; `overdue` counts the not-yet ones past the
 * deadline at `asOfDate`. A member withdrawn before starting is counted apart.
 */
import { amountToWan, type Amount } from '../../commands/shared/money.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import { totalInvestment, type Stage } from '../shared/project-facts.js';
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

export function queryBatches(state: BatchesState, query: BatchesQuery = {}): { readonly position: number; readonly batches: BatchSummary[] } {
  const summaries: BatchSummary[] = [];
  for (const id in state.batches) {
    const batch = state.batches[id];
    if (batch === undefined || (query.regionCode !== undefined && !contains(query.regionCode, batch.regionCode))) continue;
    const { members: _members, ...summary } = batchDetail(state, batch, query.asOfDate);
    summaries.push(summary);
  }
  summaries.sort((a, b) => (a.ceremonyOn < b.ceremonyOn ? 1 : a.ceremonyOn > b.ceremonyOn ? -1 : a.batchId < b.batchId ? -1 : 1));
  return { position: state.position, batches: summaries };
}

export function getBatch(state: BatchesState, batchId: string, asOfDate?: IsoDate): BatchDetail | undefined {
  const batch = state.batches[batchId];
  return batch === undefined ? undefined : batchDetail(state, batch, asOfDate);
}

function batchDetail(state: BatchesState, batch: Batch, asOfDate: IsoDate | undefined): BatchDetail {
  const ids = [...new Set([...batch.projectIds, ...(state.joinedAtStart[batch.batchId] ?? [])])];
  const members = ids.map((id) => member(state, id, batch.mustStartBy));
  const count = (status: MemberStatus) => members.filter((m) => m.status === status).length;
  let investment: Amount = 0;
  for (const id of ids) {
    const facts = state.projects[id];
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
    startedOnTime: count('on-time'),
    startedLate: count('late'),
    notStarted: count('not-started'),
    withdrawn: count('withdrawn'),
    overdue: asOfDate === undefined ? null : asOfDate > batch.mustStartBy ? count('not-started') : 0,
    unknown: count('unknown'),
    members,
  };
}

function member(state: BatchesState, projectId: string, mustStartBy: IsoDate): BatchMember {
  const f = state.projects[projectId];
  if (f === undefined) {
    return { projectId, name: null, regionCode: null, stage: null, totalInvestment: 0, startedOn: null, status: 'unknown' };
  }
  const startedOn = f.dates.Started;
  const status: MemberStatus = startedOn !== undefined
    ? (startedOn <= mustStartBy ? 'on-time' : 'late')
    : f.stage === 'WITHDRAWN' ? 'withdrawn' : 'not-started';
  return {
    projectId, name: f.name, regionCode: f.regionCode, stage: f.stage,
    totalInvestment: amountToWan(totalInvestment(f)), startedOn: startedOn ?? null, status,
  };
}
