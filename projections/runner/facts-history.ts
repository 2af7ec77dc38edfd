/**
 * The facts' part of the read side's history (statistics-history.ts keeps both, in one file
 * and one writer): a row for every event that changed a project, each batch after every
 * change, and the position from which each project was in each region. The ledger, compliance
 * and batches "as of" a position are then the rows valid at that position, read for the
 * regions asked about only: no replay of the log, nothing pinned.
 *
 * A project's row is its facts and late reports whole (~900 bytes) at its registration and at
 * every FULL_EVERY-th event after, and in between the event itself (~150 bytes): reading a
 * project as of a position is its last whole row by then with at most FULL_EVERY − 1 events
 * applied by the read models' own fold (evolveFacts, compliance's lateness), so the rows cost a
 * third of the log and a sixth of the fold's time that whole rows cost.
 */
import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { contains, coveragePrefix, type RegionCode } from '../../commands/shared/region-code.js';
import type { ProjectFacts, FactsTable } from '../shared/project-facts.js';
import type { LedgerState } from '../project-ledger/projection.js';
import type { BatchDeadline, ComplianceState, LateReport } from '../compliance/projection.js';
import type { Batch, BatchesState } from '../batches/projection.js';
import { idRecord } from '../shared/id-record.js';
import type { Sliced } from '../shared/sliced.js';
import { evolveFacts, totalInvestment, totalInvestmentOn } from '../shared/project-facts.js';
import { dayNumber } from '../shared/calendar.js';
import { addYears, type IsoDate } from '../../commands/shared/dates.js';
import { declaredInconsistent, STATISTICS_DEADLINE_DAYS } from '../../commands/shared/statistics-rules.js';
import { domainEventOf, flagsOf } from '../shared/domain-events.js';
import { complianceModel } from '../compliance/projection.js';
import type { ComplianceKind } from '../compliance/query.js';
import type { ProjectEvent } from '../../commands/project/events.js';

/** A project's whole facts are written at every FULL_EVERY-th event of it; the events in between as they are. */
export const FULL_EVERY = 8;

/** What the fold's state holds of the facts, as the history reads it after each event. */
export interface FactParts {
  readonly facts: FactsTable;
  readonly lateReports: Readonly<Record<string, readonly LateReport[]>>;
  readonly batches: Pick<BatchesState, 'batches' | 'joinedAtStart'>;
}

/** The rows to write, gathered between batches. */
export interface FactRows {
  /** [position, seq, whole facts or null, late reports, the event or null]. */
  readonly facts: Array<[number, number, string | null, string | null, string | null]>;
  /** [region, seq, position]: the project is in the region from the position on (until a later row of its own). */
  readonly regions: Array<[string, number, number]>;
  /** [projectId, seq, position of its registration]. */
  readonly projects: Array<[string, number, number]>;
  /** [batchId, position, batch, joined at start]. */
  readonly batches: Array<[string, number, string | null, string | null]>;
  /** Each changed project as it stands now (NowRow), the last one of a seq winning. */
  readonly now: NowRow[];
}

/**
 * A project now, as the live lists filter it (fact_now): [seq, region, stage, category, 总投资,
 * started, entered, approved, idle-land due (day numbers), in a batch, declared inconsistent,
 * first late report recorded (day number)]. The compliance columns let a list read only the
 * projects a rule could flag at a date (`COMPLIANCE_CANDIDATES`); each is then judged whole.
 */
export type NowRow = [number, string, string, string, number, number | null, number | null, number | null, number | null, number, number, number | null];

export function nowRow(facts: ProjectFacts, late: readonly LateReport[] | undefined): NowRow {
  const { dates } = facts;
  const entered = dates.StatisticsEntered;
  const declared = facts.statisticsPlannedInvestment;
  let lateFrom: number | null = null;
  for (const report of late ?? []) {
    const day = dayNumber(report.recordedOn);
    if (lateFrom === null || day < lateFrom) lateFrom = day;
  }
  return [
    facts.seq, facts.regionCode, facts.stage, facts.category, totalInvestment(facts),
    dayOrNull(dates.Started), dayOrNull(entered), dayOrNull(dates.ProjectApproved),
    dates.LandAcquired !== undefined && facts.agreedStartBy !== undefined ? dayNumber(addYears(facts.agreedStartBy, 1)) : null,
    facts.batchId === undefined ? 0 : 1,
    entered !== undefined && declared !== undefined && declaredInconsistent(declared, totalInvestmentOn(facts, entered)) ? 1 : 0,
    lateFrom,
  ];
}

function dayOrNull(date: IsoDate | undefined): number | null {
  return date === undefined ? null : dayNumber(date);
}

/**
 * For each rule of compliance/query.ts, a necessary condition over fact_now's columns for it to
 * list a project at a date (`:asOf`, a day number), open or resolved: a list reads the rows
 * matching any of them and judges each project whole, so a condition may let through more than
 * its rule lists, never fewer (test/projections/compliance-candidates.test.ts).
 */
export const COMPLIANCE_CONDITIONS: { readonly [K in ComplianceKind]: string } = {
  // Due 30 days after the start; listed once overdue, or when met late.
  'statistics-not-entered': `started_day + ${STATISTICS_DEADLINE_DAYS} < :asOf AND (entered_day IS NULL OR entered_day > started_day + ${STATISTICS_DEADLINE_DAYS})`,
  'statistics-inconsistent': 'inconsistent = 1 AND entered_day <= :asOf',
  // Started by then, with no approval known by then dated on or before the start.
  'started-without-approval': 'started_day <= :asOf AND (approved_day IS NULL OR approved_day > started_day)',
  'idle-land': 'idle_due_day < :asOf AND (started_day IS NULL OR started_day > idle_due_day)',
  'overdue-batch-start': 'in_batch = 1',
  stalled: "stage = 'STALLED'",
  'late-report': 'late_from_day <= :asOf',
};

/** Any rule's condition: the projects compliance could list at `:asOf`. */
export const COMPLIANCE_CANDIDATES = `(${Object.values(COMPLIANCE_CONDITIONS).map((condition) => `(${condition})`).join(' OR ')})`;

export function emptyFactRows(): FactRows {
  return { facts: [], regions: [], projects: [], batches: [], now: [] };
}

export function hasFactRows(rows: FactRows): boolean {
  return rows.facts.length + rows.regions.length + rows.projects.length + rows.batches.length + rows.now.length > 0;
}

/** Events of each project (by seq) since its last whole row, as far as this process knows. */
export class EventsSinceWhole {
  private counts = new Uint8Array(1024);

  /** Counts one more event of `seq`; true when its facts are to be written whole. */
  next(seq: number): boolean {
    if (seq >= this.counts.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    const count = (this.counts[seq] as number) + 1;
    this.counts[seq] = count >= FULL_EVERY ? 0 : count;
    return count >= FULL_EVERY;
  }

  whole(seq: number): void {
    if (seq < this.counts.length) this.counts[seq] = 0;
  }
}

/** The rows `event`, just folded into `parts`, makes. */
export function noteEvent(parts: FactParts, event: RecordedEvent, rows: FactRows, since: EventsSinceWhole): void {
  const position = event.position;
  const data = event.data as { readonly projectId?: unknown; readonly batchId?: unknown; readonly projectIds?: unknown };
  if (event.type === 'GroundbreakingBatchScheduled') {
    // It sets the batch of each project it lists (registered ones now, the others at their registration).
    if (Array.isArray(data.projectIds)) {
      for (const id of data.projectIds) {
        const facts = typeof id === 'string' ? parts.facts.projects[id] : undefined;
        if (facts !== undefined) {
          noteFacts(parts, facts, position, rows, since);
          rows.now.push(nowRow(facts, parts.lateReports[facts.projectId]));
        }
      }
    }
    if (typeof data.batchId === 'string') noteBatch(parts, data.batchId, position, rows);
    return;
  }
  if (typeof data.projectId !== 'string') return;
  const facts = parts.facts.projects[data.projectId];
  if (facts === undefined) return;
  if (event.type === 'ProjectRegistered' || since.next(facts.seq)) noteFacts(parts, facts, position, rows, since);
  else noteChange(facts, event, rows);
  rows.now.push(nowRow(facts, parts.lateReports[facts.projectId]));
  if (event.type === 'ProjectRegistered') {
    rows.projects.push([facts.projectId, facts.seq, position]);
    rows.regions.push([facts.regionCode, facts.seq, position]);
  } else if (event.type === 'DetailsCorrected') {
    // Possibly moved: a row per correction costs less than remembering every project's region.
    rows.regions.push([facts.regionCode, facts.seq, position]);
  } else if (event.type === 'Started' && typeof data.batchId === 'string'
    && parts.batches.joinedAtStart[data.batchId]?.includes(facts.projectId) === true) {
    // A start naming a batch that did not list the project: it joined the batch.
    noteBatch(parts, data.batchId, position, rows);
  }
}

function noteFacts(parts: FactParts, facts: ProjectFacts, position: number, rows: FactRows, since: EventsSinceWhole): void {
  const late = parts.lateReports[facts.projectId];
  rows.facts.push([position, facts.seq, JSON.stringify(facts), late === undefined ? null : JSON.stringify(late), null]);
  since.whole(facts.seq);
}

/** What the fold reads of an event: [type, data, revision, recordedAt, flags]. */
type StoredEvent = [string, RecordedEvent['data'], number, string, readonly string[]];

function noteChange(facts: ProjectFacts, event: RecordedEvent, rows: FactRows): void {
  const stored: StoredEvent = [event.type, event.data, event.revision, event.recordedAt, flagsOf(event)];
  rows.facts.push([event.position, facts.seq, null, null, JSON.stringify(stored)]);
}

function noteBatch(parts: FactParts, batchId: string, position: number, rows: FactRows): void {
  const batch = parts.batches.batches[batchId];
  const joined = parts.batches.joinedAtStart[batchId];
  rows.batches.push([batchId, position, batch === undefined ? null : JSON.stringify(batch), joined === undefined ? null : JSON.stringify(joined)]);
}

/** Writes gathered rows (inside the caller's transaction). */
export function factRowsWriter(db: Database.Database): (rows: FactRows) => void {
  const insertFacts = db.prepare('INSERT OR REPLACE INTO fact_versions (position, seq, facts, late, event) VALUES (?, ?, ?, ?, ?)');
  const insertRegion = db.prepare('INSERT OR IGNORE INTO fact_regions (region, seq, position) VALUES (?, ?, ?)');
  const insertProject = db.prepare('INSERT OR REPLACE INTO fact_projects (project_id, seq, position) VALUES (?, ?, ?)');
  const insertBatch = db.prepare('INSERT OR REPLACE INTO batch_versions (batch_id, position, batch, joined) VALUES (?, ?, ?, ?)');
  const writeNow = nowWriter(db);
  return (rows) => {
    for (const row of rows.facts) insertFacts.run(row[0], row[1], row[2], row[3], row[4]);
    for (const row of rows.regions) insertRegion.run(row[0], row[1], row[2]);
    for (const row of rows.projects) insertProject.run(row[0], row[1], row[2]);
    for (const row of rows.batches) insertBatch.run(row[0], row[1], row[2], row[3]);
    for (const row of rows.now) writeNow(row);
  };
}

function nowWriter(db: Database.Database): (row: NowRow) => void {
  const upsert = db.prepare(`INSERT OR REPLACE INTO fact_now (seq, region, stage, category, total, started_day, entered_day,
    approved_day, idle_due_day, in_batch, inconsistent, late_from_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  return (row) => {
    upsert.run(...row);
  };
}

/** Drops the rows written after `position` (a start from an older snapshot folds them again). */
export function dropFactRowsAfter(db: Database.Database, position: number): void {
  // Rows are appended in log order: the ones to drop are the last rowids.
  const tail = db.prepare<[], { rowid: number; position: number }>('SELECT rowid, position FROM fact_versions ORDER BY rowid DESC');
  let first: number | undefined;
  for (const row of tail.iterate()) {
    if (row.position <= position) break;
    first = row.rowid;
  }
  let changed: number[] = [];
  if (first !== undefined) {
    changed = db.prepare<[number], number>('SELECT DISTINCT seq FROM fact_versions WHERE rowid >= ?').pluck().all(first);
    db.prepare('DELETE FROM fact_versions WHERE rowid >= ?').run(first);
  }
  for (const table of ['fact_regions', 'fact_projects', 'batch_versions']) db.prepare(`DELETE FROM ${table} WHERE position > ?`).run(position);
  // The projects those rows changed are again as they stood at the position (or not yet registered).
  const reader = new FactsHistoryReader(db);
  const writeNow = nowWriter(db);
  const forget = db.prepare('DELETE FROM fact_now WHERE seq = ?');
  for (const seq of changed) {
    const project = reader.projectAt(seq, position);
    if (project === undefined) forget.run(seq);
    else writeNow(nowRow(project.facts, project.late));
  }
}

export function dropAllFactRows(db: Database.Database): void {
  for (const table of ['fact_versions', 'fact_regions', 'fact_projects', 'batch_versions', 'fact_now']) db.prepare(`DELETE FROM ${table}`).run();
}

/** The ledger, compliance and batches as they stood at a position. */
export interface FactStates {
  readonly 'project-ledger': LedgerState;
  readonly compliance: ComplianceState;
  readonly batches: BatchesState;
}

/**
 * Which projects an "as of" read lists: those in `regions` (and under them) then, or every
 * project. Any project is still read by its id (a batch's members, wherever they are); the
 * regions only bound which projects a scan of the ledger or compliance walks.
 */
export interface FactScope {
  readonly regions?: readonly RegionCode[] | undefined;
  /**
   * Read now (`currentStatesAt`), a scan walks only the projects these can match: the ledger's
   * filters, and compliance's rules at a date. "As of" a position they are not used: the scan
   * walks the regions' projects and its own filters decide, as they always do.
   */
  readonly ledger?: { readonly stage?: string | undefined; readonly category?: string | undefined; readonly minInvestment?: number | undefined };
  readonly complianceOn?: IsoDate;
}

/** Decoded projects kept by a view: a scan reads each once (facts, then flags), a batch its members. */
const KEPT_PROJECTS = 4096;

/** Decoded projects a reader keeps for the queries (~1.5 KB each). */
const DECODED_KEPT = 16_384;

/** Region rows read per statement while listing a scope's projects. */
const REGION_ROWS_PER_READ = 4096;

interface ProjectAt {
  readonly facts: ProjectFacts;
  readonly late: LateReport[] | undefined;
}

/** Reads the fact rows valid at a position. */
export class FactsHistoryReader {
  private readonly reads;

  constructor(private readonly db: Database.Database) {
    this.reads = {
      // Every code inside a region starts with its coverage prefix: a range of the key, read
      // a page at a time from the last row read (keyset) so that no statement stays open
      // across turns of the loop (the in-memory history writes on this connection).
      under: db.prepare<[string, number, number, string, number, number], [string, number, number]>(
        'SELECT region, seq, position FROM fact_regions WHERE (region, seq, position) > (?, ?, ?) AND region < ? AND position <= ? '
        + 'ORDER BY region, seq, position LIMIT ?').raw(),
      lastSeq: db.prepare<[], number | null>('SELECT max(seq) FROM fact_versions').pluck(),
      registeredAt: db.prepare<[number], number>('SELECT position FROM fact_versions WHERE seq = ? ORDER BY position LIMIT 1').pluck(),
      seqOf: db.prepare<[string, number], number>('SELECT seq FROM fact_projects WHERE project_id = ? AND position <= ?').pluck(),
      newestAt: db.prepare<[number, number], number>('SELECT position FROM fact_versions WHERE seq = ? AND position <= ? ORDER BY position DESC LIMIT 1').pluck(),
      // Newest first, down to the last whole row (read no further: the iteration is left there).
      rowsBy: db.prepare<[number, number], [number, string | null, string | null, string | null]>(
        'SELECT position, facts, late, event FROM fact_versions WHERE seq = ? AND position <= ? ORDER BY position DESC').raw(),
      batchIds: db.prepare<[], string>('SELECT DISTINCT batch_id FROM batch_versions').pluck(),
      // Only to tell a registered project's seq from one registered later (fact_now is at the position).
      registered: db.prepare<[], number | null>('SELECT max(seq) FROM fact_now').pluck(),
      batchAt: db.prepare<[string, number], [string | null, string | null]>(
        'SELECT batch, joined FROM batch_versions WHERE batch_id = ? AND position <= ? ORDER BY position DESC LIMIT 1').raw(),
    };
  }

  /**
   * The states at `position`, as views that read a project's rows when a query asks for it
   * (its last whole row by then, the events after it folded in): a page of a province's ledger
   * reads the page's projects, not the province's. Listing the scope's projects (their seqs
   * and regions, no facts) runs a slice at a time (shared/sliced.ts). Rows at or before a
   * position the history has written never change, so every read of a view agrees.
   */
  *statesAt(position: number, scope: FactScope): Sliced<FactStates> {
    const byRegion = yield* this.regionIndexAt(position, scope.regions);
    return this.statesOf(position, byRegion, this.registeredBy(position), undefined);
  }

  /**
   * The states at `position`, which must be the position fact_now is at (the caller reads both
   * in one transaction): a scan walks only the projects of the scope's regions that its filters
   * can match (`scope.ledger`, `scope.complianceOn`), listed from fact_now by its columns.
   */
  currentStatesAt(position: number, scope: FactScope): FactStates {
    const byRegion = new Map<RegionCode, number[]>();
    const listed = new Set<number>();
    const roots = scope.regions;
    for (const root of roots ?? [undefined]) {
      const prefix = root === undefined ? undefined : coveragePrefix(root);
      const { sql, parameters } = nowQuery(scope, prefix);
      let statement = this.nowStatements.get(sql);
      if (statement === undefined) this.nowStatements.set(sql, (statement = this.db.prepare<[Record<string, unknown>], [number, string]>(sql).raw()));
      for (const [seq, region] of statement.all(parameters)) {
        if (root !== undefined && !contains(root, region)) continue;
        if (listed.has(seq)) continue;
        listed.add(seq);
        let inRegion = byRegion.get(region);
        if (inRegion === undefined) byRegion.set(region, (inRegion = []));
        inRegion.push(seq);
      }
    }
    for (const seqs of byRegion.values()) seqs.sort((a, b) => a - b);
    const last = this.reads.registered.get();
    return this.statesOf(position, byRegion, last === null || last === undefined ? 0 : last + 1, listed);
  }

  private readonly nowStatements = new Map<string, Database.Statement<[Record<string, unknown>], [number, string]>>();

  /** Views of the rows at `position`; `listed`: the only seqs the registration order shows (a scan's candidates). */
  private statesOf(position: number, byRegion: Map<RegionCode, number[]>, registered: number, listed: ReadonlySet<number> | undefined): FactStates {
    // Every batch (hundreds, each with its members: megabytes at province scale) only for the
    // batch lists; the ledger's flags and compliance read a project's batch deadline by id.
    let all: { readonly batches: Record<string, Batch>; readonly joinedAtStart: Record<string, string[]> } | undefined;
    const allBatches = () => {
      if (all !== undefined) return all;
      const batches: Record<string, Batch> = idRecord();
      const joinedAtStart: Record<string, string[]> = idRecord();
      for (const batchId of this.reads.batchIds.all()) {
        const row = this.reads.batchAt.get(batchId, position);
        if (row === undefined) continue;
        if (row[0] !== null) batches[batchId] = JSON.parse(row[0]) as Batch;
        if (row[1] !== null) joinedAtStart[batchId] = JSON.parse(row[1]) as string[];
      }
      return (all = { batches, joinedAtStart });
    };
    const deadlineKept = new Map<string, BatchDeadline | undefined>();
    const deadlines = lazyRecord<BatchDeadline>((batchId) => {
      if (!deadlineKept.has(batchId)) {
        const text = this.reads.batchAt.get(batchId, position)?.[0];
        const batch = text === null || text === undefined ? undefined : (JSON.parse(text) as Batch);
        deadlineKept.set(batchId, batch === undefined ? undefined : { name: batch.name, regionCode: batch.regionCode, mustStartBy: batch.mustStartBy });
      }
      return deadlineKept.get(batchId);
    });
    const projectsAt = new ProjectsAt(position, (seq) => this.decoded(seq, position), (id) => this.reads.seqOf.get(id, position));
    const order = lazyOrder(registered, (seq) => (listed === undefined || listed.has(seq) ? projectsAt.bySeq(seq)?.facts.projectId : undefined));
    const projects = lazyRecord<ProjectFacts>((id) => projectsAt.byId(id)?.facts);
    const lateReports = lazyRecord<LateReport[]>((id) => projectsAt.byId(id)?.late);
    return {
      'project-ledger': { position, projects, order, byRegion },
      compliance: { position, projects, order, byRegion, batches: deadlines, lateReports },
      batches: {
        position,
        get batches() {
          return allBatches().batches;
        },
        get joinedAtStart() {
          return allBatches().joinedAtStart;
        },
        projects,
      },
    };
  }

  /**
   * Each project of the scope's regions by then, once, under the region of its last row: the
   * queries check each project's own region as they read it, so one that moved out of the
   * scope later is read and left out.
   */
  private *regionIndexAt(position: number, roots: readonly RegionCode[] | undefined): Sliced<Map<RegionCode, number[]>> {
    const latest = new Map<number, [RegionCode, number]>();
    for (const [low, high] of roots === undefined ? [['', '\uffff']] : roots.map((root) => [coveragePrefix(root), `${coveragePrefix(root)}\uffff`])) {
      let after: [string, number, number] = [low as string, -1, -1];
      for (;;) {
        const rows = this.reads.under.all(after[0], after[1], after[2], high as string, position, REGION_ROWS_PER_READ);
        for (const [region, seq, at] of rows) {
          if (roots !== undefined && !roots.some((root) => contains(root, region))) continue;
          const seen = latest.get(seq);
          if (seen === undefined || seen[1] < at) latest.set(seq, [region, at]);
        }
        if (rows.length < REGION_ROWS_PER_READ) break;
        after = rows[rows.length - 1] as [string, number, number];
        yield;
      }
    }
    const byRegion = new Map<RegionCode, number[]>();
    for (const [seq, [region]] of latest) {
      let inRegion = byRegion.get(region);
      if (inRegion === undefined) byRegion.set(region, (inRegion = []));
      inRegion.push(seq);
    }
    for (const seqs of byRegion.values()) seqs.sort((a, b) => a - b);
    return byRegion;
  }

  /** How many projects were registered by `position`: seqs are given in log order, so a binary search of the first rows. */
  private registeredBy(position: number): number {
    const last = this.reads.lastSeq.get();
    if (last === null || last === undefined) return 0;
    let low = 0; // the count is in [low, high]
    let high = last + 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const at = this.reads.registeredAt.get(middle);
      if (at !== undefined && at <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Projects the queries read, decoded, by seq, with the position of the newest row they were
   * read from: a project's rows up to a position decide its facts there, so the same newest row
   * is the same project (a dashboard asking a county's compliance again reads a row per project,
   * not its last whole row and the events after it). The queries only read them; the fold's
   * reads (`projectAt`, `projectById`) get copies of their own, which it changes.
   */
  private readonly decodedKept = new Map<number, { readonly at: number; readonly project: ProjectAt }>();

  /** Forgets the decoded projects (the rows they were read from were dropped). */
  forget(): void {
    this.decodedKept.clear();
  }

  private decoded(seq: number, position: number): ProjectAt | undefined {
    const newest = this.reads.newestAt.get(seq, position);
    if (newest === undefined) return undefined;
    const kept = this.decodedKept.get(seq);
    if (kept !== undefined && kept.at === newest) {
      this.decodedKept.delete(seq);
      this.decodedKept.set(seq, kept);
      return kept.project;
    }
    const project = this.factsAt(seq, position);
    if (project === undefined) return undefined;
    this.decodedKept.delete(seq);
    if (this.decodedKept.size >= DECODED_KEPT) this.decodedKept.delete(this.decodedKept.keys().next().value as number);
    this.decodedKept.set(seq, { at: newest, project });
    return project;
  }

  /** A project's facts and late reports at `position`: its last whole row, and the events after it folded in. */
  projectAt(seq: number, position: number): ProjectAt | undefined {
    return this.factsAt(seq, position);
  }

  /** The same, by the project's id. */
  projectById(projectId: string, position: number): ProjectAt | undefined {
    const seq = this.reads.seqOf.get(projectId, position);
    return seq === undefined ? undefined : this.factsAt(seq, position);
  }

  private factsAt(seq: number, position: number): ProjectAt | undefined {
    const events: Array<[number, string]> = [];
    let whole: [string, string | null] | undefined;
    for (const [at, facts, late, event] of this.reads.rowsBy.iterate(seq, position)) {
      if (facts !== null) {
        whole = [facts, late];
        break;
      }
      if (event !== null) events.push([at, event]);
    }
    if (whole === undefined) return undefined;
    const facts = JSON.parse(whole[0]) as ProjectFacts;
    const late = whole[1] === null ? undefined : (JSON.parse(whole[1]) as LateReport[]);
    if (events.length === 0) return { facts, late };
    // The read models' own fold of the project's events since: its facts and its lateness.
    const compliance: ComplianceState = {
      position: 0, projects: idRecord(), order: [], byRegion: new Map(), batches: idRecord(),
      lateReports: late === undefined ? idRecord() : Object.assign(idRecord<LateReport[]>(), { [facts.projectId]: late }),
    };
    for (let i = events.length - 1; i >= 0; i--) {
      const [at, text] = events[i] as [number, string];
      const [type, data, revision, recordedAt, flags] = JSON.parse(text) as StoredEvent;
      const recorded: RecordedEvent = { id: '', streamId: '', type, data, metadata: flags.length === 0 ? {} : { flags: [...flags] }, revision, position: at, recordedAt };
      const event = domainEventOf(recorded);
      if (event === undefined || event.type === 'AnnualTargetsSet' || event.type === 'GroundbreakingBatchScheduled') continue;
      evolveFacts(facts, event as ProjectEvent, recorded);
      complianceModel.evolve(compliance, event, facts, recorded);
    }
    return { facts, late: compliance.lateReports[facts.projectId] };
  }
}

/** The statement listing fact_now's rows a scope's scan can match, under one region prefix (or all). */
function nowQuery(scope: FactScope, prefix: string | undefined): { readonly sql: string; readonly parameters: Record<string, unknown> } {
  const conditions: string[] = [];
  const parameters: Record<string, unknown> = {};
  if (prefix !== undefined) {
    conditions.push('region >= :low AND region < :high');
    parameters.low = prefix;
    parameters.high = `${prefix}\uffff`;
  }
  const { stage, category, minInvestment } = scope.ledger ?? {};
  if (stage !== undefined) {
    conditions.push('stage = :stage');
    parameters.stage = stage;
  }
  if (category !== undefined) {
    conditions.push('category = :category');
    parameters.category = category;
  }
  if (minInvestment !== undefined) {
    conditions.push('total >= :minInvestment');
    parameters.minInvestment = minInvestment;
  }
  if (scope.complianceOn !== undefined) {
    conditions.push(COMPLIANCE_CANDIDATES);
    parameters.asOf = dayNumber(scope.complianceOn);
  }
  return { sql: `SELECT seq, region FROM fact_now${conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`}`, parameters };
}

/** A view's projects read on demand, the last KEPT_PROJECTS kept decoded. */
class ProjectsAt {
  private readonly kept = new Map<number, ProjectAt | null>();
  private readonly seqs = new Map<string, number | null>();

  constructor(
    readonly position: number,
    private readonly read: (seq: number) => ProjectAt | undefined,
    private readonly seqOf: (projectId: string) => number | undefined,
  ) {}

  bySeq(seq: number): ProjectAt | undefined {
    const kept = this.kept.get(seq);
    if (kept !== undefined) return kept ?? undefined;
    const read = this.read(seq);
    if (this.kept.size >= KEPT_PROJECTS) this.kept.delete(this.kept.keys().next().value as number);
    this.kept.set(seq, read ?? null);
    if (read !== undefined) this.remember(read.facts.projectId, seq);
    return read;
  }

  byId(projectId: string): ProjectAt | undefined {
    let seq = this.seqs.get(projectId);
    if (seq === undefined) {
      seq = this.seqOf(projectId) ?? null;
      this.remember(projectId, seq);
    }
    return seq === null ? undefined : this.bySeq(seq);
  }

  private remember(projectId: string, seq: number | null): void {
    if (this.seqs.size >= KEPT_PROJECTS * 4) this.seqs.delete(this.seqs.keys().next().value as string);
    this.seqs.set(projectId, seq);
  }
}

/**
 * A record read through `get`: the queries look projects up by id and never list them
 * (listing one would read every project of the log; it throws instead).
 */
function lazyRecord<T>(get: (id: string) => T | undefined): Record<string, T> {
  const notListed = (): never => {
    throw new Error('a view of the history\'s rows is read by id, never listed');
  };
  return new Proxy(idRecord<T>(), {
    get: (_target, key) => (typeof key === 'string' ? get(key) : undefined),
    has: (_target, key) => typeof key === 'string' && get(key) !== undefined,
    set: () => false,
    deleteProperty: () => false,
    ownKeys: notListed,
  });
}

/** The registration order (seq → project id) of the first `length` projects, read on demand. */
function lazyOrder(length: number, idOf: (seq: number) => string | undefined): string[] {
  return new Proxy([] as string[], {
    get: (target, key) => {
      if (key === 'length') return length;
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const seq = Number(key);
        return seq < length ? idOf(seq) : undefined;
      }
      return Reflect.get(target, key);
    },
    set: () => false,
  });
}
