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
import { totalInvestmentOn, type ProjectFacts } from '../shared/project-facts.js';
import { endOfMonthKey } from '../../commands/shared/total-investment.js';
import { monthIndex, periodOfIndex } from '../shared/calendar.js';
import { forEachAmount } from '../shared/period-amounts.js';
import {
  COHORT_COMMISSIONED, COHORT_STARTED, COHORT_STARTED_SAME_YEAR, COMMISSIONED, COMPLETED_INVESTMENT,
  FOUR_SAME_YEAR, FUNDING_SECURED, FUNDS_ARRIVED, RESERVE, SIGNED, SIGNED_CONTRACT_IN_PLACE, SIGNED_FUNDS_ARRIVED, STARTED,
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
  const { ProjectRegistered: registered, ProjectSigned: signed, Started: started, Commissioned: commissioned } = f.dates;

  // Flows are valued at 总投资 on the milestone's date (DOMAIN.md).
  if (signed !== undefined) {
    const contract = f.contractInvestment ?? 0;
    const cohort = month(signed);
    addSized(nodes, cohort, SIGNED, contract, totalInvestmentOn(f, signed), sign);
    if (signings) addSigning(nodes, cohort, contract, sign);
    if (started !== undefined) {
      addPipe(nodes, cohort, COHORT_STARTED, sign);
      if (year(started) === year(signed)) addPipe(nodes, cohort, COHORT_STARTED_SAME_YEAR, sign);
      if (commissioned !== undefined) addPipe(nodes, cohort, COHORT_COMMISSIONED, sign);
    }
  }
  if (started !== undefined) {
    const total = totalInvestmentOn(f, started);
    addSized(nodes, month(started), STARTED, total, total, sign);
  }
  if (commissioned !== undefined) {
    const total = totalInvestmentOn(f, commissioned);
    addSized(nodes, month(commissioned), COMMISSIONED, total, total, sign);
  }
  if (registered !== undefined) applyReserve(nodes, f, registered, sign);

  const { LandAcquired: land, Completed: completed } = f.dates;
  if (land !== undefined && started !== undefined && completed !== undefined && commissioned !== undefined) {
    const y = year(land);
    if (year(started) === y && year(completed) === y && year(commissioned) === y) {
      const last = [land, started, completed, commissioned].reduce((a, b) => (a >= b ? a : b));
      addPipe(nodes, month(last), FOUR_SAME_YEAR, sign);
    }
  }
}

/**
 * 谋划储备 as a stock: in from the registration month, out in the month of the start or the
 * withdrawal, whichever first; at each month's end valued at 总投资 on that date (DOMAIN.md). The
 * cells hold changes, so a signing or an approval dated while the project is in the reserve
 * moves it, in that month, from its old value (and size class) to its new one: the months
 * before keep the value they had, whenever the approval was recorded.
 */
function applyReserve(nodes: readonly CubeNode[], f: ProjectFacts, registered: IsoDate, sign: Sign): void {
  const { Started: started, Withdrawn: withdrawn, ProjectSigned: signed, ProjectApproved: approved } = f.dates;
  const exit = started === undefined ? withdrawn : withdrawn === undefined || started <= withdrawn ? started : withdrawn;
  const entry = month(registered);
  const exitMonth = exit === undefined ? undefined : month(exit);
  const changes = [signed, approved]
    .filter((date): date is IsoDate => date !== undefined)
    .map(month)
    .filter((m) => m > entry && (exitMonth === undefined || m < exitMonth))
    .sort();
  let value = totalInvestmentOn(f, endOfMonthKey(entry));
  addSized(nodes, entry, RESERVE, value, value, sign);
  for (const change of changes) {
    const next = totalInvestmentOn(f, endOfMonthKey(change));
    if (next === value) continue;
    addSized(nodes, change, RESERVE, value, value, -sign);
    addSized(nodes, change, RESERVE, next, next, sign);
    value = next;
  }
  if (exitMonth !== undefined) addSized(nodes, exitMonth, RESERVE, value, value, -sign);
}

/**
 * 资金到位率 counts a project from its signing month to its withdrawal month (DOMAIN.md: a
 * withdrawn project leaves the numerator and the denominator from its withdrawal date on).
 * Returns the months funds arriving in `arrivalMonthIndex` enter and leave it (leave undefined
 * while not withdrawn); undefined for a project never signed. A withdrawal dated before the
 * signing (only a corrupt log has one) makes both the same month: never counted.
 */
export function fundsInPlaceSpan(arrivalMonthIndex: number, f: ProjectFacts): { readonly from: Period; readonly until: Period | undefined } | undefined {
  const signed = f.dates.ProjectSigned;
  if (signed === undefined) return undefined;
  const arrival = periodOfIndex(arrivalMonthIndex);
  const signing = month(signed);
  const from = arrival >= signing ? arrival : signing;
  const withdrawn = f.dates.Withdrawn;
  if (withdrawn === undefined) return { from, until: undefined };
  const out = month(withdrawn);
  return { from, until: out >= from ? out : from };
}

/** One arrival of funds in the funds-in-place numerator, over its span. */
export function addSignedFunds(nodes: readonly CubeNode[], f: ProjectFacts, arrivalMonthIndex: number, amount: Amount): void {
  const span = fundsInPlaceSpan(arrivalMonthIndex, f);
  if (span === undefined) return;
  addFlow(nodes, span.from, SIGNED_FUNDS_ARRIVED, amount);
  if (span.until !== undefined) addFlow(nodes, span.until, SIGNED_FUNDS_ARRIVED, -amount);
}

/** The funds-in-place rate's part of a signed project: its funds and its contract (moves with the signing and the withdrawal). */
export function applySignedFunds(nodes: readonly CubeNode[], f: ProjectFacts, sign: Sign): void {
  forEachAmount(f.fundsByMonth, (index, amount) => addSignedFunds(nodes, f, index, sign * amount));
  const signed = f.dates.ProjectSigned;
  if (signed === undefined) return;
  const contract = sign * (f.contractInvestment ?? 0);
  const span = fundsInPlaceSpan(monthIndex(signed), f);
  if (span === undefined) return;
  addFlow(nodes, span.from, SIGNED_CONTRACT_IN_PLACE, contract);
  if (span.until !== undefined) addFlow(nodes, span.until, SIGNED_CONTRACT_IN_PLACE, -contract);
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
