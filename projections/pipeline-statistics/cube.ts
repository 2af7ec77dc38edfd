/**
 * The statistics cube: for every region that holds a project and every ancestor of it
 * (GB/T 2260 roll-up: township → county → city → province → country, custom child region →
 * its parent), and every category, the pipe and flow cells by month. Writing a
 * contribution into all ancestors (≤ 6 of them) makes a query for any region read only its
 * own node: no scan over child regions or projects.
 */
import type { Amount } from '../../commands/shared/money.js';
import type { Period } from '../../commands/shared/dates.js';
import { ancestorsOf, type RegionCode } from '../../commands/shared/region-code.js';
import { idRecord } from '../shared/id-record.js';
import { emptyCell, FLOW_WIDTH, PIPE_WIDTH, type Cell } from './cells.js';

export interface CubeNode {
  /**
   * Cells by month `YYYY-MM`. Running totals (the reserve, since-start sums) add up every month
   * to a date at query time: a node holds at most 12 cells a year, so that is cheaper than
   * keeping year cells up to date on every event.
   */
  pipeByMonth: Record<Period, Cell>;
  flowByMonth: Record<Period, Cell>;
  /** Contract investment of every signing, by signing month (for the largest signing). */
  signings: Record<Period, Amount[]>;
}

/** regionCode → category → node. */
export type Cube = Record<RegionCode, Record<string, CubeNode>>;

const ancestorCache = new Map<RegionCode, readonly RegionCode[]>();

/** ancestorsOf, memoised: a pure function of the code, asked on every event. */
export function rollUpChain(code: RegionCode): readonly RegionCode[] {
  let chain = ancestorCache.get(code);
  if (chain === undefined) {
    chain = ancestorsOf(code);
    if (ancestorCache.size > 100_000) ancestorCache.clear();
    ancestorCache.set(code, chain);
  }
  return chain;
}

/**
 * The nodes a project in `regionCode` and `category` writes into. Memoised per cube (nodes are
 * created once and never replaced, so the lists stay right); a deserialised cube is a new
 * object and starts a new memo.
 */
export function nodesFor(cube: Cube, regionCode: RegionCode, category: string): readonly CubeNode[] {
  let byRegion = nodeLists.get(cube);
  if (byRegion === undefined) nodeLists.set(cube, (byRegion = new Map()));
  let byCategory = byRegion.get(regionCode);
  if (byCategory === undefined) byRegion.set(regionCode, (byCategory = new Map()));
  let nodes = byCategory.get(category);
  if (nodes === undefined) byCategory.set(category, (nodes = makeNodes(cube, regionCode, category)));
  return nodes;
}

const nodeLists = new WeakMap<Cube, Map<RegionCode, Map<string, readonly CubeNode[]>>>();

function makeNodes(cube: Cube, regionCode: RegionCode, category: string): readonly CubeNode[] {
  const recorder = recorders.get(cube);
  const nodes = rollUpChain(regionCode).map((code) => {
    const byCategory = (cube[code] ??= idRecord());
    let node = byCategory[category];
    if (node === undefined) {
      byCategory[category] = node = { pipeByMonth: {}, flowByMonth: {}, signings: {} };
      recorder?.created(code, category);
    }
    return node;
  });
  if (recorder !== undefined) leaves.set(nodes, { id: recorder.leafId(regionCode, category), recorder });
  return nodes;
}

/** A cell of a node: the pipe or flow cell of a month, or the month's signings. */
export type CellKind = 'pipe' | 'flow' | 'signings';

/**
 * Told every change made to a cube (statistics-history.ts keeps them, stamped with the record
 * position, for "as of" answers that are an indexed read instead of a replay). A change is told
 * once, for the project's own node: the same change goes to every ancestor in `rollUpChain`.
 */
export interface CubeRecorder {
  /** A node appeared (a query lists the regions holding one). */
  created(regionCode: RegionCode, category: string): void;
  /** The number the recorder names a project's own node (region, category) by: asked once per chain. */
  leafId(regionCode: RegionCode, category: string): number;
  /** `delta` added to `field` of a month's pipe or flow cell; a signing's contract added (+) or taken out (−). */
  changed(leaf: number, kind: CellKind, period: Period, field: number, delta: number): void;
}

interface Leaf {
  readonly id: number;
  readonly recorder: CubeRecorder;
}

const recorders = new WeakMap<Cube, CubeRecorder>();
/** The project's own node of each chain nodesFor made while a recorder was attached. */
const leaves = new WeakMap<readonly CubeNode[], Leaf>();

/** From now on, every change to `cube` is told to `recorder` (none: no longer). */
export function recordCube(cube: Cube, recorder: CubeRecorder | undefined): void {
  if (recorder === undefined) recorders.delete(cube);
  else recorders.set(cube, recorder);
  // Chains made before carry no leaf (or an old one): made again on next use.
  nodeLists.delete(cube);
}

export function addPipe(nodes: readonly CubeNode[], period: Period, field: number, delta: number): void {
  const leaf = leaves.get(nodes);
  if (leaf !== undefined && delta !== 0) leaf.recorder.changed(leaf.id, 'pipe', period, field, delta);
  for (const node of nodes) bump(node.pipeByMonth[period] ??= emptyCell(PIPE_WIDTH), field, delta);
}

/** Adds to the six fields of a sized group at once (one cell lookup per node, not six). */
export function addPipeGroup(
  nodes: readonly CubeNode[], period: Period, group: number,
  count: number, amount: number, over1e8Count: number, over1e8Amount: number, over1e9Count: number, over1e9Amount: number,
): void {
  const leaf = leaves.get(nodes);
  if (leaf !== undefined) {
    const values = [count, amount, over1e8Count, over1e8Amount, over1e9Count, over1e9Amount];
    for (let i = 0; i < values.length; i++) {
      const delta = values[i] as number;
      if (delta !== 0) leaf.recorder.changed(leaf.id, 'pipe', period, group + i, delta);
    }
  }
  for (const node of nodes) {
    const cell = (node.pipeByMonth[period] ??= emptyCell(PIPE_WIDTH));
    cell[group] = (cell[group] ?? 0) + count;
    cell[group + 1] = (cell[group + 1] ?? 0) + amount;
    cell[group + 2] = (cell[group + 2] ?? 0) + over1e8Count;
    cell[group + 3] = (cell[group + 3] ?? 0) + over1e8Amount;
    cell[group + 4] = (cell[group + 4] ?? 0) + over1e9Count;
    cell[group + 5] = (cell[group + 5] ?? 0) + over1e9Amount;
  }
}

export function addFlow(nodes: readonly CubeNode[], period: Period, field: number, delta: number): void {
  if (delta === 0) return;
  const leaf = leaves.get(nodes);
  if (leaf !== undefined) leaf.recorder.changed(leaf.id, 'flow', period, field, delta);
  for (const node of nodes) bump(node.flowByMonth[period] ??= emptyCell(FLOW_WIDTH), field, delta);
}

export function addSigning(nodes: readonly CubeNode[], period: Period, contract: Amount, sign: 1 | -1): void {
  const leaf = leaves.get(nodes);
  if (leaf !== undefined) leaf.recorder.changed(leaf.id, 'signings', period, 0, sign * contract);
  for (const node of nodes) {
    const list = (node.signings[period] ??= []);
    if (sign === 1) list.push(contract);
    else {
      const at = list.indexOf(contract);
      if (at >= 0) list.splice(at, 1);
    }
  }
}

function bump(cell: Cell, field: number, delta: number): void {
  cell[field] = (cell[field] ?? 0) + delta;
}
