/**
 * A project's state as the decider sees it, and `evolve`, the fold of its events.
 * Pure: every function returns a new object and never reads the clock.
 */
import type { Amount } from '../shared/money.js';
import type { IsoDate, Period } from '../shared/dates.js';
import { totalInvestmentOn as totalInvestmentOnDate } from '../shared/total-investment.js';
import type { CorrectableMilestone, ProjectEvent, ProjectEventData } from './events.js';

export const STAGES = [
  'PLANNED', 'NEGOTIATING', 'SIGNED', 'STARTED', 'COMPLETED', 'COMMISSIONED', 'FULL_PRODUCTION',
  'STALLED', 'WITHDRAWN',
] as const;
export type Stage = (typeof STAGES)[number];

/** The stages a project moves forward through; STALLED and WITHDRAWN sit beside them. */
export type ProgressStage = Exclude<Stage, 'STALLED' | 'WITHDRAWN'>;
export const PROGRESSION: readonly ProgressStage[] = [
  'PLANNED', 'NEGOTIATING', 'SIGNED', 'STARTED', 'COMPLETED', 'COMMISSIONED', 'FULL_PRODUCTION',
];

/** The milestone event that moves a project into each progress stage (PLANNED: registration). */
export const STAGE_MILESTONES = {
  ProjectRegistered: 'PLANNED',
  NegotiationOpened: 'NEGOTIATING',
  ProjectSigned: 'SIGNED',
  Started: 'STARTED',
  Completed: 'COMPLETED',
  Commissioned: 'COMMISSIONED',
  FullProductionReached: 'FULL_PRODUCTION',
} as const satisfies Partial<Record<CorrectableMilestone, ProgressStage>>;
export type StageMilestone = keyof typeof STAGE_MILESTONES;
/** The stage milestones in stage order. */
export const STAGE_MILESTONE_ORDER: readonly StageMilestone[] = [
  'ProjectRegistered', 'NegotiationOpened', 'ProjectSigned', 'Started', 'Completed', 'Commissioned',
  'FullProductionReached',
];

export function stageRank(stage: ProgressStage): number {
  return PROGRESSION.indexOf(stage);
}

export function isStageMilestone(type: string): type is StageMilestone {
  return Object.hasOwn(STAGE_MILESTONES, type);
}

export function isProgressStage(stage: Stage): stage is ProgressStage {
  return stage !== 'STALLED' && stage !== 'WITHDRAWN';
}

export type RegistrationDetails = Omit<ProjectEventData<'ProjectRegistered'>, 'projectId' | 'occurredOn'>;

export interface UnregisteredProject {
  readonly status: 'unregistered';
}

export interface RegisteredProject {
  readonly status: 'registered';
  readonly projectId: string;
  readonly stage: Stage;
  /** Set while STALLED: the stage Resumed returns to. */
  readonly stageBeforeStall?: ProgressStage;
  readonly stalledOn?: IsoDate;
  readonly details: RegistrationDetails;
  /** The date of each milestone reached (as last corrected); ProjectRegistered is always set. */
  readonly milestones: Readonly<Partial<Record<CorrectableMilestone, IsoDate>>>;
  readonly approvedInvestment?: Amount;
  readonly contractInvestment?: Amount;
  readonly expectedInvestment?: Amount;
  readonly statisticsMonth?: Period;
  /** The latest commissioning was partial: the full one may still follow it. */
  readonly commissionedPartially?: boolean;
  /** Completed investment per reported period, corrections applied. */
  readonly investment: Readonly<Record<Period, Amount>>;
  readonly fundsArrived: Amount;
  readonly fundingSecured: Amount;
  /** The 集中开工 batch the project started in (Started.batchId). */
  readonly batchId?: string;
  /**
   * The earliest occurredOn of the events that are not milestones (reports, funds, stalls,
   * corrections): a corrected registration date may not move after it.
   */
  readonly earliestRecordOn?: IsoDate;
}

export type ProjectState = UnregisteredProject | RegisteredProject;

export const initialProjectState = (): ProjectState => ({ status: 'unregistered' });

export function registrationDate(state: RegisteredProject): IsoDate {
  return state.milestones.ProjectRegistered ?? '0000-00-00';
}

/** 总投资 on `date` (commands/shared/total-investment.ts). */
export function totalInvestmentOn(state: RegisteredProject, date: IsoDate): Amount {
  return totalInvestmentOnDate(
    date, state.details.plannedInvestment,
    { on: state.milestones.ProjectSigned, amount: state.contractInvestment },
    { on: state.milestones.ProjectApproved, amount: state.approvedInvestment },
  );
}

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  if (event.type === 'ProjectRegistered') {
    const { projectId, occurredOn, ...details } = event.data;
    return {
      status: 'registered', projectId, stage: 'PLANNED', details,
      milestones: { ProjectRegistered: occurredOn }, investment: {}, fundsArrived: 0, fundingSecured: 0,
    };
  }
  // Folding a stream that does not start with its registration: nothing to evolve.
  if (state.status === 'unregistered') return state;
  return evolveRegistered(state, event);
}

function evolveRegistered(state: RegisteredProject, event: Exclude<ProjectEvent, { type: 'ProjectRegistered' }>): RegisteredProject {
  const on = event.data.occurredOn;
  const reached = (type: CorrectableMilestone) => ({ ...state.milestones, [type]: on });
  const recorded = () => (state.earliestRecordOn === undefined || on < state.earliestRecordOn ? on : state.earliestRecordOn);
  switch (event.type) {
    case 'NegotiationOpened':
      return { ...state, stage: 'NEGOTIATING', milestones: reached(event.type), expectedInvestment: event.data.expectedInvestment };
    case 'ProjectSigned':
      return { ...state, stage: 'SIGNED', milestones: reached(event.type), contractInvestment: event.data.contractInvestment };
    case 'Started':
      return {
        ...state, stage: 'STARTED', milestones: reached(event.type),
        ...(event.data.batchId !== undefined ? { batchId: event.data.batchId } : {}),
      };
    case 'Completed':
      return { ...state, stage: 'COMPLETED', milestones: reached(event.type) };
    case 'Commissioned':
      // Counted as commissioned once, on its first date: the full commissioning after a partial keeps it.
      return {
        ...state, stage: 'COMMISSIONED', commissionedPartially: event.data.partial,
        milestones: state.milestones.Commissioned === undefined ? reached(event.type) : state.milestones,
      };
    case 'FullProductionReached':
      return { ...state, stage: 'FULL_PRODUCTION', milestones: reached(event.type) };
    case 'ProjectApproved':
      return { ...state, milestones: reached(event.type), approvedInvestment: event.data.approvedInvestment };
    case 'LandAcquired':
      return { ...state, milestones: reached(event.type) };
    case 'StatisticsEntered':
      return { ...state, milestones: reached(event.type), statisticsMonth: event.data.month };
    case 'InvestmentReported':
    case 'InvestmentCorrected':
      return { ...state, investment: { ...state.investment, [event.data.period]: event.data.amount }, earliestRecordOn: recorded() };
    case 'FundsArrived':
      return { ...state, fundsArrived: state.fundsArrived + event.data.amount, earliestRecordOn: recorded() };
    case 'FundingSecured':
      return { ...state, fundingSecured: state.fundingSecured + event.data.amount, earliestRecordOn: recorded() };
    case 'Stalled': {
      const { stageBeforeStall: _, ...rest } = state;
      return {
        ...rest, stage: 'STALLED', stalledOn: on, earliestRecordOn: recorded(),
        ...(isProgressStage(state.stage) ? { stageBeforeStall: state.stage } : {}),
      };
    }
    case 'Resumed': {
      const { stageBeforeStall, stalledOn: _, ...rest } = state;
      return { ...rest, stage: stageBeforeStall ?? 'PLANNED', earliestRecordOn: recorded() };
    }
    case 'Withdrawn': {
      const { stageBeforeStall: _, ...rest } = state;
      return { ...rest, stage: 'WITHDRAWN', earliestRecordOn: recorded() };
    }
    case 'DetailsCorrected':
      return { ...state, details: { ...state.details, ...correctedFields(event.data) }, earliestRecordOn: recorded() };
    case 'MilestoneDateCorrected':
      return { ...state, milestones: { ...state.milestones, [event.data.milestone]: on } };
    default:
      return assertNever(event);
  }
}

/**
 * The registration fields a DetailsCorrected sets: those present. A field cannot be corrected
 * back to absent (e.g. dropping `level`); that would need an explicit null in the schema.
 */
export function correctedFields(data: ProjectEventData<'DetailsCorrected'>): Partial<RegistrationDetails> {
  const { projectId: _p, occurredOn: _o, reason: _r, ...fields } = data;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
