/**
 * The server's facts table: the projects' facts live in the read side's history rows
 * (facts-history.ts), and the fold keeps in memory only the projects it changed lately. Every
 * facts table in the heap was ~1 KB a project (1.1 GB at 10M events), written whole into each
 * snapshot and parsed back at each start (24 s); the history already keeps every project's rows,
 * so the fold reads a project it does not hold from them (its last whole row and the events
 * after it), and a snapshot keeps only the number registered and the memberships pending.
 *
 * A project changed by the fold stays in memory until the history has written the rows of that
 * change (until then its rows are behind); past KEPT_PROJECTS the projects written longest ago
 * are let go. A table the history is not following (a rebuild folding beside the live one, a
 * tool reading a snapshot) lets none go: a project it does not hold is one it has not
 * registered, or, for a table loaded from a snapshot, one it reads from the rows by the
 * snapshot's position.
 */
import type { FactsTable, ProjectFacts, RegionIndex } from '../shared/project-facts.js';
import type { LateReport } from '../compliance/projection.js';
import type { Cube } from '../pipeline-statistics/cube.js';
import { idRecord, idRecordOf } from '../shared/id-record.js';
import { readModelsVersion, type FactsStorage } from '../all-read-models.js';
import type { RegionCode } from '../../commands/shared/region-code.js';

/** What the table reads of the history. */
export interface ProjectRows {
  /** A project's facts and late reports from the rows written, as of `position` at most; undefined: none by then. */
  projectAt(projectId: string, position: number): { readonly facts: ProjectFacts; readonly late: LateReport[] | undefined } | undefined;
  /** The id of the project registered `seq`-th, from the rows written. */
  projectIdOf(seq: number): string | undefined;
  /** The last position whose rows are written. */
  writtenPosition(): number;
  /** Whether the history writes the rows of this table's changes (the live fold's table). */
  follows(table: FactsTable): boolean;
  /** The statistics cube as it stood at `position`, read region by region as it is asked for. */
  cubeAt(position: number): Cube;
}

/** Projects kept in memory, beside those changed and not yet written. */
export const KEPT_PROJECTS = 20_000;

/** How often (in changes) the table lets go of written projects once it holds more than it keeps. */
const TRIM_EVERY = 1_024;

interface Kept {
  readonly facts: ProjectFacts;
  /** Compliance's late reports of the project (kept in the same rows). */
  late: LateReport[] | undefined;
  /** The position of its last change (0: read from the rows, nothing unwritten). */
  changedAt: number;
}

export interface FactsOnRows extends FactsTable {
  /** The position of the last change the fold made to any project: what the table reflects. */
  readonly position: number;
  /** Projects held in memory now (a gauge). */
  readonly kept: number;
  /** Compliance's late reports by project, kept with the facts (compliance/projection.ts reads and appends them). */
  readonly lateReports: Record<string, LateReport[]>;
}

/**
 * A facts table over `rows`: `registered` projects so far, the memberships pending, and the
 * position the table stood at (a snapshot's; 0 for a fold from the log's start).
 */
export function factsOnRows(
  rows: ProjectRows,
  from: { readonly registered: number; readonly pendingBatches: Record<string, string>; readonly position: number },
  keep = KEPT_PROJECTS,
): FactsOnRows {
  const kept = new Map<string, Kept>();
  let registered = from.registered;
  let position = from.position;
  let changes = 0;

  const read = (projectId: string): Kept | undefined => {
    const followed = rows.follows(table);
    // Followed, everything written is of this fold; otherwise only what was written by the
    // snapshot it was loaded from (nothing, for a table folding from the start).
    const project = rows.projectAt(projectId, followed ? Number.MAX_SAFE_INTEGER : from.position);
    if (project === undefined) return undefined;
    const entry: Kept = { facts: project.facts, late: project.late, changedAt: 0 };
    kept.set(projectId, entry);
    return entry;
  };
  const entryOf = (projectId: string): Kept | undefined => kept.get(projectId) ?? read(projectId);

  const trim = (): void => {
    if (!rows.follows(table)) return;
    const written = rows.writtenPosition();
    for (const [projectId, entry] of kept) {
      if (kept.size <= keep) break;
      if (entry.changedAt <= written) kept.delete(projectId);
    }
  };

  const projects = new Proxy(idRecord<ProjectFacts>(), {
    get: (_target, key) => (typeof key === 'string' ? entryOf(key)?.facts : undefined),
    has: (_target, key) => typeof key === 'string' && entryOf(key) !== undefined,
    set: (_target, key, value: ProjectFacts) => {
      if (typeof key !== 'string') return false;
      kept.set(key, { facts: value, late: undefined, changedAt: Number.MAX_SAFE_INTEGER });
      return true;
    },
    deleteProperty: (_target, key) => typeof key === 'string' && kept.delete(key),
    ownKeys: () => {
      throw new Error('the facts kept in the history\'s rows are read by id, never listed');
    },
  });

  // A project's late reports change with its facts (the same event), so they are kept and let go with them.
  const lateReports = new Proxy(idRecord<LateReport[]>(), {
    get: (_target, key) => (typeof key === 'string' ? entryOf(key)?.late : undefined),
    has: (_target, key) => typeof key === 'string' && entryOf(key)?.late !== undefined,
    set: (_target, key, value: LateReport[]) => {
      const entry = typeof key === 'string' ? entryOf(key) : undefined;
      if (entry === undefined) return false;
      entry.late = value;
      return true;
    },
    deleteProperty: () => false,
    ownKeys: () => {
      throw new Error('the late reports kept in the history\'s rows are read by project, never listed');
    },
  });

  const order = new Proxy([] as string[], {
    get: (target, key) => {
      if (key === 'length') return registered;
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const seq = Number(key);
        return seq < registered ? rows.projectIdOf(seq) : undefined;
      }
      return Reflect.get(target, key) as unknown;
    },
    set: (_target, key, value: unknown) => {
      if (key === 'length') registered = Number(value);
      else if (typeof key === 'string' && /^\d+$/.test(key)) registered = Math.max(registered, Number(key) + 1);
      else return false;
      return true;
    },
  });

  const table: FactsOnRows = {
    projects,
    order,
    pendingBatches: from.pendingBatches,
    // The live lists read their regions from the rows (fact_now): the fold keeps no index.
    byRegion: new NoRegionIndex(),
    touched: (projectId, at) => {
      const entry = kept.get(projectId);
      if (entry !== undefined) {
        entry.changedAt = at;
        // The most recently changed last: they are let go last.
        kept.delete(projectId);
        kept.set(projectId, entry);
      }
      if (at > position) position = at;
      if (kept.size > keep && ++changes % Math.min(TRIM_EVERY, keep) === 0) trim();
    },
    get position() {
      return position;
    },
    get kept() {
      return kept.size;
    },
    lateReports,
  };
  return table;
}

/** A region index that keeps nothing (facts-on-rows.ts: the lists read regions from the rows). */
class NoRegionIndex extends Map<RegionCode, number[]> implements RegionIndex {
  override set(): this {
    return this;
  }
}

/** What a snapshot keeps of a table on rows: the rest is in the history. */
interface RowsSnapshot {
  readonly registered: number;
  readonly pendingBatches: Record<string, string>;
  readonly position: number;
}

/** The storage's name in snapshots. */
const ROWS = 'rows';

/** The version of the read models over facts on rows (their snapshots' and history's). */
export const ON_ROWS_VERSION = readModelsVersion({ kind: ROWS });

/** The facts kept in `rows` (the server's read models over its history). */
export function onRows(rows: ProjectRows, keep = KEPT_PROJECTS): FactsStorage {
  return {
    kind: ROWS,
    lateReports: (table) => (table as FactsOnRows).lateReports,
    cube: (position) => rows.cubeAt(position),
    empty: () => factsOnRows(rows, { registered: 0, pendingBatches: idRecord(), position: 0 }, keep),
    chunks: function* (table) {
      const snapshot: RowsSnapshot = { registered: table.order.length, pendingBatches: table.pendingBatches, position: (table as FactsOnRows).position };
      yield JSON.stringify(snapshot);
    },
    // eslint-disable-next-line require-yield -- one small chunk: nothing to pause between
    fromChunks: function* (chunks) {
      const first = chunks.next();
      if (first.done) throw new Error('a snapshot of the read models without its facts');
      const snapshot = JSON.parse(first.value) as RowsSnapshot;
      return factsOnRows(rows, { registered: snapshot.registered, pendingBatches: idRecordOf(snapshot.pendingBatches), position: snapshot.position }, keep);
    },
  };
}
