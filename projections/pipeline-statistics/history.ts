/**
 * The statistics cube's changes, event by event, in a form that can be kept and summed later
 * (the runner's statistics-history.ts keeps them in SQLite, stamped with each event's record
 * position): "as of" a record time is then the cube's cells at the last checkpoint before it
 * plus the changes recorded since, never a replay of the facts.
 *
 * A change is told once, for the project's own node (region, category); it applies alike to
 * every node of `rollUpChain(region)` in that category, exactly as the fold adds it.
 * A cell is addressed by a number: kind × 100,000 + month index (calendar.ts).
 */
import type { Period } from '../../commands/shared/dates.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import { monthIndex, periodOfIndex } from '../shared/calendar.js';
import { emptyCell, FLOW_WIDTH, PIPE_WIDTH } from './cells.js';
import { rollUpChain, type CellKind, type CubeNode, type CubeRecorder } from './cube.js';

const KIND_CODE: Readonly<Record<CellKind, number>> = { pipe: 0, flow: 1, signings: 2 };
const KINDS: readonly CellKind[] = ['pipe', 'flow', 'signings'];
const KIND_SPAN = 100_000;

/** Every signings cell's key is at least this (pipe and flow cells' are below). */
export const SIGNINGS_KEYS_FROM = KIND_CODE.signings * KIND_SPAN;

export function cellKey(kind: CellKind, period: Period): number {
  return KIND_CODE[kind] * KIND_SPAN + monthIndex(period);
}

export function cellOfKey(key: number): { readonly kind: CellKind; readonly period: Period } {
  const kind = KINDS[Math.floor(key / KIND_SPAN)];
  if (kind === undefined) throw new Error(`not a statistics cell key: ${key}`);
  return { kind, period: periodOfIndex(key % KIND_SPAN) };
}

/** A node's cell (pipe and flow: the field values; signings: the contracts), undefined when it has none. */
export function cellValue(node: CubeNode, kind: CellKind, period: Period): readonly number[] | undefined {
  switch (kind) {
    case 'pipe': return node.pipeByMonth[period];
    case 'flow': return node.flowByMonth[period];
    case 'signings': return node.signings[period];
  }
}

export function setCell(node: CubeNode, kind: CellKind, period: Period, value: number[]): void {
  switch (kind) {
    case 'pipe': node.pipeByMonth[period] = value; return;
    case 'flow': node.flowByMonth[period] = value; return;
    case 'signings': node.signings[period] = value; return;
  }
}

export function emptyNode(): CubeNode {
  return { pipeByMonth: {}, flowByMonth: {}, signings: {} };
}

/** Applies one recorded change to a node, as cube.ts's add functions do. */
export function applyChange(node: CubeNode, key: number, field: number, delta: number): void {
  const { kind, period } = cellOfKey(key);
  if (kind === 'signings') {
    const list = (node.signings[period] ??= []);
    if (delta > 0) list.push(delta);
    else {
      const at = list.indexOf(-delta);
      if (at >= 0) list.splice(at, 1);
    }
    return;
  }
  const cell = kind === 'pipe' ? (node.pipeByMonth[period] ??= emptyCell(PIPE_WIDTH)) : (node.flowByMonth[period] ??= emptyCell(FLOW_WIDTH));
  cell[field] = (cell[field] ?? 0) + delta;
}

/** Changes are kept as [leaf node id, cell key, field, delta] × n. */
export const CHANGE_WIDTH = 4;

/** Where events' changes are appended, one after the other (one allocation per many events). */
export class ChangeBuffer {
  array = new Float64Array(1 << 16);
  length = 0;

  /** The array, with room for `count` more numbers after `length`. */
  room(count: number): Float64Array {
    if (this.length + count > this.array.length) {
      const grown = new Float64Array(Math.max(this.array.length * 2, this.length + count));
      grown.set(this.array.subarray(0, this.length));
      this.array = grown;
    }
    return this.array;
  }
}

/**
 * Gathers the changes of the event being folded (the cube's recorder): the pipe and flow
 * changes summed per cell field (a retraction and its re-application cancel out), signings in
 * order (a list, not a sum). `take` hands them over once the event is folded.
 */
export class EventChanges implements CubeRecorder {
  /** Pipe and flow changes as told, summed per cell field when taken. */
  private readonly sums: number[] = [];
  private readonly signings: number[] = [];

  /** `idOf` names a node (region, category) by a number, the same for good. */
  constructor(private readonly idOf: (regionCode: RegionCode, category: string) => number) {}

  created(regionCode: RegionCode, category: string): void {
    this.idOf(regionCode, category);
  }

  leafId(regionCode: RegionCode, category: string): number {
    return this.idOf(regionCode, category);
  }

  changed(leaf: number, kind: CellKind, period: Period, field: number, delta: number): void {
    const key = cellKey(kind, period);
    if (kind === 'signings') this.signings.push(leaf, key, 0, delta);
    else this.sums.push(leaf, key, field, delta);
  }

  /**
   * Appends the event's changes to `into` and answers how many numbers that is (0: none); the
   * recorder starts afresh.
   */
  take(into: ChangeBuffer): number {
    cancelOut(this.signings);
    const sums = this.sums;
    // Summed per cell field in place: an event tells a few dozen changes at most.
    let kept = 0;
    for (let i = 0; i < sums.length; i += CHANGE_WIDTH) {
      const leaf = sums[i] as number;
      const key = sums[i + 1] as number;
      const field = sums[i + 2] as number;
      let j = 0;
      while (j < kept && !(sums[j] === leaf && sums[j + 1] === key && sums[j + 2] === field)) j += CHANGE_WIDTH;
      if (j < kept) sums[j + 3] = (sums[j + 3] as number) + (sums[i + 3] as number);
      else {
        if (kept !== i) {
          sums[kept] = leaf;
          sums[kept + 1] = key;
          sums[kept + 2] = field;
          sums[kept + 3] = sums[i + 3] as number;
        }
        kept += CHANGE_WIDTH;
      }
    }
    let count = this.signings.length;
    for (let j = 0; j < kept; j += CHANGE_WIDTH) if (sums[j + 3] !== 0) count += CHANGE_WIDTH;
    if (count === 0) {
      sums.length = 0;
      this.signings.length = 0;
      return 0;
    }
    const changes = into.room(count);
    const start = into.length;
    let at = start;
    for (let j = 0; j < kept; j += CHANGE_WIDTH) {
      if (sums[j + 3] === 0) continue;
      changes[at++] = sums[j] as number;
      changes[at++] = sums[j + 1] as number;
      changes[at++] = sums[j + 2] as number;
      changes[at++] = sums[j + 3] as number;
    }
    changes.set(this.signings, at);
    into.length = start + count;
    sums.length = 0;
    this.signings.length = 0;
    return count;
  }

  /** Forgets a half-folded event's changes (its fold threw). */
  discard(): void {
    this.sums.length = 0;
    this.signings.length = 0;
  }
}

/** A signing taken out again in the same event (a retraction re-applied) leaves nothing to keep. */
function cancelOut(signings: number[]): void {
  for (let i = 0; i < signings.length; i += CHANGE_WIDTH) {
    const delta = signings[i + 3] as number;
    if (delta <= 0) continue;
    for (let j = i + CHANGE_WIDTH; j < signings.length; j += CHANGE_WIDTH) {
      if (signings[j] === signings[i] && signings[j + 1] === signings[i + 1] && signings[j + 3] === -delta) {
        signings.splice(j, CHANGE_WIDTH);
        signings.splice(i, CHANGE_WIDTH);
        i -= CHANGE_WIDTH;
        break;
      }
    }
  }
}

/** Whether a change to `leafRegion`'s node is also a change to `regionCode`'s (its own, or an ancestor's). */
export function rollsUpTo(leafRegion: RegionCode, regionCode: RegionCode): boolean {
  return rollUpChain(leafRegion).includes(regionCode);
}
