/**
 * The ledger's queries: one project, and the filtered ledger in registration order with an
 * opaque cursor. A page scans forward from the cursor until it has `limit` matches, so it never
 * sorts; rows registered while a client pages appear at the end, and no row is seen twice.
 */
import type { Amount } from '../../commands/shared/money.js';
import type { Category } from '../../commands/project/events.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import { lowerBound, seqsWithin, totalInvestment, type ProjectFacts, type Stage } from '../shared/project-facts.js';
import { runNow, SLICE, type Sliced } from '../shared/sliced.js';
import type { LedgerState } from './projection.js';
import { toLedgerRow, type FlagsOf, type LedgerRow } from './row.js';

export interface LedgerFilter {
  /** The region and every child region (roll-up by code prefix). */
  readonly regionCode?: RegionCode;
  /** Any of these regions (with their children): a key's scope when it covers several. */
  readonly regionCodes?: readonly RegionCode[];
  readonly stage?: Stage;
  readonly category?: Category;
  /** 总投资 at least this, as an integer Amount (the HTTP layer parses 万元 with `wan()`). */
  readonly minInvestment?: Amount;
}

export interface LedgerPageRequest extends LedgerFilter {
  readonly cursor?: string;
  /** Default 50, at most MAX_PAGE. */
  readonly limit?: number;
}

export interface LedgerPage {
  readonly rows: LedgerRow[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
  /** The global position the ledger reflects. */
  readonly position: number;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

/** A cursor this ledger did not make (client error: 400). */
export class InvalidCursor extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor(cursor: string) {
    super(`not a ledger cursor: ${cursor.slice(0, 80)}`);
    this.name = 'InvalidCursor';
  }
}

export function getProject(state: LedgerState, projectId: string, flagsOf: FlagsOf): LedgerRow | undefined {
  const facts = state.projects[projectId];
  return facts === undefined ? undefined : toLedgerRow(facts, flagsOf);
}

export function queryLedger(state: LedgerState, request: LedgerPageRequest, flagsOf: FlagsOf): LedgerPage {
  return runNow(ledgerPageScan(state, request, flagsOf));
}

/** queryLedger as a scan that pauses every SLICE projects (see shared/sliced.ts). */
export function* ledgerPageScan(state: LedgerState, request: LedgerPageRequest, flagsOf: FlagsOf): Sliced<LedgerPage> {
  const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(request.limit ?? DEFAULT_PAGE)));
  const matches = ledgerMatcher(request);
  const rows: LedgerRow[] = [];
  // Only the filtered regions' projects are looked at, still in registration order.
  const seqs = seqsWithin(state, regionRoots(request));
  let i = request.cursor === undefined ? 0 : lowerBound(seqs, decodeCursor(request.cursor));
  for (; i < seqs.length && rows.length < limit; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const facts = factsAt(state, seqs[i] as number);
    if (facts && matches(facts)) rows.push(toLedgerRow(facts, flagsOf));
  }
  const next = rows.length === limit ? yield* nextMatch(state, seqs, i, matches) : undefined;
  return { rows, nextCursor: next === undefined ? null : encodeCursor(next), position: state.position };
}

/** Every matching project in ledger order (for the CSV export). */
export function* ledgerFacts(state: LedgerState, filter: LedgerFilter): Generator<ProjectFacts> {
  const matches = ledgerMatcher(filter);
  const seqs = seqsWithin(state, regionRoots(filter));
  for (let i = 0; i < seqs.length; i++) {
    const facts = factsAt(state, seqs[i] as number);
    if (facts && matches(facts)) yield facts;
  }
}

/** The regions a filter keeps to (undefined: every region). */
function regionRoots(filter: LedgerFilter): readonly RegionCode[] | undefined {
  return filter.regionCode !== undefined ? [filter.regionCode] : filter.regionCodes;
}

export function ledgerMatcher(filter: LedgerFilter): (facts: ProjectFacts) => boolean {
  const { regionCode, regionCodes, stage, category, minInvestment } = filter;
  return (f) =>
    (regionCode === undefined || contains(regionCode, f.regionCode)) &&
    (regionCodes === undefined || regionCodes.some((code) => contains(code, f.regionCode))) &&
    (stage === undefined || f.stage === stage) &&
    (category === undefined || f.category === category) &&
    (minInvestment === undefined || totalInvestment(f) >= minInvestment);
}

function factsAt(state: LedgerState, seq: number): ProjectFacts | undefined {
  const id = state.order[seq];
  return id === undefined ? undefined : state.projects[id];
}

/** The seq of the next match from `seqs[from]` on: where the next page starts. */
function* nextMatch(state: LedgerState, seqs: ArrayLike<number>, from: number, matches: (f: ProjectFacts) => boolean): Sliced<number | undefined> {
  for (let i = from; i < seqs.length; i++) {
    if (i % SLICE === SLICE - 1) yield;
    const seq = seqs[i] as number;
    const facts = factsAt(state, seq);
    if (facts && matches(facts)) return seq;
  }
  return undefined;
}

const CURSOR_PREFIX = 'ledger.v1.';

function encodeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^ledger\.v1\.(\d{1,15})$/.exec(text);
  if (!match) throw new InvalidCursor(cursor);
  return Number(match[1]);
}
