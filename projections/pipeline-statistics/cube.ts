/**
 * The statistics cube: for every region that holds a project and every ancestor of it
 * (GB/T 2260 roll-up: township → county → city → province → country, custom child region →
 * its parent), and every category, the pipe and flow cells by month and by year. Writing a
 * contribution into all ancestors (≤ 6 of them) makes a query for any region read only its
 * own node: no scan over child regions or projects.
 */
import type { Amount } from '../../commands/shared/money.js';
import type { Period } from '../../commands/shared/dates.js';
import { ancestorsOf, type RegionCode } from '../../commands/shared/region-code.js';
import { emptyCell, FLOW_WIDTH, PIPE_WIDTH, type Cell } from './cells.js';

export interface CubeNode {
  /** Pipe cells by month `YYYY-MM` and by year `YYYY` (the year cell is the sum of its months). */
  pipeByMonth: Record<Period, Cell>;
  pipeByYear: Record<string, Cell>;
  flowByMonth: Record<Period, Cell>;
  flowByYear: Record<string, Cell>;
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

/** The nodes a project in `regionCode` and `category` writes into. */
export function nodesFor(cube: Cube, regionCode: RegionCode, category: string): CubeNode[] {
  const chain = rollUpChain(regionCode);
  const nodes: CubeNode[] = new Array<CubeNode>(chain.length);
  for (let i = 0; i < chain.length; i++) {
    const code = chain[i] ?? regionCode;
    const byCategory = (cube[code] ??= {});
    nodes[i] = byCategory[category] ??= { pipeByMonth: {}, pipeByYear: {}, flowByMonth: {}, flowByYear: {}, signings: {} };
  }
  return nodes;
}

export function addPipe(nodes: readonly CubeNode[], period: Period, field: number, delta: number): void {
  const year = period.slice(0, 4);
  for (const node of nodes) {
    bump(node.pipeByMonth[period] ??= emptyCell(PIPE_WIDTH), field, delta);
    bump(node.pipeByYear[year] ??= emptyCell(PIPE_WIDTH), field, delta);
  }
}

export function addFlow(nodes: readonly CubeNode[], period: Period, field: number, delta: number): void {
  if (delta === 0) return;
  const year = period.slice(0, 4);
  for (const node of nodes) {
    bump(node.flowByMonth[period] ??= emptyCell(FLOW_WIDTH), field, delta);
    bump(node.flowByYear[year] ??= emptyCell(FLOW_WIDTH), field, delta);
  }
}

export function addSigning(nodes: readonly CubeNode[], period: Period, contract: Amount, sign: 1 | -1): void {
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
