/**
 * The read side's history, in `DATA_DIR/statistics-history.db` beside the snapshots: every
 * "as of" answer without replays. While the runner folds, every change the fold makes to the
 * statistics cube is kept with its event's record position (pipeline-statistics/history.ts
 * gathers them), and every `checkpointEvery` events the cells changed since the last
 * checkpoint are written as they stand; the facts of the project each event changed are kept
 * whole with its position (facts-history.ts). The statistics "as of" a record time are then:
 * the position recorded by then (a binary search of the log's record times), each wanted
 * node's cells at the checkpoint before it (a seek per key of the node), plus the changes
 * recorded since (at most `checkpointEvery` rows); the ledger, compliance and batches are the
 * fact rows valid at that position. Nothing is replayed and no state is held.
 *
 * The rows are written by a thread of its own (statistics-history-writer-thread.ts; in memory,
 * in tests, on this one): the fold hands each batch over and goes on.
 * It follows the runner exactly: rows are written in batched transactions, always before the
 * snapshot of a position is taken, and a start from a snapshot at position S first drops what
 * was written after S (the runner folds it again). A history that does not reach back to a
 * snapshot (a file from before this history, or one lost) cannot be continued: `follow` says
 * so, and the runner folds the log from its start, the history with it.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { FoldHistory } from './projection-runner.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import type { AnnualTargetsSetData } from '../../commands/targets/events.js';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { statisticsHistorySchemaVersions } from '../../migrations/read-models/statistics-history-schema.js';
import { idRecord } from '../shared/id-record.js';
import { runSliced } from '../shared/sliced.js';
import { recordCube, rollUpChain, type Cube, type CubeNode } from '../pipeline-statistics/cube.js';
import {
  applyChange, cellKey, cellOfKey, cellValue, CHANGE_WIDTH, SIGNINGS_KEYS_FROM, ChangeBuffer, emptyNode, EventChanges, setCell,
} from '../pipeline-statistics/history.js';
import type { PipelineState, Targets } from '../pipeline-statistics/projection.js';
import { Worker } from 'node:worker_threads';
import type { ProjectRows } from './facts-on-rows.js';
import type { FactsTable, ProjectFacts } from '../shared/project-facts.js';
import type { LateReport } from '../compliance/projection.js';
import { batchWriter, mapForReads, tuneForHistory, type HistoryBatch } from './statistics-history-batch.js';
import type { FromHistoryWriter, HistoryWriterData, ToHistoryWriter } from './statistics-history-writer-thread.js';
import {
  dropAllFactRows, dropFactRowsAfter, emptyFactRows, EventsSinceWhole, FactsHistoryReader, hasFactRows, noteEvent,
  type FactParts, type FactRows, type FactScope, type FactStates,
} from './facts-history.js';

export interface StatisticsHistoryOptions {
  /** `DATA_DIR/statistics-history.db`, or ':memory:' (tests). */
  readonly path: string;
  /** The read models' version: a new one starts the history afresh with the fold. */
  readonly version: number;
  /** Events between checkpoints (default 8,192): an "as of" answer reads at most this many rows of changes. */
  readonly checkpointEvery?: number;
  /** Events a batch of rows holds at most (default 16,384; a batch is also sent a second after its first event). */
  readonly flushEvery?: number;
  readonly logger?: { error(details: object, message: string): void };
}

interface NodeEntry {
  readonly id: number;
  readonly regionCode: RegionCode;
  readonly category: string;
  /** The position of the event that made it; Infinity while that event is being folded. */
  firstPosition: number;
}

interface Meta {
  readonly version: number;
  readonly covers_from: number;
  readonly covers_from_ms: number;
  readonly position: number;
}

const FLUSH_ROWS = 16_384;
const MONTH = /^\d{4}-\d{2}$/;
const FLUSH_AFTER_MS = 1_000;

/**
 * Reads a statistics history: the server's (the writer below, on its own connection) or, in
 * the CLI, the file's as the server last wrote it (`openStatisticsHistory`).
 */
export class StatisticsHistoryReader implements ProjectRows {
  protected readonly nodes: NodeEntry[] = [];
  protected readonly nodeIds = new Map<string, number>();
  protected readonly nodesByRegion = new Map<RegionCode, NodeEntry[]>();
  protected meta: Meta | undefined;
  protected readonly reads;
  /** The states last asked for, by position: what is past never changes. */
  protected readonly recentStates = new Map<number, PipelineState>();
  protected readonly facts: FactsHistoryReader;
  /** The ledger, compliance and batches last asked for (or being read), by position and scope. */
  private readonly recentFactStates = new Map<string, Promise<FactStates>>();

  constructor(protected readonly db: Database.Database) {
    this.facts = new FactsHistoryReader(db);
    this.reads = {
      meta: db.prepare<[], Meta>('SELECT version, covers_from, covers_from_ms, position FROM statistics_history WHERE id = 1'),
      allNodes: db.prepare<[], { id: number; region: string; category: string; first_position: number }>(
        'SELECT id, region, category, first_position FROM statistics_nodes ORDER BY id'),
      checkpointAt: db.prepare<[number], number | null>('SELECT max(position) FROM statistics_checkpoints WHERE position <= ?').pluck(),
      // A node's cells at a checkpoint: for each of its keys, a seek for the key's last value by
      // then, in one statement (a province's node has ~300 keys over ~40,000 rows).
      keysOf: db.prepare<[number], number>('SELECT key FROM statistics_cell_keys WHERE node = ?').pluck(),
      cellsAt: db.prepare<[number, number], [number, string | null]>(
        `SELECT k.key, (SELECT c.value FROM statistics_cells c WHERE c.node = k.node AND c.key = k.key AND c.position <= ?
           ORDER BY c.position DESC LIMIT 1) FROM statistics_cell_keys k WHERE k.node = ?`).raw(),
      // The same without the signings: a province's signings are ~95 % of its cells' bytes
      // (every contract of every month), and a query reads those of its period's months only.
      sumCellsAt: db.prepare<[number, number, number], [number, string | null]>(
        `SELECT k.key, (SELECT c.value FROM statistics_cells c WHERE c.node = k.node AND c.key = k.key AND c.position <= ?
           ORDER BY c.position DESC LIMIT 1) FROM statistics_cell_keys k WHERE k.node = ? AND k.key < ?`).raw(),
      cellAt: db.prepare<[number, number, number], string | null>(
        'SELECT value FROM statistics_cells WHERE node = ? AND key = ? AND position <= ? ORDER BY position DESC LIMIT 1').pluck(),
      changesBetween: db.prepare<[number, number], Buffer>(
        'SELECT changes FROM statistics_log WHERE position > ? AND position <= ? AND changes IS NOT NULL ORDER BY position').pluck(),
      rowFrom: db.prepare<[number], { position: number; recorded_ms: number }>(
        'SELECT position, recorded_ms FROM statistics_log WHERE position >= ? ORDER BY position LIMIT 1'),
      firstRow: db.prepare<[], { position: number; recorded_ms: number }>('SELECT position, recorded_ms FROM statistics_log ORDER BY position LIMIT 1'),
      lastRow: db.prepare<[], { position: number; recorded_ms: number }>('SELECT position, recorded_ms FROM statistics_log ORDER BY position DESC LIMIT 1'),
      regionsWithTargetsBy: db.prepare<[number], string>('SELECT DISTINCT region FROM statistics_targets WHERE position <= ?').pluck(),
      targetsOfRegionBy: db.prepare<[string, number], { year: string; targets: string }>(
        'SELECT year, targets FROM statistics_targets WHERE region = ? AND position <= ? ORDER BY year, position'),
    };
  }

  /** The last position written, and the record time of its event. */
  get head(): { readonly position: number; readonly recordedMs: number } {
    const last = this.reads.lastRow.get();
    return last === undefined
      ? { position: this.meta?.covers_from ?? 0, recordedMs: this.meta?.covers_from_ms ?? -Infinity }
      : { position: last.position, recordedMs: last.recorded_ms };
  }

  // ---- the fold's facts kept in the rows (facts-on-rows.ts: ProjectRows) -------------------

  /** The facts table the history writes the rows of (the live fold's). */
  protected followedFacts: FactsTable | undefined;

  projectAt(projectId: string, position: number): { readonly facts: ProjectFacts; readonly late: LateReport[] | undefined } | undefined {
    return this.facts.projectById(projectId, position);
  }

  projectIdOf(seq: number): string | undefined {
    return this.facts.projectAt(seq, Number.MAX_SAFE_INTEGER)?.facts.projectId;
  }

  writtenPosition(): number {
    return this.head.position;
  }

  follows(table: FactsTable): boolean {
    return this.followedFacts === table;
  }

  /** What a read must see first (the writer: what it holds unwritten). */
  protected beforeRead(): void {}

  /** Reads the history as written, if it is of this read-model version. */
  open(version: number): boolean {
    const meta = this.reads.meta.get();
    if (meta === undefined || meta.version !== version) return false;
    this.meta = meta;
    this.loadNodes();
    return true;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- answering "as of" --------------------------------------------------------------------

  /**
   * The position of the last event recorded at or before `moment` (ms), when the history
   * covers it; undefined when the moment is before what it covers.
   */
  positionRecordedBy(moment: number): number | undefined {
    this.beforeRead();
    const meta = this.meta;
    if (meta === undefined) return undefined;
    const first = this.reads.firstRow.get();
    if (first === undefined || first.recorded_ms > moment) return moment >= meta.covers_from_ms ? meta.covers_from : undefined;
    const last = this.reads.lastRow.get() as { position: number; recorded_ms: number };
    if (last.recorded_ms <= moment) return last.position;
    // Record times never go backwards: rows at or after `high` are all recorded after the moment.
    let low = first.position;
    let high = last.position;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      const row = this.reads.rowFrom.get(middle);
      if (row === undefined || row.position >= high || row.recorded_ms > moment) high = middle;
      else low = row.position;
    }
    return low;
  }

  /**
   * The statistics state as it stood at `position` (a position this history covers): its cube
   * is read node by node as queries ask for regions, each node the cells at the checkpoint
   * before the position plus the changes after it.
   */
  stateAt(position: number): PipelineState {
    this.beforeRead();
    const recent = this.recentStates.get(position);
    if (recent !== undefined) return recent;
    const state = this.readStateAt(position);
    // A report asks the same moment once per region: the nodes read stay read.
    this.recentStates.set(position, state);
    if (this.recentStates.size > 4) this.recentStates.delete(this.recentStates.keys().next().value as number);
    return state;
  }

  /**
   * The ledger, compliance and batches as they stood at `position` (a position this history
   * covers), holding the projects of `scope` (and the batches' members).
   */
  factStatesAt(position: number, scope: FactScope): Promise<FactStates> {
    this.beforeRead();
    const key = `${position}|${JSON.stringify(scope)}`;
    const recent = this.recentFactStates.get(key);
    if (recent !== undefined) return recent;
    // A slice per turn: a province's projects never stall the server.
    const states = runSliced(this.facts.statesAt(position, scope));
    this.recentFactStates.set(key, states);
    states.catch(() => { if (this.recentFactStates.get(key) === states) this.recentFactStates.delete(key); });
    if (this.recentFactStates.size > 2) this.recentFactStates.delete(this.recentFactStates.keys().next().value as string);
    return states;
  }

  /**
   * The ledger, compliance and batches at the last position written, read in one transaction
   * with it: each scan lists only the projects `scope` can match (fact_now's columns), then
   * reads them at that position, however long it takes and however the fold goes on.
   */
  currentFactStates(scope: FactScope): { readonly position: number; readonly states: FactStates } {
    this.beforeRead();
    return this.db.transaction(() => {
      const position = this.head.position;
      return { position, states: this.facts.currentStatesAt(position, scope) };
    })();
  }

  /** Forget the answers kept: the rows they were read from were dropped or rewritten. */
  protected forgetRecent(): void {
    this.recentStates.clear();
    this.recentFactStates.clear();
    this.facts.forget();
  }

  private readStateAt(position: number): PipelineState {
    const checkpoint = this.reads.checkpointAt.get(position) ?? 0;
    let changesByLeaf: ChangesByLeaf | undefined;
    const regions = new Set<RegionCode>();
    for (const node of this.nodes) if (node.firstPosition <= position) regions.add(node.regionCode);
    const loaded = new Map<RegionCode, Record<string, CubeNode>>();
    const loadRegion = (regionCode: RegionCode): Record<string, CubeNode> => {
      changesByLeaf ??= groupByLeaf(this.reads.changesBetween.all(checkpoint, position));
      const byCategory: Record<string, CubeNode> = idRecord();
      for (const entry of this.nodesByRegion.get(regionCode) ?? []) {
        if (entry.firstPosition > position) continue;
        byCategory[entry.category] = this.queriedNodeAt(entry, checkpoint, changesByLeaf);
      }
      return byCategory;
    };
    const cube = new Proxy(idRecord() as Cube, {
      get: (_target, code) => {
        if (typeof code !== 'string' || !regions.has(code)) return undefined;
        let byCategory = loaded.get(code);
        if (byCategory === undefined) loaded.set(code, (byCategory = loadRegion(code)));
        return byCategory;
      },
      has: (_target, code) => typeof code === 'string' && regions.has(code),
      ownKeys: () => [...regions],
      getOwnPropertyDescriptor: (_target, code) =>
        typeof code === 'string' && regions.has(code) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined,
    });
    return { position, projects: idRecord(), cube, targets: this.targetsAt(position) };
  }

  /** The annual targets set by `position`, each region's read when a query first asks for it. */
  private targetsAt(position: number): Record<RegionCode, Record<string, Targets>> {
    let regions: Set<string> | undefined;
    const regionsSet = (): Set<string> => (regions ??= new Set(this.reads.regionsWithTargetsBy.all(position)));
    const read = new Map<string, Record<string, Targets>>();
    return new Proxy(idRecord() as Record<RegionCode, Record<string, Targets>>, {
      get: (_target, code) => {
        if (typeof code !== 'string' || !regionsSet().has(code)) return undefined;
        let byYear = read.get(code);
        if (byYear === undefined) {
          byYear = idRecord();
          for (const row of this.reads.targetsOfRegionBy.iterate(code, position)) byYear[row.year] = JSON.parse(row.targets) as Targets;
          read.set(code, byYear);
        }
        return byYear;
      },
      has: (_target, code) => typeof code === 'string' && regionsSet().has(code),
      ownKeys: () => [...regionsSet()],
      getOwnPropertyDescriptor: (_target, code) => (typeof code === 'string' && regionsSet().has(code)
        ? { configurable: true, enumerable: true, writable: false, value: undefined }
        : undefined),
    });
  }

  /**
   * The cube as it stood at `position` (a position this history covers), for a fold to go on
   * from (facts-on-rows.ts: a snapshot on rows holds no cube): each region's nodes are read the
   * first time something asks for the region, as they stood at `position`, and are then the
   * holder's to change. A region's nodes are read before any event after `position` changes
   * them (changing a node asks for its region first), so reading them at `position` is right
   * whenever it happens; rows up to `position` never change.
   */
  cubeAt(position: number): Cube {
    // Read when first asked: a start loads the snapshot before the history is opened at it.
    let checkpoint: number | undefined;
    let changesByLeaf: ChangesByLeaf | undefined;
    let unreadSet: Set<RegionCode> | undefined;
    const unread = (): Set<RegionCode> => {
      if (unreadSet !== undefined) return unreadSet;
      unreadSet = new Set<RegionCode>();
      for (const node of this.nodes) if (node !== undefined && node.firstPosition <= position) unreadSet.add(node.regionCode);
      return unreadSet;
    };
    const held = idRecord() as Cube;
    const regionOf = (code: string): Record<string, CubeNode> | undefined => {
      const have = held[code];
      if (have !== undefined || !unread().has(code)) return have;
      unread().delete(code);
      checkpoint ??= this.reads.checkpointAt.get(position) ?? 0;
      changesByLeaf ??= groupByLeaf(this.reads.changesBetween.all(checkpoint, position));
      const byCategory: Record<string, CubeNode> = idRecord();
      for (const entry of this.nodesByRegion.get(code) ?? []) {
        if (entry.firstPosition > position) continue;
        byCategory[entry.category] = this.nodeAt(entry, checkpoint, changesByLeaf);
      }
      held[code] = byCategory;
      return byCategory;
    };
    return new Proxy(held, {
      get: (_target, code) => (typeof code === 'string' ? regionOf(code) : undefined),
      set: (_target, code, value: Record<string, CubeNode>) => {
        if (typeof code !== 'string') return false;
        unread().delete(code);
        held[code] = value;
        return true;
      },
      has: (_target, code) => typeof code === 'string' && (code in held || unread().has(code)),
      ownKeys: () => [...new Set([...Object.keys(held), ...unread()])],
      // Listing the regions (the rankings' `for … in`) reads none of their nodes: a value is read by `get`.
      getOwnPropertyDescriptor: (_target, code) => (typeof code === 'string' && (code in held || unread().has(code))
        ? { configurable: true, enumerable: true, writable: true, value: undefined }
        : undefined),
      deleteProperty: () => false,
    });
  }

  /**
   * A node as it stood at a position, for queries (never changed): its pipe and flow cells read
   * whole, each month's signings when a query first asks for that month (the largest signing
   * of a period reads its months only), from the checkpoint's list and the signings since.
   */
  private queriedNodeAt(entry: NodeEntry, checkpoint: number, changesByLeaf: ChangesByLeaf): CubeNode {
    const node = emptyNode();
    for (const [key, value] of this.reads.sumCellsAt.all(checkpoint, entry.id, SIGNINGS_KEYS_FROM)) {
      if (value === null) continue;
      const { kind, period } = cellOfKey(key);
      setCell(node, kind, period, JSON.parse(value) as number[]);
    }
    // The signings told since the checkpoint, by cell key, in the order they were recorded.
    const signingsSince = new Map<number, number[]>();
    const { changes, ranges } = changesByLeaf;
    for (const [leaf, [start, end]] of ranges) {
      const leafEntry = this.nodes[leaf];
      if (leafEntry === undefined || leafEntry.category !== entry.category) continue;
      if (!rollUpChain(leafEntry.regionCode).includes(entry.regionCode)) continue;
      for (let i = start; i < end; i += CHANGE_WIDTH) {
        const key = changes[i + 1] as number;
        const delta = changes[i + 3] as number;
        if (key >= SIGNINGS_KEYS_FROM) {
          let told = signingsSince.get(key);
          if (told === undefined) signingsSince.set(key, (told = []));
          told.push(delta);
        } else applyChange(node, key, changes[i + 2] as number, delta);
      }
    }
    const months: Record<string, number[] | undefined> = {};
    node.signings = new Proxy(months, {
      get: (_target, period) => {
        if (typeof period !== 'string' || !MONTH.test(period)) return undefined;
        if (period in months) return months[period];
        const key = cellKey('signings', period);
        const value = this.reads.cellAt.get(entry.id, key, checkpoint);
        const list = value === undefined || value === null ? undefined : (JSON.parse(value) as number[]);
        const month = emptyNode();
        if (list !== undefined) setCell(month, 'signings', period, list);
        for (const delta of signingsSince.get(key) ?? []) applyChange(month, key, 0, delta);
        return (months[period] = month.signings[period]);
      },
    }) as CubeNode['signings'];
    return node;
  }

  private nodeAt(entry: NodeEntry, checkpoint: number, changesByLeaf: ChangesByLeaf): CubeNode {
    const node = emptyNode();
    for (const [key, value] of this.reads.cellsAt.all(checkpoint, entry.id)) {
      if (value === null) continue;
      const { kind, period } = cellOfKey(key);
      setCell(node, kind, period, JSON.parse(value) as number[]);
    }
    const { changes, ranges } = changesByLeaf;
    for (const [leaf, [start, end]] of ranges) {
      const leafEntry = this.nodes[leaf];
      if (leafEntry === undefined || leafEntry.category !== entry.category) continue;
      if (!rollUpChain(leafEntry.regionCode).includes(entry.regionCode)) continue;
      for (let i = start; i < end; i += CHANGE_WIDTH) applyChange(node, changes[i + 1] as number, changes[i + 2] as number, changes[i + 3] as number);
    }
    return node;
  }

  protected remember(entry: NodeEntry): void {
    this.nodes[entry.id] = entry;
    this.nodeIds.set(nodeName(entry.regionCode, entry.category), entry.id);
    let inRegion = this.nodesByRegion.get(entry.regionCode);
    if (inRegion === undefined) this.nodesByRegion.set(entry.regionCode, (inRegion = []));
    inRegion.push(entry);
  }

  protected loadNodes(): void {
    this.nodes.length = 0;
    this.nodeIds.clear();
    this.nodesByRegion.clear();
    for (const row of this.reads.allNodes.iterate()) {
      this.remember({ id: row.id, regionCode: row.region, category: row.category, firstPosition: row.first_position });
    }
  }
}

/** The server's history: written as the runner folds (FoldHistory), read as it goes. */
export class StatisticsHistory<State> extends StatisticsHistoryReader implements FoldHistory<State> {
  private readonly checkpointEvery: number;
  private readonly flushEvery: number;
  /** Events of each project since its facts were last written whole (facts-history.ts). */
  private sinceWhole = new EventsSinceWhole();
  private readonly changes = new EventChanges((regionCode, category) => this.idOf(regionCode, category));
  private cube: Cube | undefined;
  /** (leaf node id, cell key) changed since the last checkpoint. */
  private dirty = new Map<number, Set<number>>();
  private sinceCheckpoint = 0;
  /** Nodes made by the event being folded. */
  private fresh: NodeEntry[] = [];
  private pending = emptyPending();
  private lastPosition = 0;
  private lastRecordedMs = -Infinity;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Writes a batch on this thread's connection (a memory file, and the seed of a fresh history). */
  private readonly writeHere: (batch: HistoryBatch) => void;
  /** The writer thread (a file), the batches sent to it, those it has written, and who waits for them. */
  private writer: Worker | undefined;
  private sent = 0;
  private written = 0;
  private broken = false;
  private waiters: Array<{ readonly id: number; readonly resolve: () => void }> = [];
  private writerStopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: StatisticsHistoryOptions,
    private readonly select: (state: State) => PipelineState,
    /** The ledger's, compliance's and batches' parts of the state, when their history is kept too. */
    private readonly selectFacts?: (state: State) => FactParts,
  ) {
    super(openWritable(options.path));
    this.checkpointEvery = options.checkpointEvery ?? 8_192;
    this.flushEvery = Math.min(FLUSH_ROWS, options.flushEvery ?? FLUSH_ROWS);
    this.writeHere = batchWriter(this.db);
  }

  /**
   * The writer thread of a history in a file, started with the first batch to write: a start
   * with nothing to fold need not wait for one more thread to load its modules.
   */
  private startedWriter(): Worker {
    if (this.writer !== undefined) return this.writer;
    const options = this.options;
    const data: HistoryWriterData = { path: options.path };
    const writer = new Worker(new URL('./statistics-history-writer.mjs', import.meta.url), { workerData: data });
    this.writerStopped = new Promise((resolve) => {
      writer.on('message', (message: FromHistoryWriter) => {
        switch (message.type) {
          case 'written':
            this.written = message.id;
            this.releaseWaiters();
            return;
          case 'failed':
            options.logger?.error({ problem: message.message }, 'the statistics history could not be written: "as of" statistics replay the log until the next start');
            this.abandon();
            return;
          case 'stopped':
            resolve();
            return;
        }
      });
      writer.on('error', (error) => {
        options.logger?.error({ err: error }, 'the statistics history\'s writer failed: "as of" statistics replay the log until the next start');
        this.abandon();
        resolve();
      });
      writer.on('exit', () => resolve());
    });
    writer.unref();
    this.writer = writer;
    return writer;
  }

  // ---- following the fold -------------------------------------------------------------------

  follow(state: State, position: number): boolean {
    const statistics = this.select(state);
    this.followedFacts = this.selectFacts?.(state).facts;
    if (this.cube !== undefined) {
      // A rebuilt state swapped in where the live one stood: the same figures, recorded on.
      recordCube(this.cube, undefined);
      this.cube = statistics.cube;
      if (!this.broken) recordCube(this.cube, this.changes);
      return true;
    }
    this.forgetRecent();
    // After a restart the counts start again: a project's next whole row comes at most
    // FULL_EVERY events later than it would have.
    this.sinceWhole = new EventsSinceWhole();
    const meta = this.reads.meta.get();
    // Only a history of the whole log, written up to the snapshot at least, is continued: every
    // "as of" answer comes from it.
    const continues = meta !== undefined && meta.version === this.options.version
      && meta.covers_from === 0 && meta.position >= position;
    if (position === 0) this.startAfresh();
    else if (continues) this.resumeAt(meta, position);
    else return false;
    this.cube = statistics.cube;
    if (!this.broken) recordCube(this.cube, this.changes);
    return true;
  }

  applied(state: State, event: RecordedEvent): void {
    if (this.cube === undefined || event.position <= this.lastPosition) return;
    const pending = this.pending;
    const start = pending.changes.length;
    const count = this.changes.take(pending.changes);
    for (const entry of this.fresh) {
      entry.firstPosition = event.position;
      pending.nodes.push([entry.id, entry.regionCode, entry.category, entry.firstPosition]);
    }
    this.fresh = [];
    const recordedMs = Date.parse(event.recordedAt);
    if (count > 0) this.markDirty(pending.changes.array, start, start + count);
    const row = pending.rows++;
    pending.positions[row] = event.position;
    pending.recordedMs[row] = recordedMs;
    pending.changeEnds[row] = pending.changes.length;
    if (event.type === 'AnnualTargetsSet') {
      const data = event.data as AnnualTargetsSetData;
      const targets = this.select(state).targets[data.regionCode]?.[String(data.year)];
      pending.targets.push([data.regionCode, String(data.year), event.position, JSON.stringify(targets ?? {})]);
    }
    if (this.selectFacts !== undefined) {
      noteEvent(this.selectFacts(state), event, pending.facts, this.sinceWhole);
    }
    this.lastPosition = event.position;
    this.lastRecordedMs = recordedMs;
    if (++this.sinceCheckpoint >= this.checkpointEvery) this.checkpoint(event.position);
    // Sent in large batches (each commit costs more than thousands of rows), before any snapshot
    // and any read, and within a second of being folded.
    if (pending.rows >= this.flushEvery) this.send();
    else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.send(), FLUSH_AFTER_MS);
      this.flushTimer.unref();
    }
  }

  failed(): void {
    this.changes.discard();
  }

  /** Resolves once everything told so far is written (the runner awaits it before a snapshot). */
  flush(): Promise<void> {
    this.send();
    if (this.writer === undefined || this.broken || this.written >= this.sent) return Promise.resolve();
    const id = this.sent;
    // Someone waits for the writer: it keeps the process alive until it answers.
    this.writer.ref();
    return new Promise((resolve) => { this.waiters.push({ id, resolve }); });
  }

  /** The last position folded (written, or on its way to the writer), and the record time of its event. */
  get folded(): { readonly position: number; readonly recordedMs: number } {
    return { position: this.lastPosition, recordedMs: this.lastRecordedMs };
  }

  /** Reads see what is written: what is pending goes to the writer now (written here, in memory). */
  protected override beforeRead(): void {
    this.send();
  }

  /** Writes what is left and stops the writer. */
  async stop(): Promise<void> {
    await this.flush();
    if (this.writer !== undefined) {
      this.writer.ref();
      this.writer.postMessage({ type: 'stop' } satisfies ToHistoryWriter);
      await this.writerStopped;
    }
    this.close();
    if (this.cube !== undefined) recordCube(this.cube, undefined);
    this.cube = undefined;
  }

  /** Hands what is pending to the writer (or writes it here), without waiting. */
  private send(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    if (pending.rows === 0 && pending.nodes.length === 0 && pending.cells.length === 0 && pending.checkpoints.length === 0
      && pending.targets.length === 0 && !hasFactRows(pending.facts)) return;
    this.pending = emptyPending();
    if (this.broken) return;
    const batch = pack(pending, this.lastPosition);
    if (this.options.path === ':memory:') {
      this.writeHere(batch);
      return;
    }
    this.sent += 1;
    const transfer = [batch.positions.buffer, batch.recordedMs.buffer, batch.changeEnds.buffer, batch.changes.buffer] as ArrayBuffer[];
    this.startedWriter().postMessage({ type: 'write', id: this.sent, batch } satisfies ToHistoryWriter, transfer);
  }

  /** A batch failed to write: the history answers nothing more (replays do) and records nothing. */
  private abandon(): void {
    this.broken = true;
    this.meta = undefined;
    this.pending = emptyPending();
    if (this.cube !== undefined) recordCube(this.cube, undefined);
    this.written = this.sent;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.id <= this.written) waiter.resolve();
      else this.waiters.push(waiter);
    }
    if (this.waiters.length === 0) this.writer?.unref();
  }

  // ---- internals ------------------------------------------------------------------------------

  /** A node's id; a node not seen before is made by the event being folded. */
  private idOf(regionCode: RegionCode, category: string): number {
    const id = this.nodeIds.get(nodeName(regionCode, category));
    if (id !== undefined) return id;
    const entry: NodeEntry = { id: this.nodes.length, regionCode, category, firstPosition: Infinity };
    this.remember(entry);
    this.fresh.push(entry);
    return entry.id;
  }

  private markDirty(changes: Float64Array, from = 0, to = changes.length): void {
    for (let i = from; i < to; i += CHANGE_WIDTH) {
      const leaf = changes[i] as number;
      let keys = this.dirty.get(leaf);
      if (keys === undefined) this.dirty.set(leaf, (keys = new Set()));
      keys.add(changes[i + 1] as number);
    }
  }

  /** Keys each node has cells for (statistics_cell_keys), known to this process. */
  private readonly knownKeys = new Map<number, Set<number>>();

  private noteKey(node: number, key: number): void {
    let keys = this.knownKeys.get(node);
    if (keys === undefined) {
      keys = new Set(this.reads.keysOf.all(node));
      this.knownKeys.set(node, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.pending.newKeys.push([node, key]);
  }

  /** Writes every cell changed since the last checkpoint (in every node the change rolls up to) as it stands now. */
  private checkpoint(position: number): void {
    const cube = this.cube;
    if (cube === undefined) return;
    const written = new Set<number>();
    for (const [leaf, keys] of this.dirty) {
      const leafEntry = this.nodes[leaf];
      if (leafEntry === undefined) continue;
      for (const code of rollUpChain(leafEntry.regionCode)) {
        const id = this.idOf(code, leafEntry.category);
        const node = cube[code]?.[leafEntry.category];
        if (node === undefined) continue;
        for (const key of keys) {
          const combined = id * 2 ** 20 + key;
          if (written.has(combined)) continue;
          written.add(combined);
          const { kind, period } = cellOfKey(key);
          this.pending.cells.push([id, key, position, JSON.stringify(cellValue(node, kind, period) ?? [])]);
          this.noteKey(id, key);
        }
      }
    }
    this.dirty = new Map();
    this.sinceCheckpoint = 0;
    this.pending.checkpoints.push(position);
  }

  /** Continues the history written up to `meta.position` from the snapshot at `position`. */
  private resumeAt(meta: Meta, position: number): void {
    // After a clean stop the history ends where the snapshot is: nothing to drop (the cells
    // have no index by position, and a scan of them is seconds at 10M events).
    if (meta.position > position) this.db.transaction(() => {
      for (const table of ['statistics_log', 'statistics_cells', 'statistics_checkpoints', 'statistics_targets']) {
        this.db.prepare(`DELETE FROM ${table} WHERE position > ?`).run(position);
      }
      this.db.prepare('DELETE FROM statistics_nodes WHERE first_position > ?').run(position);
      dropFactRowsAfter(this.db, position);
      this.db.prepare('UPDATE statistics_history SET position = ? WHERE id = 1').run(position);
    })();
    this.meta = { ...meta, position };
    this.knownKeys.clear();
    this.loadNodes();
    // Cells changed between the last checkpoint and the snapshot are written at the next one.
    this.dirty = new Map();
    this.fresh = [];
    const checkpoint = this.reads.checkpointAt.get(position) ?? meta.covers_from;
    let since = 0;
    for (const blob of this.reads.changesBetween.iterate(checkpoint, position)) {
      this.markDirty(new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength)));
      since++;
    }
    this.sinceCheckpoint = since;
    const last = this.reads.lastRow.get();
    this.lastPosition = position;
    this.lastRecordedMs = last?.recorded_ms ?? meta.covers_from_ms;
  }

  /** Drops what was kept and starts with the log's first event. */
  private startAfresh(): void {
    const recordedMs = -8.64e15;
    this.nodes.length = 0;
    this.nodeIds.clear();
    this.nodesByRegion.clear();
    this.dirty = new Map();
    this.sinceCheckpoint = 0;
    this.fresh = [];
    this.knownKeys.clear();
    this.pending = emptyPending();
    this.db.transaction(() => {
      for (const table of ['statistics_log', 'statistics_cells', 'statistics_cell_keys', 'statistics_checkpoints', 'statistics_nodes', 'statistics_targets']) {
        this.db.prepare(`DELETE FROM ${table}`).run();
      }
      dropAllFactRows(this.db);
      this.db.prepare('INSERT OR REPLACE INTO statistics_history (id, version, covers_from, covers_from_ms, position) VALUES (1, ?, 0, ?, 0)')
        .run(this.options.version, recordedMs);
    })();
    this.meta = { version: this.options.version, covers_from: 0, covers_from_ms: recordedMs, position: 0 };
    this.lastPosition = 0;
    this.lastRecordedMs = recordedMs;
  }
}

/** What was told since the last batch: rows in arrays made once per batch. */
interface Pending {
  rows: number;
  readonly positions: Float64Array;
  readonly recordedMs: Float64Array;
  readonly changeEnds: Float64Array;
  readonly changes: ChangeBuffer;
  readonly nodes: Array<[number, string, string, number]>;
  readonly cells: Array<[number, number, number, string]>;
  readonly newKeys: Array<[number, number]>;
  readonly checkpoints: number[];
  readonly targets: Array<[string, string, number, string]>;
  readonly facts: FactRows;
}

function emptyPending(): Pending {
  return {
    rows: 0, positions: new Float64Array(FLUSH_ROWS), recordedMs: new Float64Array(FLUSH_ROWS), changeEnds: new Float64Array(FLUSH_ROWS),
    changes: new ChangeBuffer(), nodes: [], cells: [], newKeys: [], checkpoints: [], targets: [], facts: emptyFactRows(),
  };
}

function pack(pending: Pending, position: number): HistoryBatch {
  return {
    nodes: pending.nodes,
    positions: pending.positions.subarray(0, pending.rows),
    recordedMs: pending.recordedMs.subarray(0, pending.rows),
    changeEnds: pending.changeEnds.subarray(0, pending.rows),
    changes: pending.changes.array.subarray(0, pending.changes.length),
    cells: pending.cells,
    newKeys: pending.newKeys,
    checkpoints: pending.checkpoints,
    targets: pending.targets,
    facts: pending.facts,
    position,
  };
}

/** Changes recorded in a range of positions, in order within each leaf: [start, end) of each leaf's in `changes`. */
interface ChangesByLeaf {
  readonly changes: Float64Array;
  readonly ranges: ReadonlyMap<number, readonly [number, number]>;
}

/**
 * The rows' changes grouped by leaf node, in one array (a counting sort: a pass to count each
 * leaf's, a pass to place them), keeping each leaf's in the order recorded.
 */
function groupByLeaf(blobs: readonly Buffer[]): ChangesByLeaf {
  let bytes = 0;
  for (const blob of blobs) bytes += blob.byteLength;
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const blob of blobs) {
    all.set(blob, at);
    at += blob.byteLength;
  }
  const recorded = new Float64Array(all.buffer);
  const counts = new Map<number, number>();
  for (let i = 0; i < recorded.length; i += CHANGE_WIDTH) {
    const leaf = recorded[i] as number;
    counts.set(leaf, (counts.get(leaf) ?? 0) + CHANGE_WIDTH);
  }
  const ranges = new Map<number, [number, number]>();
  let start = 0;
  for (const [leaf, count] of counts) {
    ranges.set(leaf, [start, start]);
    start += count;
  }
  const changes = new Float64Array(recorded.length);
  for (let i = 0; i < recorded.length; i += CHANGE_WIDTH) {
    const range = ranges.get(recorded[i] as number) as [number, number];
    changes.set(recorded.subarray(i, i + CHANGE_WIDTH), range[1]);
    range[1] += CHANGE_WIDTH;
  }
  return { changes, ranges };
}

function nodeName(regionCode: RegionCode, category: string): string {
  return `${regionCode}\u0000${category}`;
}

function openWritable(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  tuneForHistory(db);
  applyStoreSchema(db, statisticsHistorySchemaVersions);
  return db;
}

/**
 * The history in `statistics-history.db` as last written, read only (the CLI, beside a running
 * server); undefined when the file keeps none of this read-model version.
 */
export function openStatisticsHistory(path: string, version: number): StatisticsHistoryReader | undefined {
  if (path === ':memory:' || !existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  mapForReads(db);
  const hasHistory = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'statistics_history'").get() !== undefined;
  const reader = hasHistory ? new StatisticsHistoryReader(db) : undefined;
  if (reader === undefined || !reader.open(version)) {
    db.close();
    return undefined;
  }
  return reader;
}
