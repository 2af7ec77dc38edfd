/**
 * What every project read model knows of one project, folded from its stream: the
 * registration fields as last corrected, the stage, every milestone's date as last corrected,
 * and the amounts. The rules of DOMAIN.md live here once.
 *
 * The facts of all projects (FactsTable) are folded once and shared by the ledger, the
 * statistics, compliance and batches (facts-read-model.ts): four copies were four times the
 * memory, the snapshot and the fold, and a province of 7.6 × 10⁵ projects did not fit.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { DomainEvent } from './domain-events.js';
import { runNow, type Sliced } from './sliced.js';
import type { Amount } from '../../commands/shared/money.js';
import type { IsoDate, Period } from '../../commands/shared/dates.js';
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import type {
  Category, CorrectableMilestone, ProjectEvent, ProjectEventData,
} from '../../commands/project/events.js';
import { flagsOf } from './domain-events.js';
import { LATEST_DATE, totalInvestmentOn as totalInvestmentOnDate } from '../../commands/shared/total-investment.js';
import { monthIndex } from './calendar.js';
import { addAmount, replaceAmount, type PeriodAmounts } from './period-amounts.js';
import { idRecord, idRecordOf } from './id-record.js';

export const STAGES = [
  'PLANNED', 'NEGOTIATING', 'SIGNED', 'STARTED', 'COMPLETED', 'COMMISSIONED', 'FULL_PRODUCTION', 'STALLED', 'WITHDRAWN',
] as const;
export type Stage = (typeof STAGES)[number];

/** Milestones with a business date: the correctable ones, and the stage changes that are not. */
export type DatedMilestone = CorrectableMilestone | 'Stalled' | 'Resumed' | 'Withdrawn';
export type MilestoneDates = { [M in DatedMilestone]?: IsoDate };

type Registered = ProjectEventData<'ProjectRegistered'>;

export interface ProjectFacts {
  projectId: string;
  /** Registration order in this read model: a stable order for paging. */
  seq: number;
  name: string;
  regionCode: RegionCode;
  industry: Registered['industry'];
  industryClass?: string;
  category: Category;
  origin: Registered['origin'];
  level?: NonNullable<Registered['level']>;
  plannedInvestment: Amount;
  expectedInvestment?: Amount;
  contractInvestment?: Amount;
  approvedInvestment?: Amount;
  investor?: string;
  investorOrigin?: string;
  agreementType?: string;
  signingEvent?: string;
  promisedStartBy?: IsoDate;
  approvalKind?: string;
  approvalAuthority?: string;
  approvalDocumentNo?: string;
  nationalProjectCode?: string;
  landMethod?: string;
  parcelNo?: string;
  landAreaMu?: number;
  agreedStartBy?: IsoDate;
  statisticsMonth?: Period;
  statisticsPlannedInvestment?: Amount;
  stage: Stage;
  /** The stage a Resumed returns to. */
  stageBeforeStall?: Stage;
  stallReason?: string;
  withdrawReason?: string;
  withdrawApprovedBy?: { authority: string; documentNo?: string };
  /**
   * The latest commissioning: partial or full, and the full one's date when it followed a partial
   * one; `partialCapacityPct`: the capacity the partial one named, kept after the full one (the
   * ledger's 投产产能 column, so an exported ledger imports back commissioned in part first).
   */
  commissioning?: { partial: boolean; capacityPct?: number; fullOn?: IsoDate; partialCapacityPct?: number };
  outputValue?: Amount;
  taxPaid?: Amount;
  dates: MilestoneDates;
  /** Completed investment by report month (monthIndex), corrections applied. */
  reported: PeriodAmounts;
  completedInvestment: Amount;
  fundsArrived: Amount;
  /** Funds arrived by month of occurredOn. */
  fundsByMonth: PeriodAmounts;
  fundingSecured: Amount;
  securedByMonth: PeriodAmounts;
  batchId?: string;
  /** Every soft-rule flag any of its events carried. */
  flags: string[];
  revision: number;
  position: number;
  lastRecordedAt: string;
}

/** 总投资 on `date` (commands/shared/total-investment.ts): what the statistics value a project at. */
export function totalInvestmentOn(facts: ProjectFacts, date: IsoDate): Amount {
  return totalInvestmentOnDate(
    date, facts.plannedInvestment,
    { on: facts.dates.ProjectSigned, amount: facts.contractInvestment },
    { on: facts.dates.ProjectApproved, amount: facts.approvedInvestment },
  );
}

/** 总投资 as it stands now (the ledger, batches). */
export function totalInvestment(facts: ProjectFacts): Amount {
  return totalInvestmentOn(facts, LATEST_DATE);
}

export function registerFacts(data: Registered, recorded: RecordedEvent, seq: number): ProjectFacts {
  const facts: ProjectFacts = {
    projectId: data.projectId,
    seq,
    name: data.name,
    regionCode: data.regionCode,
    industry: data.industry,
    category: data.category,
    origin: data.origin,
    plannedInvestment: data.plannedInvestment,
    stage: 'PLANNED',
    dates: { ProjectRegistered: data.occurredOn },
    reported: [],
    completedInvestment: 0,
    fundsArrived: 0,
    fundsByMonth: [],
    fundingSecured: 0,
    securedByMonth: [],
    flags: [],
    revision: recorded.revision,
    position: recorded.position,
    lastRecordedAt: recorded.recordedAt,
  };
  if (data.industryClass !== undefined) facts.industryClass = data.industryClass;
  if (data.level !== undefined) facts.level = data.level;
  addFlags(facts, recorded);
  return facts;
}

/** Applies one of the project's events (other than its registration) to its facts, in place. */
export function evolveFacts(facts: ProjectFacts, event: ProjectEvent, recorded: RecordedEvent): void {
  facts.revision = recorded.revision;
  facts.position = recorded.position;
  facts.lastRecordedAt = recorded.recordedAt;
  addFlags(facts, recorded);
  switch (event.type) {
    case 'ProjectRegistered':
      return; // registerFacts made the facts; a repeated registration changes nothing
    case 'NegotiationOpened': {
      const d = event.data;
      facts.stage = 'NEGOTIATING';
      facts.dates.NegotiationOpened = d.occurredOn;
      facts.investor = d.investor;
      facts.investorOrigin = d.investorOrigin;
      facts.expectedInvestment = d.expectedInvestment;
      return;
    }
    case 'ProjectSigned': {
      const d = event.data;
      facts.stage = 'SIGNED';
      facts.dates.ProjectSigned = d.occurredOn;
      facts.contractInvestment = d.contractInvestment;
      facts.investor = d.investor;
      facts.investorOrigin = d.investorOrigin;
      facts.agreementType = d.agreementType;
      if (d.signingEvent !== undefined) facts.signingEvent = d.signingEvent;
      if (d.promisedStartBy !== undefined) facts.promisedStartBy = d.promisedStartBy;
      return;
    }
    case 'ProjectApproved': {
      const d = event.data;
      facts.dates.ProjectApproved = d.occurredOn;
      facts.approvedInvestment = d.approvedInvestment;
      facts.approvalKind = d.kind;
      facts.approvalAuthority = d.authority;
      facts.approvalDocumentNo = d.documentNo;
      if (d.projectCode !== undefined) facts.nationalProjectCode = d.projectCode;
      return;
    }
    case 'LandAcquired': {
      const d = event.data;
      facts.dates.LandAcquired = d.occurredOn;
      facts.landMethod = d.method;
      facts.parcelNo = d.parcelNo;
      facts.landAreaMu = d.areaMu;
      if (d.agreedStartBy !== undefined) facts.agreedStartBy = d.agreedStartBy;
      return;
    }
    case 'Started':
      facts.stage = 'STARTED';
      facts.dates.Started = event.data.occurredOn;
      if (event.data.batchId !== undefined) facts.batchId = event.data.batchId;
      return;
    case 'StatisticsEntered':
      facts.dates.StatisticsEntered = event.data.occurredOn;
      facts.statisticsMonth = event.data.month;
      facts.statisticsPlannedInvestment = event.data.plannedInvestment;
      return;
    case 'InvestmentReported':
    case 'InvestmentCorrected': {
      // Either one sets the period's amount: a correction replaces it, and a repeated report
      // (refused by the decider) is read the same way rather than counted twice.
      const previous = replaceAmount(facts.reported, monthIndex(event.data.period), event.data.amount);
      facts.completedInvestment += event.data.amount - previous;
      return;
    }
    case 'FundsArrived':
      facts.fundsArrived += event.data.amount;
      addAmount(facts.fundsByMonth, monthIndex(event.data.occurredOn), event.data.amount);
      return;
    case 'FundingSecured':
      facts.fundingSecured += event.data.amount;
      addAmount(facts.securedByMonth, monthIndex(event.data.occurredOn), event.data.amount);
      return;
    case 'Completed':
      facts.stage = 'COMPLETED';
      facts.dates.Completed = event.data.occurredOn;
      return;
    case 'Commissioned': {
      // Counted as commissioned once, on its first date (DOMAIN.md): a full commissioning after a partial one keeps it.
      const d = event.data;
      const fullAfterPartial = facts.commissioning?.partial === true && !d.partial;
      const partialCapacityPct = d.partial ? d.capacityPct : fullAfterPartial ? facts.commissioning?.partialCapacityPct : undefined;
      facts.stage = 'COMMISSIONED';
      facts.dates.Commissioned ??= d.occurredOn;
      facts.commissioning = {
        partial: d.partial,
        ...(d.capacityPct !== undefined ? { capacityPct: d.capacityPct } : {}),
        ...(fullAfterPartial ? { fullOn: d.occurredOn } : {}),
        ...(partialCapacityPct !== undefined ? { partialCapacityPct } : {}),
      };
      return;
    }
    case 'FullProductionReached':
      facts.stage = 'FULL_PRODUCTION';
      facts.dates.FullProductionReached = event.data.occurredOn;
      if (event.data.outputValue !== undefined) facts.outputValue = event.data.outputValue;
      if (event.data.taxPaid !== undefined) facts.taxPaid = event.data.taxPaid;
      return;
    case 'Stalled':
      if (facts.stage !== 'STALLED') facts.stageBeforeStall = facts.stage;
      facts.stage = 'STALLED';
      facts.stallReason = event.data.reason;
      facts.dates.Stalled = event.data.occurredOn;
      return;
    case 'Resumed':
      facts.stage = facts.stageBeforeStall ?? facts.stage;
      delete facts.stageBeforeStall;
      delete facts.stallReason;
      facts.dates.Resumed = event.data.occurredOn;
      return;
    case 'Withdrawn': {
      facts.stage = 'WITHDRAWN';
      facts.withdrawReason = event.data.reason;
      const { authority, documentNo } = { documentNo: undefined, ...event.data.approvedBy };
      facts.withdrawApprovedBy = documentNo === undefined ? { authority } : { authority, documentNo };
      facts.dates.Withdrawn = event.data.occurredOn;
      return;
    }
    case 'DetailsCorrected':
      correctDetails(facts, event.data);
      return;
    case 'MilestoneDateCorrected':
      facts.dates[event.data.milestone] = event.data.occurredOn;
      return;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function correctDetails(facts: ProjectFacts, d: ProjectEventData<'DetailsCorrected'>): void {
  if (d.name !== undefined) facts.name = d.name;
  if (d.regionCode !== undefined) facts.regionCode = d.regionCode;
  if (d.industry !== undefined) facts.industry = d.industry;
  if (d.industryClass !== undefined) facts.industryClass = d.industryClass;
  if (d.category !== undefined) facts.category = d.category;
  if (d.origin !== undefined) facts.origin = d.origin;
  if (d.plannedInvestment !== undefined) facts.plannedInvestment = d.plannedInvestment;
  if (d.level !== undefined) facts.level = d.level;
}

/** A 集中开工 batch lists the project: the first batch it joins is its batch. */
export function joinBatch(facts: ProjectFacts, batchId: string): void {
  if (facts.batchId === undefined) facts.batchId = batchId;
}

function addFlags(facts: ProjectFacts, recorded: RecordedEvent): void {
  for (const flag of flagsOf(recorded)) if (!facts.flags.includes(flag)) facts.flags.push(flag);
}

/**
 * The facts of every project, in registration order, and the batch memberships seen before
 * the project's registration (a batch lists projects by id; the listing wins over nothing).
 */
export interface FactsTable {
  projects: Record<string, ProjectFacts>;
  /** Project ids by registration order: order[facts.seq] === facts.projectId. */
  order: string[];
  /** projectId → batchId, for batches that listed a project not registered yet. */
  pendingBatches: Record<string, string>;
  /**
   * The projects of each region code, as registration seqs in ascending order: a county's
   * list or compliance reads its few thousand projects, not the province's 10⁵–10⁶. Derived
   * from the facts (kept up to date here, rebuilt on load, never in a snapshot).
   */
  readonly byRegion: RegionIndex;
  /**
   * Told of each project the fold changes, with the event's position: a table that keeps its
   * facts elsewhere (runner/facts-on-rows.ts) holds a changed project until it is written.
   */
  readonly touched?: (projectId: string, position: number) => void;
}

/** regionCode → seqs of its projects, ascending. */
export type RegionIndex = Map<RegionCode, number[]>;

export function emptyFactsTable(): FactsTable {
  return { projects: idRecord(), order: [], pendingBatches: idRecord(), byRegion: new Map() };
}

/** Registrations append to their region's list; a move takes a seq out of one list and puts it into another in order. */
function indexRegion(table: FactsTable, regionCode: RegionCode, seq: number): void {
  const index = table.byRegion;
  const seqs = index.get(regionCode);
  if (seqs === undefined) {
    index.set(regionCode, [seq]);
    return;
  }
  // Registrations come in seq order: almost always an append.
  if (seqs.length === 0 || (seqs[seqs.length - 1] as number) < seq) seqs.push(seq);
  else seqs.splice(lowerBound(seqs, seq), 0, seq);
}

function unindexRegion(table: FactsTable, regionCode: RegionCode, seq: number): void {
  const index = table.byRegion;
  const seqs = index.get(regionCode);
  if (seqs === undefined) return;
  const at = lowerBound(seqs, seq);
  if (seqs[at] !== seq) return;
  if (seqs.length === 1) {
    index.delete(regionCode);
    return;
  }
  seqs.splice(at, 1);
}

/** The first index of a sorted list whose value is ≥ `value`. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The registration seqs of the projects within any of `roots` (GB/T 2260 roll-up), ascending:
 * every project when `roots` is undefined.
 */
export function seqsWithin(table: Pick<FactsTable, 'byRegion' | 'order'>, roots: readonly RegionCode[] | undefined): ArrayLike<number> {
  if (roots === undefined) {
    const all = new Int32Array(table.order.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return all;
  }
  const lists: number[][] = [];
  let total = 0;
  for (const [code, seqs] of table.byRegion) {
    if (roots.some((root) => contains(root, code))) {
      lists.push(seqs);
      total += seqs.length;
    }
  }
  if (lists.length === 1) return lists[0] as number[];
  const merged = new Int32Array(total);
  let at = 0;
  for (const seqs of lists) for (const seq of seqs) merged[at++] = seq;
  return merged.sort();
}

/**
 * Applies an event to the table; returns the facts of the event's project after it (undefined
 * for an event of no project, or of a project never registered: nothing to attach it to).
 */
export function applyToFacts(table: FactsTable, event: DomainEvent, recorded: RecordedEvent): ProjectFacts | undefined {
  if (event.type === 'AnnualTargetsSet') return undefined;
  if (event.type === 'GroundbreakingBatchScheduled') {
    for (const projectId of event.data.projectIds) {
      const facts = table.projects[projectId];
      if (facts) {
        joinBatch(facts, event.data.batchId);
        table.touched?.(projectId, recorded.position);
      } else table.pendingBatches[projectId] ??= event.data.batchId;
    }
    return undefined;
  }
  const existing = table.projects[event.data.projectId];
  if (existing) {
    const region = existing.regionCode;
    evolveFacts(existing, event, recorded);
    table.touched?.(existing.projectId, recorded.position);
    if (existing.regionCode !== region) {
      unindexRegion(table, region, existing.seq);
      indexRegion(table, existing.regionCode, existing.seq);
    }
    return existing;
  }
  if (event.type !== 'ProjectRegistered') return undefined;
  const facts = registerFacts(event.data, recorded, table.order.length);
  const pending = table.pendingBatches[facts.projectId];
  if (pending !== undefined) {
    joinBatch(facts, pending);
    delete table.pendingBatches[facts.projectId];
  }
  table.projects[facts.projectId] = facts;
  table.order.push(facts.projectId);
  table.touched?.(facts.projectId, recorded.position);
  indexRegion(table, facts.regionCode, facts.seq);
  return facts;
}

/** Projects a snapshot chunk holds: small enough to write and parse one at a time. */
const FACTS_PER_CHUNK = 2_000;

/**
 * The table as JSON chunks: the pending memberships, then the facts in registration order,
 * FACTS_PER_CHUNK at a time. A province's facts are ~1.5 GB of JSON: one string would pass
 * V8's longest, and holding it whole beside the parsed table would double the peak memory.
 */
export function* factsChunks(table: FactsTable, perChunk = FACTS_PER_CHUNK): Generator<string> {
  yield JSON.stringify(table.pendingBatches);
  for (let from = 0; from < table.order.length; from += perChunk) {
    const slice: ProjectFacts[] = [];
    const to = Math.min(table.order.length, from + perChunk);
    for (let seq = from; seq < to; seq++) slice.push(table.projects[table.order[seq] as string] as ProjectFacts);
    yield JSON.stringify(slice);
  }
}

/** Reads the chunks factsChunks wrote, consuming them one at a time from the iterator. */
export function factsFromChunks(chunks: Iterator<string>): FactsTable {
  return runNow(factsFromChunksSliced(chunks));
}

/** factsFromChunks pausing after each chunk (see sliced.ts): an "as of" load must not stall the server. */
export function* factsFromChunksSliced(chunks: Iterator<string>): Sliced<FactsTable> {
  const table = emptyFactsTable();
  const first = chunks.next();
  if (first.done) return table;
  table.pendingBatches = idRecordOf<string>(JSON.parse(first.value));
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    yield;
    for (const facts of JSON.parse(next.value) as ProjectFacts[]) {
      table.projects[facts.projectId] = facts;
      table.order.push(facts.projectId);
      indexRegion(table, facts.regionCode, facts.seq);
    }
  }
  return table;
}
