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

/** Rows read between pauses: a province's 10⁵–10⁶ projects are read a slice per turn of the loop. */
const ROWS_PER_SLICE = 512;

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
 * Which projects an "as of" read needs: those in `regions` (and under them) then, or every
 * project; with `batchMembers`, also the projects that batches list or that joined them, of
 * the batches in its `regions` or named by its `batchIds` (every batch when it names neither):
 * a batch's answer reads its members wherever they are.
 */
export interface FactScope {
  readonly regions?: readonly RegionCode[] | undefined;
  readonly batchMembers?: { readonly regions?: readonly RegionCode[]; readonly batchIds?: readonly string[] };
}

/** Reads the fact rows valid at a position. */
export class FactsHistoryReader {
  private readonly reads;

  constructor(db: Database.Database) {
    this.reads = {
      // Every code inside a region starts with its coverage prefix: a range of the key.
      under: db.prepare<[string, string, number], [string, number]>(
        'SELECT region, seq FROM fact_regions WHERE region >= ? AND region < ? AND position <= ?').raw(),
      allSeqs: db.prepare<[number], number>('SELECT seq FROM fact_projects WHERE position <= ?').pluck(),
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
   * The states at `position`, read a slice at a time (shared/sliced.ts). Rows at or before a
   * position the history has written never change while it is open, so the slices agree; each
   * statement runs to its end within a slice (the in-memory history writes on this connection).
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
    const roots = scope.regions;
    const seqs = new Set<number>();
    if (roots === undefined) {
      for (const seq of this.reads.allSeqs.all(position)) seqs.add(seq);
    } else {
      for (const root of roots) {
        const prefix = coveragePrefix(root);
        for (const [region, seq] of this.reads.under.all(prefix, `${prefix}\uffff`, position)) {
          if (contains(root, region)) seqs.add(seq);
        }
        yield;
      }
    }
    // The batches' members wherever they are: a batch's detail lists them all.
    const members = new Set<number>();
    const ofBatches = scope.batchMembers;
    if (ofBatches !== undefined) for (const batch of Object.values(batches)) {
      if (ofBatches.batchIds !== undefined && !ofBatches.batchIds.includes(batch.batchId)) continue;
      if (ofBatches.regions !== undefined && !ofBatches.regions.some((root) => contains(root, batch.regionCode))) continue;
      for (const id of [...batch.projectIds, ...(joinedAtStart[batch.batchId] ?? [])]) {
        const seq = this.reads.seqOf.get(id, position);
        if (seq !== undefined && !seqs.has(seq)) members.add(seq);
      }
    }

    const projects: Record<string, ProjectFacts> = idRecord();
    const memberFacts: Record<string, ProjectFacts> = idRecord();
    const order: string[] = [];
    const byRegion = new Map<RegionCode, number[]>();
    const lateReports: Record<string, LateReport[]> = idRecord();
    let read = 0;
    for (const seq of [...seqs].sort((a, b) => a - b)) {
      if (++read % ROWS_PER_SLICE === 0) yield;
      const row = this.factsAt(seq, position);
      if (row === undefined) continue;
      const { facts, late } = row;
      // A project moved out of the regions by then was in them only earlier.
      if (roots !== undefined && !roots.some((root) => contains(root, facts.regionCode))) {
        memberFacts[facts.projectId] = facts;
        continue;
      }
      projects[facts.projectId] = facts;
      memberFacts[facts.projectId] = facts;
      order[seq] = facts.projectId;
      let inRegion = byRegion.get(facts.regionCode);
      if (inRegion === undefined) byRegion.set(facts.regionCode, (inRegion = []));
      inRegion.push(seq);
      if (late !== undefined) lateReports[facts.projectId] = late;
    }
    for (const seq of members) {
      if (++read % ROWS_PER_SLICE === 0) yield;
      const row = this.factsAt(seq, position);
      if (row === undefined) continue;
      memberFacts[row.facts.projectId] = row.facts;
    }

    const deadlines: Record<string, BatchDeadline> = idRecord();
    for (const [batchId, { name, regionCode, mustStartBy }] of Object.entries(batches)) deadlines[batchId] = { name, regionCode, mustStartBy };
    return {
      'project-ledger': { position, projects, order, byRegion },
      compliance: { position, projects, order, byRegion, batches: deadlines, lateReports },
      batches: { position, batches, joinedAtStart, projects: memberFacts },
    };
  }

  /** A project's facts and late reports at `position`: its last whole row, and the events after it folded in. */
  private factsAt(seq: number, position: number): { readonly facts: ProjectFacts; readonly late: LateReport[] | undefined } | undefined {
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
