/**
 * What one project contributes to the cube, as functions of its facts. A change to a fact
 * that a contribution depends on is applied as: retract the contribution (sign −1), update the
 * facts, apply it again (sign +1). That is how a MilestoneDateCorrected moves a project from
 * one period to another, an approval moves it to another size class, and a DetailsCorrected
 * moves it to another region or category; additive flows (monthly reports, funds) are added
 * directly, so the frequent events cost O(1).
 */
import { YI, type Amount } from '../../commands/shared/money.js';
import type { IsoDate, Period } from '../../commands/shared/dates.js';
import { totalInvestment, type ProjectFacts } from '../shared/project-facts.js';
import { periodOfIndex } from '../shared/calendar.js';
import { forEachAmount } from '../shared/period-amounts.js';
import {
  COHORT_COMMISSIONED, COHORT_STARTED, COHORT_STARTED_SAME_YEAR, COMMISSIONED, COMPLETED_INVESTMENT,
  FOUR_SAME_YEAR, FUNDING_SECURED, FUNDS_ARRIVED, RESERVE, SIGNED, SIGNED_FUNDS_ARRIVED, STARTED,
} from './cells.js';
import { addFlow, addPipe, addPipeGroup, addSigning, type CubeNode } from './cube.js';

export type Sign = 1 | -1;

const TEN_YI = 10 * YI;

const month = (date: IsoDate): Period => date.slice(0, 7);
const year = (date: IsoDate): string => date.slice(0, 4);

/**
 * Adds a project to a sized group: count and `amount`, split by size class. The size class
 * follows 总投资 (DOMAIN.md) even where the amount summed is the contract investment.
 */
function addSized(nodes: readonly CubeNode[], period: Period, group: number, amount: Amount, size: Amount, sign: number): void {
  const over1e8 = size >= YI ? sign : 0;
  const over1e9 = size >= TEN_YI ? sign : 0;
  addPipeGroup(nodes, period, group, sign, sign * amount, over1e8, over1e8 * amount, over1e9, over1e9 * amount);
}

/**
 * Signed, started, commissioned, reserve, signing cohort and 四个当年; with `signings`, also the
 * signing's entry in the largest-signing lists (only the signing date, the contract, the region
 * and the category move it, and those lists are the one part that is not O(1) to update).
 */
export function applyMilestones(nodes: readonly CubeNode[], f: ProjectFacts, sign: Sign, signings = true): void {
  const total = totalInvestment(f);
  const { ProjectRegistered: registered, ProjectSigned: signed, Started: started, Commissioned: commissioned } = f.dates;

  if (signed !== undefined) {
    const contract = f.contractInvestment ?? 0;
    const cohort = month(signed);
    addSized(nodes, cohort, SIGNED, contract, total, sign);
    if (signings) addSigning(nodes, cohort, contract, sign);
    if (started !== undefined) {
      addPipe(nodes, cohort, COHORT_STARTED, sign);
      if (year(started) === year(signed)) addPipe(nodes, cohort, COHORT_STARTED_SAME_YEAR, sign);
      if (commissioned !== undefined) addPipe(nodes, cohort, COHORT_COMMISSIONED, sign);
    }
  }
  if (started !== undefined) addSized(nodes, month(started), STARTED, total, total, sign);
  if (commissioned !== undefined) addSized(nodes, month(commissioned), COMMISSIONED, total, total, sign);

  // 谋划储备 as a stock: in from registration, out at the start or the withdrawal, whichever first.
  if (registered !== undefined) {
    addSized(nodes, month(registered), RESERVE, total, total, sign);
    const withdrawn = f.dates.Withdrawn;
    const exit = started === undefined ? withdrawn : withdrawn === undefined || started <= withdrawn ? started : withdrawn;
    if (exit !== undefined) addSized(nodes, month(exit), RESERVE, total, total, -sign);
  }

  const { LandAcquired: land, Completed: completed } = f.dates;
  if (land !== undefined && started !== undefined && completed !== undefined && commissioned !== undefined) {
    const y = year(land);
    if (year(started) === y && year(completed) === y && year(commissioned) === y) {
      const last = [land, started, completed, commissioned].reduce((a, b) => (a >= b ? a : b));
      addPipe(nodes, month(last), FOUR_SAME_YEAR, sign);
    }
  }
}

/** The month a signed project's funds count as "in place": the later of arrival and signing. */
export function signedFundsMonth(arrivalMonthIndex: number, f: ProjectFacts): Period | undefined {
  const signed = f.dates.ProjectSigned;
  if (signed === undefined) return undefined;
  const arrival = periodOfIndex(arrivalMonthIndex);
  const signing = month(signed);
  return arrival >= signing ? arrival : signing;
}

/** Funds arrived of a signed project, placed by signedFundsMonth (moves with the signing date). */
export function applySignedFunds(nodes: readonly CubeNode[], f: ProjectFacts, sign: Sign): void {
  forEachAmount(f.fundsByMonth, (index, amount) => {
    const period = signedFundsMonth(index, f);
    if (period !== undefined) addFlow(nodes, period, SIGNED_FUNDS_ARRIVED, sign * amount);
  });
}

/** Every flow of the project (when it moves to another region or category). */
export function applyFlows(nodes: readonly CubeNode[], f: ProjectFacts, sign: Sign): void {
  forEachAmount(f.reported, (index, amount) => addFlow(nodes, periodOfIndex(index), COMPLETED_INVESTMENT, sign * amount));
  forEachAmount(f.fundsByMonth, (index, amount) => addFlow(nodes, periodOfIndex(index), FUNDS_ARRIVED, sign * amount));
  forEachAmount(f.securedByMonth, (index, amount) => addFlow(nodes, periodOfIndex(index), FUNDING_SECURED, sign * amount));
  applySignedFunds(nodes, f, sign);
}

export function applyEverything(nodes: readonly CubeNode[], f: ProjectFacts, sign: Sign): void {
  applyMilestones(nodes, f, sign);
  applyFlows(nodes, f, sign);
}
