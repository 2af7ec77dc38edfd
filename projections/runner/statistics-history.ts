/**
 * The statistics' history, beside the snapshots in `DATA_DIR/read-models.db`: bitemporal
 * statistics without replays. While the runner folds, every change the fold makes to the
 * statistics cube is kept with its event's record position (pipeline-statistics/history.ts
 * gathers them), and every `checkpointEvery` events the cells changed since the last
 * checkpoint are written as they stand. The statistics "as of" a record time are then:
 * the position recorded by then (a binary search of the log's record times), each wanted
 * node's cells at the checkpoint before it (one indexed read per node), plus the changes
 * recorded since (at most `checkpointEvery` rows). Nothing is replayed and no state is held.
 *
 * It follows the runner exactly: rows are written in batched transactions, always before the
 * snapshot of a position is taken, and a start from a snapshot at position S first drops what
 * was written after S (the runner folds it again). A history that does not reach back to a
 * snapshot (a file from before this history, or one lost) starts afresh at S with every cell
 * as it stands, and covers moments from S on; earlier moments are the runner's replay.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RecordedEvent } from '../../src/event-store/port.js';
import type { FoldHistory } from './projection-runner.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import type { AnnualTargetsSetData } from '../../commands/targets/events.js';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { readModelSchemaVersions } from '../../migrations/read-models/schema-versions.js';
import { idRecord } from '../shared/id-record.js';
import { recordCube, rollUpChain, type Cube, type CubeNode } from '../pipeline-statistics/cube.js';
import {
  applyChange, cellKey, cellOfKey, cellValue, CHANGE_WIDTH, emptyNode, EventChanges, setCell,
} from '../pipeline-statistics/history.js';
import type { PipelineState, Targets } from '../pipeline-statistics/projection.js';

export interface StatisticsHistoryOptions {
  /** `read-models.db`'s path, or ':memory:' (tests). */
  readonly path: string;
  /** The read models' version: a new one starts the history afresh with the fold. */
  readonly version: number;
  /** Events between checkpoints (default 8,192): an "as of" answer reads at most this many rows of changes. */
  readonly checkpointEvery?: number;
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

type LogRow = [position: number, recordedMs: number, changes: Buffer | null];
const FLUSH_ROWS = 4_096;

/**
 * Reads a statistics history: the server's (the writer below, on its own connection) or, in
 * the CLI, the file's as the server last wrote it (`openStatisticsHistory`).
 */
export class StatisticsHistoryReader {
  protected readonly nodes: NodeEntry[] = [];
  protected readonly nodeIds = new Map<string, number>();
  protected readonly nodesByRegion = new Map<RegionCode, NodeEntry[]>();
  protected meta: Meta | undefined;
  protected readonly reads;
  /** The states last asked for, by position: what is past never changes. */
  protected readonly recentStates = new Map<number, PipelineState>();

  constructor(protected readonly db: Database.Database) {
    this.reads = {
      meta: db.prepare<[], Meta>('SELECT version, covers_from, covers_from_ms, position FROM statistics_history WHERE id = 1'),
      allNodes: db.prepare<[], { id: number; region: string; category: string; first_position: number }>(
        'SELECT id, region, category, first_position FROM statistics_nodes ORDER BY id'),
      checkpointAt: db.prepare<[number], number | null>('SELECT max(position) FROM statistics_checkpoints WHERE position <= ?').pluck(),
      cellsOf: db.prepare<[number, number], [number, string, number]>(
        'SELECT key, value, max(position) FROM statistics_cells WHERE node = ? AND position <= ? GROUP BY key').raw(),
      changesBetween: db.prepare<[number, number], Buffer>(
        'SELECT changes FROM statistics_log WHERE position > ? AND position <= ? AND changes IS NOT NULL ORDER BY position').pluck(),
      rowFrom: db.prepare<[number], { position: number; recorded_ms: number }>(
        'SELECT position, recorded_ms FROM statistics_log WHERE position >= ? ORDER BY position LIMIT 1'),
      firstRow: db.prepare<[], { position: number; recorded_ms: number }>('SELECT position, recorded_ms FROM statistics_log ORDER BY position LIMIT 1'),
      lastRow: db.prepare<[], { position: number; recorded_ms: number }>('SELECT position, recorded_ms FROM statistics_log ORDER BY position DESC LIMIT 1'),
      targetsBy: db.prepare<[number], { region: string; year: string; targets: string }>(
        'SELECT region, year, targets FROM statistics_targets WHERE position <= ? ORDER BY position'),
    };
  }

  /** The last position written, and the record time of its event. */
  get head(): { readonly position: number; readonly recordedMs: number } {
    const last = this.reads.lastRow.get();
    return last === undefined
      ? { position: this.meta?.covers_from ?? 0, recordedMs: this.meta?.covers_from_ms ?? -Infinity }
      : { position: last.position, recordedMs: last.recorded_ms };
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

  private readStateAt(position: number): PipelineState {
    const checkpoint = this.reads.checkpointAt.get(position) ?? 0;
    const changesByLeaf = new Map<number, number[]>();
    for (const blob of this.reads.changesBetween.iterate(checkpoint, position)) {
      const changes = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
      for (let i = 0; i < changes.length; i += CHANGE_WIDTH) {
        const leaf = changes[i] as number;
        let list = changesByLeaf.get(leaf);
        if (list === undefined) changesByLeaf.set(leaf, (list = []));
        list.push(changes[i + 1] as number, changes[i + 2] as number, changes[i + 3] as number);
      }
    }
    const regions = new Set<RegionCode>();
    for (const node of this.nodes) if (node.firstPosition <= position) regions.add(node.regionCode);
    const loaded = new Map<RegionCode, Record<string, CubeNode>>();
    const loadRegion = (regionCode: RegionCode): Record<string, CubeNode> => {
      const byCategory: Record<string, CubeNode> = idRecord();
      for (const entry of this.nodesByRegion.get(regionCode) ?? []) {
        if (entry.firstPosition > position) continue;
        byCategory[entry.category] = this.nodeAt(entry, checkpoint, changesByLeaf);
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
    const targets: Record<RegionCode, Record<string, Targets>> = idRecord();
    for (const row of this.reads.targetsBy.iterate(position)) (targets[row.region] ??= idRecord())[row.year] = JSON.parse(row.targets) as Targets;
    return { position, projects: idRecord(), cube, targets };
  }

  private nodeAt(entry: NodeEntry, checkpoint: number, changesByLeaf: ReadonlyMap<number, readonly number[]>): CubeNode {
    const node = emptyNode();
    for (const [key, value] of this.reads.cellsOf.iterate(entry.id, checkpoint)) {
      const { kind, period } = cellOfKey(key);
      setCell(node, kind, period, JSON.parse(value) as number[]);
    }
    for (const [leaf, changes] of changesByLeaf) {
      const leafEntry = this.nodes[leaf];
      if (leafEntry === undefined || leafEntry.category !== entry.category) continue;
      if (!rollUpChain(leafEntry.regionCode).includes(entry.regionCode)) continue;
      for (let i = 0; i < changes.length; i += 3) applyChange(node, changes[i] as number, changes[i + 1] as number, changes[i + 2] as number);
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
  private readonly changes = new EventChanges((regionCode, category) => this.idOf(regionCode, category));
  private cube: Cube | undefined;
  /** (leaf node id, cell key) changed since the last checkpoint. */
  private dirty = new Map<number, Set<number>>();
  private sinceCheckpoint = 0;
  private pendingNodes: NodeEntry[] = [];
  /** Nodes made by the event being folded. */
  private fresh: NodeEntry[] = [];
  private pendingLog: LogRow[] = [];
  private pendingCells: Array<[node: number, key: number, position: number, value: string]> = [];
  private pendingCheckpoints: number[] = [];
  private pendingTargets: Array<[region: string, year: string, position: number, targets: string]> = [];
  private lastPosition = 0;
  private lastRecordedMs = -Infinity;
  private flushScheduled = false;
  private readonly statements;

  constructor(private readonly options: StatisticsHistoryOptions, private readonly select: (state: State) => PipelineState) {
    super(openWritable(options.path));
    this.checkpointEvery = options.checkpointEvery ?? 8_192;
    const db = this.db;
    this.statements = {
      setMeta: db.prepare('INSERT OR REPLACE INTO statistics_history (id, version, covers_from, covers_from_ms, position) VALUES (1, ?, ?, ?, ?)'),
      setPosition: db.prepare('UPDATE statistics_history SET position = ? WHERE id = 1'),
      insertLog: db.prepare('INSERT INTO statistics_log (position, recorded_ms, changes) VALUES (?, ?, ?)'),
      insertNode: db.prepare('INSERT INTO statistics_nodes (id, region, category, first_position) VALUES (?, ?, ?, ?)'),
      insertCell: db.prepare('INSERT OR REPLACE INTO statistics_cells (node, key, position, value) VALUES (?, ?, ?, ?)'),
      insertCheckpoint: db.prepare('INSERT OR IGNORE INTO statistics_checkpoints (position) VALUES (?)'),
      insertTargets: db.prepare('INSERT OR REPLACE INTO statistics_targets (region, year, position, targets) VALUES (?, ?, ?, ?)'),
    };
  }

  // ---- following the fold -------------------------------------------------------------------

  follow(state: State, position: number, recordedAt: string): void {
    this.flush();
    if (this.cube !== undefined) recordCube(this.cube, undefined);
    this.recentStates.clear();
    const statistics = this.select(state);
    const meta = this.reads.meta.get();
    const continues = meta !== undefined && meta.version === this.options.version
      && meta.covers_from <= position && meta.position >= position;
    if (continues) this.resumeAt(meta, position);
    else this.startAfresh(statistics, position, recordedAt);
    this.cube = statistics.cube;
    recordCube(this.cube, this.changes);
  }

  applied(state: State, event: RecordedEvent): void {
    if (this.cube === undefined || event.position <= this.lastPosition) return;
    const changes = this.changes.take();
    for (const entry of this.fresh) entry.firstPosition = event.position;
    this.pendingNodes.push(...this.fresh);
    this.fresh = [];
    if (changes !== undefined) this.markDirty(changes);
    const recordedMs = Date.parse(event.recordedAt);
    this.pendingLog.push([event.position, recordedMs, changes === undefined ? null : Buffer.from(changes.buffer, changes.byteOffset, changes.byteLength)]);
    if (event.type === 'AnnualTargetsSet') {
      const data = event.data as AnnualTargetsSetData;
      const targets = this.select(state).targets[data.regionCode]?.[String(data.year)];
      this.pendingTargets.push([data.regionCode, String(data.year), event.position, JSON.stringify(targets ?? {})]);
    }
    this.lastPosition = event.position;
    this.lastRecordedMs = recordedMs;
    if (++this.sinceCheckpoint >= this.checkpointEvery) this.checkpoint(event.position);
    if (this.pendingLog.length >= FLUSH_ROWS) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  failed(): void {
    this.changes.discard();
  }

  /** The last position folded (written or about to be), and the record time of its event. */
  override get head(): { readonly position: number; readonly recordedMs: number } {
    return { position: this.lastPosition, recordedMs: this.lastRecordedMs };
  }

  protected override beforeRead(): void {
    this.flush();
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.pendingLog.length === 0 && this.pendingNodes.length === 0 && this.pendingCells.length === 0 && this.pendingCheckpoints.length === 0) return;
    const { insertLog, insertNode, insertCell, insertCheckpoint, insertTargets, setPosition } = this.statements;
    const nodes = this.pendingNodes;
    const log = this.pendingLog;
    const cells = this.pendingCells;
    const checkpoints = this.pendingCheckpoints;
    const targets = this.pendingTargets;
    this.pendingNodes = [];
    this.pendingLog = [];
    this.pendingCells = [];
    this.pendingCheckpoints = [];
    this.pendingTargets = [];
    this.db.transaction(() => {
      for (const node of nodes) insertNode.run(node.id, node.regionCode, node.category, node.firstPosition);
      for (const row of log) insertLog.run(row[0], row[1], row[2]);
      for (const row of cells) insertCell.run(row[0], row[1], row[2], row[3]);
      for (const position of checkpoints) insertCheckpoint.run(position);
      for (const row of targets) insertTargets.run(row[0], row[1], row[2], row[3]);
      setPosition.run(this.lastPosition);
    })();
  }

  override close(): void {
    if (this.db.open) {
      this.flush();
      this.db.close();
    }
    if (this.cube !== undefined) recordCube(this.cube, undefined);
    this.cube = undefined;
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

  private markDirty(changes: Float64Array): void {
    for (let i = 0; i < changes.length; i += CHANGE_WIDTH) {
      const leaf = changes[i] as number;
      let keys = this.dirty.get(leaf);
      if (keys === undefined) this.dirty.set(leaf, (keys = new Set()));
      keys.add(changes[i + 1] as number);
    }
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
          this.pendingCells.push([id, key, position, JSON.stringify(cellValue(node, kind, period) ?? [])]);
        }
      }
    }
    this.dirty = new Map();
    this.sinceCheckpoint = 0;
    this.pendingCheckpoints.push(position);
  }

  /** Continues the history written up to `meta.position` from the snapshot at `position`. */
  private resumeAt(meta: Meta, position: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM statistics_log WHERE position > ?').run(position);
      this.db.prepare('DELETE FROM statistics_cells WHERE position > ?').run(position);
      this.db.prepare('DELETE FROM statistics_checkpoints WHERE position > ?').run(position);
      this.db.prepare('DELETE FROM statistics_nodes WHERE first_position > ?').run(position);
      this.db.prepare('DELETE FROM statistics_targets WHERE position > ?').run(position);
      this.statements.setPosition.run(position);
    })();
    this.meta = { ...meta, position };
    this.loadNodes();
    // Cells changed between the last checkpoint and the snapshot are written at the next one.
    this.dirty = new Map();
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

  /** Drops what was kept and starts at `position` with every cell of the state as it stands. */
  private startAfresh(statistics: PipelineState, position: number, recordedAt: string): void {
    const recordedMs = recordedAt === '' ? -8.64e15 : Date.parse(recordedAt);
    this.nodes.length = 0;
    this.nodeIds.clear();
    this.nodesByRegion.clear();
    this.dirty = new Map();
    this.sinceCheckpoint = 0;
    this.pendingNodes = [];
    this.fresh = [];
    this.pendingLog = [];
    this.pendingCells = [];
    this.pendingCheckpoints = [];
    this.pendingTargets = [];
    const { insertNode, insertCell, insertCheckpoint, insertTargets, setMeta } = this.statements;
    this.db.transaction(() => {
      for (const table of ['statistics_log', 'statistics_cells', 'statistics_checkpoints', 'statistics_nodes', 'statistics_targets']) {
        this.db.prepare(`DELETE FROM ${table}`).run();
      }
      setMeta.run(this.options.version, position, recordedMs, position);
      if (position === 0) return;
      for (const [code, byCategory] of Object.entries(statistics.cube)) {
        for (const [category, node] of Object.entries(byCategory)) {
          const entry: NodeEntry = { id: this.nodes.length, regionCode: code, category, firstPosition: position };
          this.remember(entry);
          insertNode.run(entry.id, code, category, position);
          for (const [period, cell] of Object.entries(node.pipeByMonth)) insertCell.run(entry.id, cellKey('pipe', period), position, JSON.stringify(cell));
          for (const [period, cell] of Object.entries(node.flowByMonth)) insertCell.run(entry.id, cellKey('flow', period), position, JSON.stringify(cell));
          for (const [period, list] of Object.entries(node.signings)) insertCell.run(entry.id, cellKey('signings', period), position, JSON.stringify(list));
        }
      }
      insertCheckpoint.run(position);
      for (const [code, byYear] of Object.entries(statistics.targets)) {
        for (const [year, targets] of Object.entries(byYear)) insertTargets.run(code, year, position, JSON.stringify(targets));
      }
    })();
    this.meta = { version: this.options.version, covers_from: position, covers_from_ms: recordedMs, position };
    this.lastPosition = position;
    this.lastRecordedMs = recordedMs;
  }

}

function nodeName(regionCode: RegionCode, category: string): string {
  return `${regionCode}\u0000${category}`;
}

function openWritable(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Lost to a power cut, it is written again from the snapshot before it: never a wrong answer.
  db.pragma('synchronous = NORMAL');
  applyStoreSchema(db, readModelSchemaVersions);
  return db;
}

/**
 * The history in `read-models.db` as last written, read only (the CLI, beside a running
 * server); undefined when the file keeps none of this read-model version.
 */
export function openStatisticsHistory(path: string, version: number): StatisticsHistoryReader | undefined {
  if (path === ':memory:' || !existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const hasHistory = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'statistics_history'").get() !== undefined;
  const reader = hasHistory ? new StatisticsHistoryReader(db) : undefined;
  if (reader === undefined || !reader.open(version)) {
    db.close();
    return undefined;
  }
  return reader;
}
