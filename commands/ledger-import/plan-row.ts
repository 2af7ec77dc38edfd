/**
 * What one ledger row appends to its project: its events, in date order (same-day events in
 * stage order), each decided by the project decider on the state the ones before it left, as
 * the REST commands are. A row that breaks a rule is refused whole, naming the rule and the
 * cell of the event it refused. Pure: the state, the clock and the project id come in.
 *
 * A project that exists gets only what it has not recorded (idempotent imports):
 * - a milestone already reached is skipped (a different date is noted, never changed: that is
 *   a MilestoneDateCorrected with a reason);
 * - a month of completed investment already reported is skipped (a different amount noted);
 * - funds arrived and funding secured are sums: a project that has recorded any gets none from
 *   the file (a different total is noted), so the same file twice never counts them twice;
 * - a stall or resumption recorded on the same date is skipped;
 * - registration fields that differ are noted (DetailsCorrected changes them).
 */
import { DomainRuleBroken, type Decided } from '../decider.js';
import type { Clock } from '../shared/clock.js';
import type { IsoDate } from '../shared/dates.js';
import { amountToWan } from '../shared/money.js';
import type { StoredEvent } from '../decider.js';
import type { MilestoneEvent, ScheduledBatch } from '../project/commands.js';
import { projectDecider } from '../project/decider.js';
import type { ProjectEvent, ProjectEventType } from '../project/events.js';
import type { ProjectState, RegisteredProject } from '../project/state.js';
import type { CellSource, ImpliedEvent, ImpliedMilestone, LedgerRecord } from './ledger-record.js';

export type RowPlan =
  | { readonly kind: 'append'; readonly events: readonly Decided<ProjectEvent>[]; readonly state: ProjectState; readonly notes: readonly string[] }
  | { readonly kind: 'unchanged'; readonly notes: readonly string[] }
  | { readonly kind: 'refused'; readonly rule: string; readonly message: string; readonly source: CellSource };

/** Same-day events in the order the stages allow them. */
const SAME_DAY_ORDER: readonly ProjectEventType[] = [
  'ProjectRegistered', 'NegotiationOpened', 'ProjectSigned', 'ProjectApproved', 'LandAcquired', 'Started',
  'StatisticsEntered', 'InvestmentReported', 'FundsArrived', 'FundingSecured', 'Completed', 'Commissioned',
  'FullProductionReached', 'Stalled', 'Resumed', 'Withdrawn',
];

export function planRow(
  record: LedgerRecord, projectId: string, current: { readonly state: ProjectState; readonly events: readonly StoredEvent[] }, clock: Clock,
  namedBatch?: ScheduledBatch,
): RowPlan {
  const decided: Decided<ProjectEvent>[] = [];
  const notes = [...record.notes];
  let state = current.state;
  const decide = (command: Parameters<typeof projectDecider.decide>[0], source: CellSource): RowPlan | undefined => {
    try {
      for (const event of projectDecider.decide(command, state)) {
        decided.push(event);
        state = projectDecider.evolve(state, event);
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof DomainRuleBroken)) throw error;
      return { kind: 'refused', rule: error.rule, message: error.message, source };
    }
  };

  const milestones = inDecisionOrder(record.milestones);
  if (state.status === 'unregistered') {
    const earliest = record.milestones.map((m) => m.event.data.occurredOn).sort()[0];
    const occurredOn = record.registeredOn ?? earliest ?? clock.today;
    if (record.registeredOn === undefined) {
      notes.push(`登记日期 not given: registered on ${occurredOn}, ${earliest === undefined ? 'today (the row has no date)' : 'the row\'s earliest date'}`);
    }
    const refused = decide({ type: 'RegisterProject', data: { ...record.registration, projectId, occurredOn }, ...clock }, record.source);
    if (refused) return refused;
  } else {
    notes.push(...registrationDifferences(record, state));
  }
  const recorded = current.events;
  if (current.state.status === 'registered') notes.push(...sumDifferences(record, current.state, recorded));
  for (const milestone of milestones) {
    if (state.status === 'registered' && current.state.status === 'registered') {
      const skip = alreadyRecorded(milestone.event, current.state, recorded);
      if (skip !== undefined) {
        if (skip !== '') notes.push(`${milestone.source.column} (${milestone.source.cell}): ${skip}`);
        continue;
      }
    }
    const event = { type: milestone.event.type, data: { ...milestone.event.data, projectId } } as MilestoneEvent;
    const refused = decide({ type: 'PostMilestone', event, ...clock, ...(namedBatch === undefined ? {} : { namedBatch }) }, milestone.source);
    if (refused) return refused;
  }
  return decided.length === 0 ? { kind: 'unchanged', notes } : { kind: 'append', events: decided, state, notes };
}

/**
 * Date order, same-day events in stage order; but a stage milestone is never decided before a
 * stage the row gives before it (竣工 dated before 开工 is decided after it): the decider then
 * names the dates (milestone-dates-in-order), not a skipped stage the row does have.
 */
function inDecisionOrder(milestones: readonly ImpliedMilestone[]): ImpliedMilestone[] {
  const stageDates = new Map<ProjectEventType, IsoDate>();
  let latest: IsoDate | undefined;
  for (const type of STAGE_ORDER) {
    const own = milestones.find((m) => m.event.type === type)?.event.data.occurredOn;
    if (own === undefined) continue;
    latest = latest !== undefined && latest > own ? latest : own;
    stageDates.set(type, latest);
  }
  // The full commissioning after a partial one (the row's second Commissioned) takes its own date, never before the partial one's.
  const key = (m: ImpliedMilestone): IsoDate => {
    const stageDate = stageDates.get(m.event.type);
    if (stageDate === undefined) return m.event.data.occurredOn;
    return isFullAfterPartial(m, milestones) && m.event.data.occurredOn > stageDate ? m.event.data.occurredOn : stageDate;
  };
  return [...milestones].sort((a, b) => key(a).localeCompare(key(b)) || SAME_DAY_ORDER.indexOf(a.event.type) - SAME_DAY_ORDER.indexOf(b.event.type));
}

/** The row's full commissioning that follows its partial one (投产日期 in part, then 全面投产日期). */
function isFullAfterPartial(milestone: ImpliedMilestone, milestones: readonly ImpliedMilestone[]): boolean {
  const first = milestones.find((m) => m.event.type === 'Commissioned');
  return milestone.event.type === 'Commissioned' && first !== undefined && first !== milestone && first.event.type === 'Commissioned' && first.event.data.partial;
}

const STAGE_ORDER: readonly ProjectEventType[] = ['NegotiationOpened', 'ProjectSigned', 'Started', 'Completed', 'Commissioned', 'FullProductionReached'];

/** Why the project already has this (an empty string: silently, it is the same), or undefined. */
function alreadyRecorded(event: ImpliedEvent, state: RegisteredProject, recorded: readonly StoredEvent[]): string | undefined {
  const on: IsoDate = event.data.occurredOn;
  if (event.type === 'Commissioned') {
    const full = fullAfterPartialRecorded(event.data.partial, on, state, recorded);
    if (full !== undefined) return full === 'due' ? undefined : full;
  }
  switch (event.type) {
    case 'NegotiationOpened':
    case 'ProjectSigned':
    case 'ProjectApproved':
    case 'LandAcquired':
    case 'Started':
    case 'StatisticsEntered':
    case 'Completed':
    case 'Commissioned':
    case 'FullProductionReached': {
      const reached = state.milestones[event.type];
      if (reached === undefined) return undefined;
      return reached === on ? '' : `recorded on ${reached}, the file says ${on}: not changed (MilestoneDateCorrected corrects a date)`;
    }
    case 'InvestmentReported': {
      const amount = state.investment[event.data.period];
      if (amount === undefined) return undefined;
      return amount === event.data.amount ? '' : `${event.data.period} was reported as ${amountToWan(amount)} 万元, the file says ${amountToWan(event.data.amount)}: not changed (InvestmentCorrected corrects it)`;
    }
    case 'FundsArrived':
    case 'FundingSecured': {
      if (!recorded.some((e) => e.type === event.type)) return undefined;
      return '';
    }
    case 'Stalled':
    case 'Resumed':
      return recorded.some((e) => e.type === event.type && dateOf(e) === on) ? '' : undefined;
    case 'Withdrawn':
      return state.stage === 'WITHDRAWN' ? '' : undefined;
    case 'InvestmentCorrected':
    case 'DetailsCorrected':
    case 'MilestoneDateCorrected':
      return undefined;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/**
 * A full commissioning where the project recorded a partial one: '' when the same full one is
 * recorded, a note when it is on another date, 'due' while the project is commissioned in part;
 * undefined when no partial one is recorded (then it is the project's first commissioning).
 */
function fullAfterPartialRecorded(partial: boolean, on: IsoDate, state: RegisteredProject, recorded: readonly StoredEvent[]): string | undefined {
  const commissionings = recorded.filter((e) => e.type === 'Commissioned');
  if (partial || !commissionings.some((e) => Reflect.get(e.data, 'partial') === true)) return undefined;
  const full = commissionings.find((e) => Reflect.get(e.data, 'partial') === false);
  if (full === undefined) return state.commissionedPartially === true ? 'due' : '';
  return dateOf(full) === on ? '' : `the full commissioning is recorded on ${dateOf(full) ?? '?'}, the file says ${on}: not changed (MilestoneDateCorrected corrects a date)`;
}

function dateOf(event: StoredEvent): string | undefined {
  const on: unknown = Reflect.get(event.data, 'occurredOn');
  return typeof on === 'string' ? on : undefined;
}

/** Funds and funding are sums: a project that has any keeps them; a file that says otherwise is noted. */
function sumDifferences(record: LedgerRecord, state: RegisteredProject, recorded: readonly StoredEvent[]): string[] {
  const notes: string[] = [];
  const sums = [['FundsArrived', state.fundsArrived, '到位资金'], ['FundingSecured', state.fundingSecured, '争取资金']] as const;
  for (const [type, held, words] of sums) {
    const given = record.milestones.filter((m) => m.event.type === type).reduce((sum, m) => sum + ('amount' in m.event.data ? m.event.data.amount : 0), 0);
    if (given > 0 && recorded.some((e) => e.type === type) && given !== held) {
      notes.push(`${words}: recorded as ${amountToWan(held)} 万元, the file says ${amountToWan(given)}: not changed (post FundsArrived or FundingSecured for what arrived since)`);
    }
  }
  return notes;
}

function registrationDifferences(record: LedgerRecord, state: RegisteredProject): string[] {
  const differences: string[] = [];
  const given = record.registration;
  const held = state.details;
  if (given.name !== held.name) differences.push(`项目名称: recorded as 「${held.name}」`);
  if (given.plannedInvestment !== held.plannedInvestment) {
    differences.push(`计划总投资: recorded as ${amountToWan(held.plannedInvestment)} 万元, the file says ${amountToWan(given.plannedInvestment)}`);
  }
  for (const field of ['regionCode', 'industry', 'category', 'origin'] as const) {
    if (given[field] !== held[field]) differences.push(`${field}: recorded as ${held[field]}, the file says ${given[field]}`);
  }
  return differences.length === 0 ? [] : [`the project exists; its registration is not changed by an import (DetailsCorrected changes it): ${differences.join('; ')}`];
}
