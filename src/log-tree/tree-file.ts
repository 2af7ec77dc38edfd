/**
 * The log's Merkle tree, persisted in SQLite (schema: migrations/log-tree/) so that a proof at
 * 10M events reads a few tiles instead of rehashing the log.
 *
 * Only the hashes at heights 0, 4, 8, … are stored, 256 to a tile (in the spirit of Go's
 * sumdb/tlog tiles): 32 bytes per leaf plus 1/16 of that above. Any other complete subtree's
 * hash is at most 3 levels above a stored one, so it is rehashed from at most 8 stored hashes
 * of one tile, and a proof at 10M leaves costs about a hundred SHA-256 calls. The right edge
 * (each level's partial tile) is held in memory and rewritten at each commit. Leaves map to
 * the log's positions through runs of consecutive positions.
 */
import type { Database } from 'better-sqlite3';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { logTreeSchemaVersions } from '../../migrations/log-tree/schema-versions.js';
import { HASH_SIZE, nodeHash, treeRoot, type Hash, type NodeSource } from './merkle.js';

/** Heights between stored levels: level L holds the hashes of subtrees of 2^(STRIDE·L) leaves. */
export const STRIDE = 4;
const FAN_IN = 2 ** STRIDE;
/** Hashes per tile (a multiple of FAN_IN, so a parent's children never straddle two tiles). */
export const TILE_WIDTH = 256;
const LEVEL_STRIDE = 2 ** 40;
const TILE_CACHE = 256;

interface Run {
  readonly firstLeaf: number;
  readonly firstPosition: number;
  length: number;
}

interface EdgeTile {
  /** The tile's index in its level. */
  index: number;
  /** Up to TILE_WIDTH hashes, back to back. */
  readonly hashes: Buffer;
  count: number;
  dirty: boolean;
}

export interface NewLeaf {
  readonly position: number;
  readonly hash: Hash;
}

export class TreeFile implements NodeSource {
  private readonly edge: EdgeTile[] = [];
  private readonly cache = new Map<number, Buffer>();
  private lastRun: Run | undefined;
  private readonly dirtyRuns = new Set<Run>();
  private readonly statements;
  size = 0;

  constructor(private readonly db: Database, options: { readonly readOnly?: boolean } = {}) {
    if (!options.readOnly) applyStoreSchema(db, logTreeSchemaVersions);
    this.statements = {
      tile: db.prepare<[number], { hashes: Buffer }>('SELECT hashes FROM tree_tiles WHERE id = ?'),
      lastTile: db.prepare<[number, number], { id: number; hashes: Buffer }>(
        'SELECT id, hashes FROM tree_tiles WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1'),
      putTile: db.prepare<[number, Buffer]>('INSERT OR REPLACE INTO tree_tiles (id, hashes) VALUES (?, ?)'),
      lastRun: db.prepare<[], { first_leaf: number; first_position: number; length: number }>(
        'SELECT first_leaf, first_position, length FROM tree_runs ORDER BY first_leaf DESC LIMIT 1'),
      runOfLeaf: db.prepare<[number], { first_leaf: number; first_position: number; length: number }>(
        'SELECT first_leaf, first_position, length FROM tree_runs WHERE first_leaf <= ? ORDER BY first_leaf DESC LIMIT 1'),
      runOfPosition: db.prepare<[number], { first_leaf: number; first_position: number; length: number }>(
        'SELECT first_leaf, first_position, length FROM tree_runs WHERE first_position <= ? ORDER BY first_position DESC LIMIT 1'),
      runsFrom: db.prepare<[number, number], { first_leaf: number; first_position: number; length: number }>(
        `SELECT first_leaf, first_position, length FROM tree_runs
         WHERE first_leaf >= (SELECT COALESCE(MAX(first_leaf), 0) FROM tree_runs WHERE first_leaf <= ?)
         ORDER BY first_leaf LIMIT ?`),
      putRun: db.prepare<[number, number, number]>('INSERT OR REPLACE INTO tree_runs (first_leaf, first_position, length) VALUES (?, ?, ?)'),
      checkpoint: db.prepare<[], { size: number; note: string }>('SELECT size, note FROM tree_checkpoint WHERE id = 1'),
      putCheckpoint: db.prepare<[number, string]>('INSERT OR REPLACE INTO tree_checkpoint (id, size, note) VALUES (1, ?, ?)'),
      pageCount: db.prepare<[], { bytes: number }>('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()'),
    };
    this.reload();
  }

  /** Reads the size and the right edge from the file (at open, and to follow another writer). */
  reload(): void {
    // Full tiles never change: the cache stays. The right edge and the last run are read again.
    this.dirtyRuns.clear();
    const run = this.statements.lastRun.get();
    this.lastRun = run === undefined ? undefined : { firstLeaf: run.first_leaf, firstPosition: run.first_position, length: run.length };
    this.size = run === undefined ? 0 : run.first_leaf + run.length;
    this.edge.length = 0;
    for (let level = 0, count = this.size; count > 0; level += 1, count = Math.floor(count / FAN_IN)) {
      const index = Math.floor(count / TILE_WIDTH);
      const stored = this.statements.tile.get(level * LEVEL_STRIDE + index)?.hashes;
      const hashes = Buffer.alloc(TILE_WIDTH * HASH_SIZE);
      const filled = count % TILE_WIDTH;
      if (filled > 0) {
        if (stored === undefined || stored.length < filled * HASH_SIZE) {
          throw new TreeFileDamaged(`the tree's tile ${level}/${index} should hold ${filled} hashes`);
        }
        stored.copy(hashes, 0, 0, filled * HASH_SIZE);
      }
      this.edge.push({ index, hashes, count: filled, dirty: false });
    }
  }

  /** The position of the last leaf (0 when the tree is empty). */
  get lastPosition(): number {
    const run = this.lastRun;
    return run === undefined ? 0 : run.firstPosition + run.length - 1;
  }

  /** Appends leaves, in log order, in one transaction. */
  append(leaves: readonly NewLeaf[]): void {
    if (leaves.length === 0) return;
    this.db.transaction(() => {
      for (const leaf of leaves) this.appendOne(leaf);
      this.flush();
    }).immediate();
  }

  private appendOne(leaf: NewLeaf): void {
    if (leaf.position <= this.lastPosition && this.size > 0) {
      throw new RangeError(`leaf at position ${leaf.position} after ${this.lastPosition}: the tree follows the log in order`);
    }
    const run = this.lastRun;
    if (run !== undefined && leaf.position === run.firstPosition + run.length) {
      run.length += 1;
      this.dirtyRuns.add(run);
    } else {
      const fresh = { firstLeaf: this.size, firstPosition: leaf.position, length: 1 };
      this.lastRun = fresh;
      this.dirtyRuns.add(fresh);
    }
    this.size += 1;
    let hash = leaf.hash;
    for (let level = 0; ; level += 1) {
      const tile = this.edgeTile(level);
      hash.copy(tile.hashes, tile.count * HASH_SIZE);
      tile.count += 1;
      tile.dirty = true;
      // Every FAN_IN entries complete one entry of the level above.
      const parent = tile.count % FAN_IN === 0 ? subtreeOf(tile.hashes, tile.count - FAN_IN, STRIDE) : undefined;
      if (tile.count === TILE_WIDTH) {
        this.statements.putTile.run(level * LEVEL_STRIDE + tile.index, Buffer.from(tile.hashes));
        tile.index += 1;
        tile.count = 0;
        tile.dirty = false;
      }
      if (parent === undefined) break;
      hash = parent;
    }
  }

  private edgeTile(level: number): EdgeTile {
    let tile = this.edge[level];
    if (tile === undefined) {
      tile = { index: 0, hashes: Buffer.alloc(TILE_WIDTH * HASH_SIZE), count: 0, dirty: false };
      this.edge[level] = tile;
    }
    return tile;
  }

  private flush(): void {
    for (const [level, tile] of this.edge.entries()) {
      if (!tile.dirty) continue;
      this.statements.putTile.run(level * LEVEL_STRIDE + tile.index, tile.hashes.subarray(0, tile.count * HASH_SIZE));
      tile.dirty = false;
    }
    for (const run of this.dirtyRuns) this.statements.putRun.run(run.firstLeaf, run.firstPosition, run.length);
    this.dirtyRuns.clear();
  }

  /** NodeSource: the hash of the complete subtree (height, index), from one tile. */
  node(height: number, index: number): Hash {
    const level = Math.floor(height / STRIDE);
    const below = height - level * STRIDE;
    const first = index * 2 ** below;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const offset = first - tileIndex * TILE_WIDTH;
    const hashes = this.tileHashes(level, tileIndex, offset + 2 ** below);
    return subtreeOf(hashes, offset, below);
  }

  private tileHashes(level: number, index: number, needed: number): Buffer {
    const tile = this.edge[level];
    if (tile !== undefined && tile.index === index) {
      if (tile.count < needed) throw new RangeError(`no complete subtree there: tile ${level}/${index} has ${tile.count} hashes`);
      return tile.hashes;
    }
    const id = level * LEVEL_STRIDE + index;
    let hashes = this.cache.get(id);
    if (hashes === undefined) {
      hashes = this.statements.tile.get(id)?.hashes;
      if (hashes === undefined) throw new TreeFileDamaged(`the tree has no tile ${level}/${index}`);
      if (this.cache.size >= TILE_CACHE) this.cache.delete(this.cache.keys().next().value ?? id);
      this.cache.set(id, hashes);
    }
    if (hashes.length < needed * HASH_SIZE) throw new TreeFileDamaged(`the tree's tile ${level}/${index} is short`);
    return hashes;
  }

  leafHash(index: number): Hash {
    return this.node(0, index);
  }

  root(size = this.size): Hash {
    return treeRoot(this, size);
  }

  /** The log position of leaf `index`. */
  positionOf(index: number): number | undefined {
    if (index < 0 || index >= this.size) return undefined;
    const run = this.statements.runOfLeaf.get(index);
    return run === undefined || index >= run.first_leaf + run.length ? undefined : run.first_position + (index - run.first_leaf);
  }

  /** The leaf of the event at `position`, when the tree has it. */
  leafIndexOf(position: number): number | undefined {
    const run = this.statements.runOfPosition.get(position);
    if (run === undefined || position >= run.first_position + run.length) return undefined;
    return run.first_leaf + (position - run.first_position);
  }

  /** Leaves [from, to) with their positions, in order (verification walks them beside the log). */
  positions(from: number, to: number): Array<{ leaf: number; position: number }> {
    const out: Array<{ leaf: number; position: number }> = [];
    const end = Math.min(to, this.size);
    let leaf = from;
    while (leaf < end) {
      const runs = this.statements.runsFrom.all(leaf, 1024);
      if (runs.length === 0) break;
      for (const run of runs) {
        for (let i = Math.max(0, leaf - run.first_leaf); i < run.length && run.first_leaf + i < end; i += 1) {
          out.push({ leaf: run.first_leaf + i, position: run.first_position + i });
        }
        leaf = Math.max(leaf, Math.min(end, run.first_leaf + run.length));
        if (leaf >= end) break;
      }
    }
    return out;
  }

  saveCheckpoint(size: number, note: string): void {
    this.statements.putCheckpoint.run(size, note);
  }

  savedCheckpoint(): { size: number; note: string } | undefined {
    return this.statements.checkpoint.get();
  }

  /** The file's size in bytes (the storage benchmark). */
  bytes(): number {
    return this.statements.pageCount.get()?.bytes ?? 0;
  }
}

/** The hash of the 2^height hashes starting at entry `offset` of a tile. */
function subtreeOf(hashes: Buffer, offset: number, height: number): Hash {
  let level: Hash[] = [];
  const width = 2 ** height;
  for (let i = 0; i < width; i += 1) {
    const start = (offset + i) * HASH_SIZE;
    level.push(hashes.subarray(start, start + HASH_SIZE));
  }
  while (level.length > 1) {
    const up: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i];
      const right = level[i + 1];
      if (left === undefined || right === undefined) throw new RangeError('a subtree of odd width');
      up.push(nodeHash(left, right));
    }
    level = up;
  }
  const [only] = level;
  if (only === undefined) throw new RangeError('an empty subtree');
  return Buffer.from(only);
}

/** The tree file does not hold what its own size says it must: it was edited or cut short. */
export class TreeFileDamaged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeFileDamaged';
  }
}
