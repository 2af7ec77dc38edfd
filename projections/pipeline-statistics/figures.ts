/**
 * Raw figures (counts and integer Amounts) of one region, optional category and period, read
 * from the cube: sums of month cells over the period, and running totals of every month cell
 * up to the period's end.
 */
import type { Amount } from '../../commands/shared/money.js';
import { periodOfIndex } from '../shared/calendar.js';
import {
  COHORT_COMMISSIONED, COHORT_STARTED, COHORT_STARTED_SAME_YEAR, COMMISSIONED, COMPLETED_INVESTMENT, COUNT, emptyCell,
  FLOW_WIDTH, FOUR_SAME_YEAR, FUNDING_SECURED, FUNDS_ARRIVED, PIPE_WIDTH, RESERVE, SIGNED, SIGNED_CONTRACT_IN_PLACE, SIGNED_FUNDS_ARRIVED,
  SIZED_WIDTH, STARTED, AMOUNT, type Cell,
} from './cells.js';
import type { CubeNode } from './cube.js';
import type { ResolvedPeriod } from './periods.js';

/** count, Σ amount, then the same for ≥ 1 亿 and ≥ 10 亿 (cells.ts, sized group). */
export type Sized = readonly number[];

export interface Figures {
  readonly signed: Sized;
  readonly started: Sized;
  readonly commissioned: Sized;
  /** As at the end of the period. */
  readonly reserve: Sized;
  readonly largestSigning: Amount;
  readonly completed: { readonly period: Amount; readonly ytd: Amount; readonly sinceStart: Amount };
  readonly fundsArrived: { readonly period: Amount; readonly ytd: Amount; readonly sinceStart: Amount };
  readonly fundingSecured: { readonly period: Amount; readonly ytd: Amount };
  /** Funds arrived by the period's end of the projects signed and not withdrawn by then, and their Σ contract. */
  readonly fundsInPlace: { readonly arrived: Amount; readonly contract: Amount };
  /** The cohort signed in the period: how many, and of them how many started / commissioned / started that year. */
  readonly cohort: { readonly signed: number; readonly started: number; readonly commissioned: number; readonly startedSameYear: number };
  readonly fourSameYear: number;
}

export function readFigures(nodes: readonly CubeNode[], period: ResolvedPeriod): Figures {
  const months = monthKeys(period.from, period.to);
  const ytdMonths = monthKeys(period.year * 12, period.to);
  const pipe = sumMonths(nodes, 'pipeByMonth', PIPE_WIDTH, months);
  const flow = sumMonths(nodes, 'flowByMonth', FLOW_WIDTH, months);
  const flowYtd = sumMonths(nodes, 'flowByMonth', FLOW_WIDTH, ytdMonths);
  const pipeStock = runningTotal(nodes, 'pipeByMonth', PIPE_WIDTH, period.stockAt);
  const flowStock = runningTotal(nodes, 'flowByMonth', FLOW_WIDTH, period.stockAt);
  return {
    signed: pipe.slice(SIGNED, SIGNED + SIZED_WIDTH),
    started: pipe.slice(STARTED, STARTED + SIZED_WIDTH),
    commissioned: pipe.slice(COMMISSIONED, COMMISSIONED + SIZED_WIDTH),
    reserve: pipeStock.slice(RESERVE, RESERVE + SIZED_WIDTH),
    largestSigning: largestSigning(nodes, months),
    completed: {
      period: at(flow, COMPLETED_INVESTMENT),
      ytd: at(flowYtd, COMPLETED_INVESTMENT),
      sinceStart: at(flowStock, COMPLETED_INVESTMENT),
    },
    fundsArrived: {
      period: at(flow, FUNDS_ARRIVED),
      ytd: at(flowYtd, FUNDS_ARRIVED),
      sinceStart: at(flowStock, FUNDS_ARRIVED),
    },
    fundingSecured: { period: at(flow, FUNDING_SECURED), ytd: at(flowYtd, FUNDING_SECURED) },
    fundsInPlace: { arrived: at(flowStock, SIGNED_FUNDS_ARRIVED), contract: at(flowStock, SIGNED_CONTRACT_IN_PLACE) },
    cohort: {
      signed: at(pipe, SIGNED + COUNT),
      started: at(pipe, COHORT_STARTED),
      commissioned: at(pipe, COHORT_COMMISSIONED),
      startedSameYear: at(pipe, COHORT_STARTED_SAME_YEAR),
    },
    fourSameYear: at(pipe, FOUR_SAME_YEAR),
  };
}

export function at(cell: readonly number[], field: number): number {
  return cell[field] ?? 0;
}

function monthKeys(from: number, to: number): string[] {
  const keys: string[] = [];
  for (let index = from; index <= to; index++) keys.push(periodOfIndex(index));
  return keys;
}

type MonthTable = 'pipeByMonth' | 'flowByMonth';

function sumMonths(nodes: readonly CubeNode[], table: MonthTable, width: number, months: readonly string[]): Cell {
  const sum = emptyCell(width);
  for (const node of nodes) for (const month of months) addInto(sum, node[table][month]);
  return sum;
}

/** Σ of every month cell up to the end of month `to` (`YYYY-MM` keys compare as strings). */
function runningTotal(nodes: readonly CubeNode[], table: MonthTable, width: number, to: number): Cell {
  const sum = emptyCell(width);
  const last = periodOfIndex(to);
  for (const node of nodes) {
    const cells = node[table];
    for (const month in cells) if (month <= last) addInto(sum, cells[month]);
  }
  return sum;
}

function addInto(sum: Cell, cell: Cell | undefined): void {
  if (cell === undefined) return;
  for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] ?? 0) + (cell[i] ?? 0);
}

function largestSigning(nodes: readonly CubeNode[], months: readonly string[]): Amount {
  let largest = 0;
  for (const node of nodes) {
    for (const month of months) for (const contract of node.signings[month] ?? []) if (contract > largest) largest = contract;
  }
  return largest;
}
