/**
 * The project decider: DOMAIN.md's hard rules refuse a command (DomainRuleBroken naming the
 * rule, see commands/rules.ts); its soft rules let the event through with `flags`.
 *
 * Choices where DOMAIN.md is silent, and why:
 * - Same-day milestones. Before the start every step may share a date (a project registered
 *   and negotiated the same day; 签约即开工, signed and started at one ceremony). After it,
 *   Completed is strictly after Started and FullProductionReached strictly after Commissioned
 *   (physical progress takes time); Completed and Commissioned may share a date (DOMAIN.md).
 * - "Needs Started" is read by date: StatisticsEntered cannot be dated before the start, nor
 *   its month before the start month; an InvestmentReported period cannot precede the start
 *   month. A later MilestoneDateCorrected of Started must keep those facts true.
 * - Stalled: only Resumed or Withdrawn follows it, literally, so even corrections wait for
 *   Resumed. Stalled and Resumed are dated no earlier than the stage (or stall) they follow.
 * - NegotiationOpened is allowed for any origin (a local project may still negotiate with a
 *   partner); only ProjectSigned is refused for local and government projects, and a
 *   DetailsCorrected may not make a signed project local or government.
 * - A second ProjectSigned (e.g. a supplementary agreement) is "milestone-already-reached":
 *   the signing is one milestone, counted once in the 签约 statistics.
 * - Corrections (DetailsCorrected, InvestmentCorrected, MilestoneDateCorrected) that change
 *   nothing are refused: an audit trail of no-ops hides the real corrections.
 * - late-report is not raised on MilestoneDateCorrected: its occurredOn is the corrected date
 *   of an earlier milestone, which is old by nature, not a late report.
 */
import { UnknownEventType, type Decided, type SoftRule, type StoredEvent, type StreamDecider } from '../decider.js';
import { daysBetween, chinaDateOf, periodOf } from '../shared/dates.js';
import type { IsoDate } from '../shared/dates.js';
import { AMOUNTS_PER_WAN } from '../shared/money.js';
import { declaredInconsistent, LATE_REPORT_DAYS, STATISTICS_THRESHOLD } from '../shared/statistics-rules.js';
import { notInFuture, refuse } from '../rules.js';
import { PROJECT_EVENT_TYPES, type CorrectableMilestone, type ProjectEvent, type ProjectEventData } from './events.js';
import type { MilestoneEvent, PostMilestone, ProjectCommand, RegisterProject, ScheduledBatch } from './commands.js';
import {
  assertNever, correctedFields, evolveProject, initialProjectState, isStageMilestone, registrationDate, totalInvestmentOn,
  STAGE_MILESTONE_ORDER, STAGE_MILESTONES, stageRank,
  type ProjectState, type RegisteredProject, type RegistrationDetails, type StageMilestone,
} from './state.js';
import { sectionOfClass } from './industry-sections.js';


/** The stage milestones that cannot share a date with the stage before them. */
const STRICTLY_AFTER_PREVIOUS: ReadonlySet<StageMilestone> = new Set(['Completed', 'FullProductionReached']);

export const decideProject = (command: ProjectCommand, state: ProjectState): Decided<ProjectEvent>[] => {
  switch (command.type) {
    case 'RegisterProject':
      return [register(command, state)];
    case 'PostMilestone':
      return [postMilestone(command, state)];
    default:
      return assertNever(command);
  }
};

const KNOWN_TYPES: ReadonlySet<string> = new Set(PROJECT_EVENT_TYPES);

export function decodeProjectEvent(stored: StoredEvent): ProjectEvent {
  if (!KNOWN_TYPES.has(stored.type)) throw new UnknownEventType(stored.type, 'project');
  return { type: stored.type, data: stored.data } as ProjectEvent;
}

export const projectDecider: StreamDecider<ProjectCommand, ProjectEvent, ProjectState> = {
  initialState: initialProjectState,
  evolve: evolveProject,
  decide: decideProject,
  decode: decodeProjectEvent,
};

function register(command: RegisterProject, state: ProjectState): Decided<ProjectEvent> {
  if (state.status === 'registered') refuse('project-already-registered', `project ${state.projectId} is already registered`);
  notInFuture(command.data.occurredOn, command.today);
  checkIndustryClass(command.data);
  return flagged({ type: 'ProjectRegistered', data: command.data }, lateReport(command.data.occurredOn, command.now));
}

function postMilestone(command: PostMilestone, state: ProjectState): Decided<ProjectEvent> {
  const { event, today } = command;
  const on = event.data.occurredOn;
  if (state.status === 'unregistered') refuse('project-not-registered', `project ${event.data.projectId} is not registered`);
  if (event.data.projectId !== state.projectId) {
    refuse('project-id-mismatch', `event for project ${event.data.projectId} posted to project ${state.projectId}`);
  }
  if (state.stage === 'WITHDRAWN') refuse('nothing-follows-withdrawn', `project ${state.projectId} was withdrawn`);
  if (state.stage === 'STALLED' && event.type !== 'Resumed' && event.type !== 'Withdrawn') {
    refuse('only-resumed-follows-stalled', `project ${state.projectId} is stalled: only Resumed or Withdrawn may follow, not ${event.type}`);
  }
  notInFuture(on, today);
  const correctsRegistration = event.type === 'MilestoneDateCorrected' && event.data.milestone === 'ProjectRegistered';
  if (!correctsRegistration && on < registrationDate(state)) {
    refuse('occurred-on-not-before-registration', `${event.type} on ${on} is before the registration on ${registrationDate(state)}`);
  }
  checkEvent(event, state, today);
  if (event.type === 'Started' && event.data.batchId !== undefined) checkStartingBatch(event.data.batchId, command.namedBatch, state);
  const flags: SoftRule[] = [];
  if (event.type !== 'MilestoneDateCorrected') flags.push(...lateReport(on, command.now));
  if (event.type === 'Started' && !approvedBy(state, on)) flags.push('started-without-approval');
  if (event.type === 'StatisticsEntered' && declaredInconsistent(event.data.plannedInvestment, totalInvestmentOn(state, on))) {
    flags.push('statistics-inconsistent');
  }
  return flagged(event, flags);
}

function checkEvent(event: MilestoneEvent, state: RegisteredProject, today: IsoDate): void {
  switch (event.type) {
    case 'ProjectSigned':
      if (state.details.origin !== 'attracted') {
        refuse('only-attracted-projects-sign', `project ${state.projectId} is a ${state.details.origin} project: it is never signed`);
      }
      return checkStageMove(event.type, event.data.occurredOn, state);
    case 'Commissioned':
      if (state.commissionedPartially === true && !event.data.partial) return checkFullCommissioning(event.data.occurredOn, state);
      return checkStageMove(event.type, event.data.occurredOn, state);
    case 'NegotiationOpened':
    case 'Started':
    case 'Completed':
    case 'FullProductionReached':
      return checkStageMove(event.type, event.data.occurredOn, state);
    case 'ProjectApproved':
    case 'LandAcquired':
      return notYetReached(event.type, state);
    case 'StatisticsEntered':
      return checkStatistics(event.data, state, today);
    case 'InvestmentReported':
      return checkInvestmentReport(event.data, state, today);
    case 'InvestmentCorrected': {
      const reported = state.investment[event.data.period];
      if (reported === undefined) {
        refuse('investment-correction-needs-report', `no InvestmentReported for ${event.data.period} to correct`);
      }
      if (reported === event.data.amount) refuse('correction-changes-nothing', `${event.data.period} already stands at that amount`);
      return;
    }
    case 'FundsArrived':
    case 'FundingSecured':
    case 'Withdrawn':
      return;
    case 'Stalled': {
      const since = currentStageDate(state);
      if (event.data.occurredOn < since) refuse('milestone-dates-in-order', `Stalled on ${event.data.occurredOn} is before the ${state.stage} stage began on ${since}`);
      return;
    }
    case 'Resumed':
      if (state.stage !== 'STALLED') refuse('resumed-needs-stalled', `project ${state.projectId} is not stalled`);
      if (state.stalledOn !== undefined && event.data.occurredOn < state.stalledOn) {
        refuse('milestone-dates-in-order', `Resumed on ${event.data.occurredOn} is before the stall on ${state.stalledOn}`);
      }
      return;
    case 'DetailsCorrected':
      // Only a correction of the industry is held to it: a project registered before the rule keeps its other corrections.
      if (event.data.industry !== undefined || event.data.industryClass !== undefined) checkIndustryClass({ ...state.details, ...correctedFields(event.data) });
      return checkDetailsCorrection(event.data, state);
    case 'MilestoneDateCorrected':
      return checkDateCorrection(event.data.milestone, event.data.occurredOn, state);
    default:
      return assertNever(event);
  }
}

/** Forward along the stages, skipping only NEGOTIATING and SIGNED, in date order. */
function checkStageMove(type: Exclude<StageMilestone, 'ProjectRegistered'>, on: IsoDate, state: RegisteredProject): void {
  notYetReached(type, state);
  if (state.stage === 'STALLED' || state.stage === 'WITHDRAWN') return; // refused before
  const from = stageRank(state.stage);
  const to = stageRank(STAGE_MILESTONES[type]);
  if (to <= from) refuse('stage-moves-forward', `${type} would move project ${state.projectId} back from ${state.stage}`);
  if (to > stageRank('STARTED') && to !== from + 1) {
    refuse('stage-cannot-be-skipped', `${type} needs the project at the stage before ${STAGE_MILESTONES[type]}, not ${state.stage}`);
  }
  const since = currentStageDate(state);
  if (on < since || (on === since && STRICTLY_AFTER_PREVIOUS.has(type))) {
    refuse('milestone-dates-in-order', `${type} on ${on} cannot precede${STRICTLY_AFTER_PREVIOUS.has(type) ? ' or share the date of' : ''} the ${state.stage} stage (${since})`);
  }
}

/** DOMAIN.md: a partial commissioning may be followed by the full one, while commissioned, not before it. */
function checkFullCommissioning(on: IsoDate, state: RegisteredProject): void {
  if (state.stage !== 'COMMISSIONED') refuse('stage-moves-forward', `the full commissioning would move project ${state.projectId} back from ${state.stage}`);
  const partialOn = state.milestones.Commissioned;
  if (partialOn !== undefined && on < partialOn) refuse('milestone-dates-in-order', `the full commissioning on ${on} cannot precede the partial one (${partialOn})`);
}

/** The 4-digit GB/T 4754 class lies in the section the project names (registered, or as corrected). */
function checkIndustryClass(details: Pick<RegistrationDetails, 'industry' | 'industryClass'>): void {
  const { industry, industryClass } = details;
  if (industryClass === undefined) return;
  const section = sectionOfClass(industryClass);
  if (section !== industry) {
    refuse('industry-class-in-section', `GB/T 4754 class ${industryClass} lies in section ${section ?? '(none)'}, not ${industry}`);
  }
}

/**
 * DOMAIN.md: `Started.batchId`, when given, names the batch that holds the project. A batch
 * holds the projects it was scheduled with (the membership lock keeps them to one batch each),
 * so a project cannot count for, or be shown to, another region's batch by naming it.
 */
function checkStartingBatch(batchId: string, batch: ScheduledBatch | undefined, state: RegisteredProject): void {
  if (batch === undefined || batch.batchId !== batchId) refuse('started-batch-must-hold-project', `no 集中开工 batch ${batchId} is scheduled`);
  if (!batch.projectIds.includes(state.projectId)) {
    refuse('started-batch-must-hold-project', `batch ${batchId} does not hold project ${state.projectId}`);
  }
}

function checkStatistics(data: ProjectEventData<'StatisticsEntered'>, state: RegisteredProject, today: IsoDate): void {
  const started = state.milestones.Started;
  if (started === undefined) refuse('statistics-needs-started', `project ${state.projectId} has not started`);
  if (data.occurredOn < started || data.month < periodOf(started)) {
    refuse('statistics-needs-started', `statistics entered on ${data.occurredOn} (${data.month}) before the start on ${started}`);
  }
  if (state.milestones.StatisticsEntered !== undefined) refuse('statistics-once', `project ${state.projectId} entered the statistics on ${state.milestones.StatisticsEntered}`);
  const total = totalInvestmentOn(state, data.occurredOn);
  if (total < STATISTICS_THRESHOLD) {
    refuse('statistics-threshold-500wan', `the project's 总投资 on ${data.occurredOn}, ${total / AMOUNTS_PER_WAN} 万元, is below the ${STATISTICS_THRESHOLD / AMOUNTS_PER_WAN} 万元 threshold`);
  }
  if (data.plannedInvestment < STATISTICS_THRESHOLD) {
    refuse('statistics-threshold-500wan', `the declared planned investment ${data.plannedInvestment / AMOUNTS_PER_WAN} 万元 is below the ${STATISTICS_THRESHOLD / AMOUNTS_PER_WAN} 万元 threshold`);
  }
  if (data.month > periodOf(today)) refuse('statistics-month-not-ahead', `month ${data.month} is ahead of ${periodOf(today)}`);
}

function checkInvestmentReport(data: ProjectEventData<'InvestmentReported'>, state: RegisteredProject, today: IsoDate): void {
  const started = state.milestones.Started;
  if (started === undefined) refuse('investment-needs-started', `project ${state.projectId} has not started`);
  if (data.period < periodOf(started)) refuse('investment-needs-started', `period ${data.period} is before the start on ${started}`);
  if (data.period > periodOf(today)) refuse('investment-period-not-ahead', `period ${data.period} is ahead of ${periodOf(today)}`);
  if (state.investment[data.period] !== undefined) {
    refuse('investment-period-once', `${data.period} was already reported: post an InvestmentCorrected with a reason`);
  }
}

function checkDetailsCorrection(data: ProjectEventData<'DetailsCorrected'>, state: RegisteredProject): void {
  const fields = correctedFields(data);
  const current = new Map<string, unknown>(Object.entries(state.details));
  const changes = Object.entries(fields).filter(([key, value]) => current.get(key) !== value);
  if (changes.length === 0) refuse('correction-changes-nothing', 'the correction changes no registration field');
  if (fields.origin !== undefined && fields.origin !== 'attracted' && state.milestones.ProjectSigned !== undefined) {
    refuse('only-attracted-projects-sign', `project ${state.projectId} was signed: it cannot become a ${fields.origin} project`);
  }
}

/** The corrected date must keep every date rule the milestone was held to when posted. */
function checkDateCorrection(milestone: CorrectableMilestone, on: IsoDate, state: RegisteredProject): void {
  const current = state.milestones[milestone];
  if (current === undefined) refuse('milestone-not-reached', `${milestone} has not been reached`);
  if (current === on) refuse('correction-changes-nothing', `${milestone} is already dated ${on}`);
  if (milestone === 'ProjectRegistered') {
    const others = [...Object.entries(state.milestones).filter(([m]) => m !== 'ProjectRegistered').map(([, d]) => d), state.earliestRecordOn];
    const earliest = others.reduce<IsoDate | undefined>((min, d) => (d !== undefined && (min === undefined || d < min) ? d : min), undefined);
    if (earliest !== undefined && on > earliest) {
      refuse('occurred-on-not-before-registration', `registration on ${on} would come after an event of ${earliest}`);
    }
  }
  if (isStageMilestone(milestone)) checkStageNeighbours(milestone, on, state);
  const started = state.milestones.Started;
  const statistics = state.milestones.StatisticsEntered;
  if (milestone === 'Started') {
    const firstPeriod = Object.keys(state.investment).sort()[0];
    if (statistics !== undefined && statistics < on) refuse('statistics-needs-started', `the statistics entry on ${statistics} would precede the start`);
    if (state.statisticsMonth !== undefined && state.statisticsMonth < periodOf(on)) refuse('statistics-needs-started', `the statistics month ${state.statisticsMonth} would precede the start`);
    if (firstPeriod !== undefined && firstPeriod < periodOf(on)) refuse('investment-needs-started', `investment reported for ${firstPeriod} would precede the start`);
  }
  if (milestone === 'StatisticsEntered' && started !== undefined && on < started) {
    refuse('statistics-needs-started', `statistics entered on ${on} would precede the start on ${started}`);
  }
}

function checkStageNeighbours(milestone: StageMilestone, on: IsoDate, state: RegisteredProject): void {
  const index = STAGE_MILESTONE_ORDER.indexOf(milestone);
  const before = STAGE_MILESTONE_ORDER.slice(0, index).reverse().find((m) => state.milestones[m] !== undefined);
  const after = STAGE_MILESTONE_ORDER.slice(index + 1).find((m) => state.milestones[m] !== undefined);
  const beforeOn = before === undefined ? undefined : state.milestones[before];
  const afterOn = after === undefined ? undefined : state.milestones[after];
  if (beforeOn !== undefined && (on < beforeOn || (on === beforeOn && STRICTLY_AFTER_PREVIOUS.has(milestone)))) {
    refuse('milestone-dates-in-order', `${milestone} on ${on} would precede ${before} on ${beforeOn}`);
  }
  if (after !== undefined && afterOn !== undefined && (afterOn < on || (afterOn === on && STRICTLY_AFTER_PREVIOUS.has(after)))) {
    refuse('milestone-dates-in-order', `${milestone} on ${on} would follow ${after} on ${afterOn}`);
  }
}

function notYetReached(type: CorrectableMilestone, state: RegisteredProject): void {
  const reached = state.milestones[type];
  if (reached !== undefined) refuse('milestone-already-reached', `${type} was reached on ${reached}; correct its date with MilestoneDateCorrected`);
}

/** The date the project entered its current progress stage. */
function currentStageDate(state: RegisteredProject): IsoDate {
  const reached = [...STAGE_MILESTONE_ORDER].reverse().find((m) => state.milestones[m] !== undefined);
  return (reached && state.milestones[reached]) ?? registrationDate(state);
}

/** 未批先建 unless approved on or before the start date. */
function approvedBy(state: RegisteredProject, on: IsoDate): boolean {
  const approved = state.milestones.ProjectApproved;
  return approved !== undefined && approved <= on;
}

function lateReport(occurredOn: IsoDate, now: string): SoftRule[] {
  const recordedOn = chinaDateOf(new Date(now));
  return daysBetween(occurredOn, recordedOn) > LATE_REPORT_DAYS ? ['late-report'] : [];
}

function flagged(event: ProjectEvent, flags: readonly SoftRule[]): Decided<ProjectEvent> {
  return flags.length === 0 ? event : { ...event, flags };
}
