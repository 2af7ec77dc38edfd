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
import { evolveFacts } from '../shared/project-facts.js';
import { domainEventOf, flagsOf } from '../shared/domain-events.js';
import { complianceModel } from '../compliance/projection.js';
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
}

export function emptyFactRows(): FactRows {
  return { facts: [], regions: [], projects: [], batches: [] };
}

export function hasFactRows(rows: FactRows): boolean {
  return rows.facts.length + rows.regions.length + rows.projects.length + rows.batches.length > 0;
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
        if (facts !== undefined) noteFacts(parts, facts, position, rows, since);
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
  return (rows) => {
    for (const row of rows.facts) insertFacts.run(row[0], row[1], row[2], row[3], row[4]);
    for (const row of rows.regions) insertRegion.run(row[0], row[1], row[2]);
    for (const row of rows.projects) insertProject.run(row[0], row[1], row[2]);
    for (const row of rows.batches) insertBatch.run(row[0], row[1], row[2], row[3]);
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
  if (first !== undefined) db.prepare('DELETE FROM fact_versions WHERE rowid >= ?').run(first);
  for (const table of ['fact_regions', 'fact_projects', 'batch_versions']) db.prepare(`DELETE FROM ${table} WHERE position > ?`).run(position);
}

export function dropAllFactRows(db: Database.Database): void {
  for (const table of ['fact_versions', 'fact_regions', 'fact_projects', 'batch_versions']) db.prepare(`DELETE FROM ${table}`).run();
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
}

/** Decoded projects kept by a view: a scan reads each once (facts, then flags), a batch its members. */
const KEPT_PROJECTS = 4096;

/** Region rows read per statement while listing a scope's projects. */
const REGION_ROWS_PER_READ = 4096;

interface ProjectAt {
  readonly facts: ProjectFacts;
  readonly late: LateReport[] | undefined;
}

/** Reads the fact rows valid at a position. */
export class FactsHistoryReader {
  private readonly reads;

  constructor(db: Database.Database) {
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
      // Newest first, down to the last whole row (read no further: the iteration is left there).
      rowsBy: db.prepare<[number, number], [number, string | null, string | null, string | null]>(
        'SELECT position, facts, late, event FROM fact_versions WHERE seq = ? AND position <= ? ORDER BY position DESC').raw(),
      batchIds: db.prepare<[], string>('SELECT DISTINCT batch_id FROM batch_versions').pluck(),
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
    const batches: Record<string, Batch> = idRecord();
    const joinedAtStart: Record<string, string[]> = idRecord();
    for (const batchId of this.reads.batchIds.all()) {
      const row = this.reads.batchAt.get(batchId, position);
      if (row === undefined) continue;
      if (row[0] !== null) batches[batchId] = JSON.parse(row[0]) as Batch;
      if (row[1] !== null) joinedAtStart[batchId] = JSON.parse(row[1]) as string[];
    }
    const byRegion = yield* this.regionIndexAt(position, scope.regions);
    const projectsAt = new ProjectsAt(position, (seq) => this.factsAt(seq, position), (id) => this.reads.seqOf.get(id, position));
    const registered = this.registeredBy(position);
    const order = lazyOrder(registered, (seq) => projectsAt.bySeq(seq)?.facts.projectId);
    const projects = lazyRecord<ProjectFacts>((id) => projectsAt.byId(id)?.facts);
    const lateReports = lazyRecord<LateReport[]>((id) => projectsAt.byId(id)?.late);
    const deadlines: Record<string, BatchDeadline> = idRecord();
    for (const [batchId, { name, regionCode, mustStartBy }] of Object.entries(batches)) deadlines[batchId] = { name, regionCode, mustStartBy };
    return {
      'project-ledger': { position, projects, order, byRegion },
      compliance: { position, projects, order, byRegion, batches: deadlines, lateReports },
      batches: { position, batches, joinedAtStart, projects },
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

  /** A project's facts and late reports at `position`: its last whole row, and the events after it folded in. */
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
