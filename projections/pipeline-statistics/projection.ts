/**
 * Pipeline statistics: per-project facts (to retract a project's contribution when a fact it
 * depends on changes) + the cube of contributions rolled up to every ancestor region
 * (cube.ts) + the annual targets. Queries read one cube node per category: O(months), whatever
 * the number of projects under the region.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import { PROJECT_EVENT_TYPES, type ProjectEvent } from '../../commands/project/events.js';
import { TARGET_MEASURES, type AnnualTargetsSetData, type TargetMeasure } from '../../commands/targets/events.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import { jsonCodec, type Projection } from '../projection.js';
import { domainEventOf } from '../shared/domain-events.js';
import { monthIndex } from '../shared/calendar.js';
import { evolveFacts, registerFacts, type ProjectFacts } from '../shared/project-facts.js';
import { COMPLETED_INVESTMENT, FUNDING_SECURED, FUNDS_ARRIVED, SIGNED_FUNDS_ARRIVED } from './cells.js';
import { addFlow, nodesFor, type Cube } from './cube.js';
import { applyEverything, applyMilestones, applySignedFunds, signedFundsMonth } from './contributions.js';

/** A region's targets for a year: measure → count, or integer Amount for the amount measures. */
export type Targets = Partial<Record<TargetMeasure, number>>;

export interface PipelineState {
  position: number;
  projects: Record<string, ProjectFacts>;
  registrations: number;
  cube: Cube;
  /** regionCode → year → targets (the last AnnualTargetsSet wins: a PUT replaces the set). */
  targets: Record<RegionCode, Record<string, Targets>>;
}

export const pipelineStatistics: Projection<PipelineState> = {
  name: 'pipeline-statistics',
  version: 2, // 2: PeriodAmounts kept sorted by month
  handles: [...PROJECT_EVENT_TYPES, 'AnnualTargetsSet'],
  initialState: () => ({ position: 0, projects: {}, registrations: 0, cube: {}, targets: {} }),
  evolve: evolvePipeline,
  ...jsonCodec<PipelineState>(),
};

function evolvePipeline(state: PipelineState, recorded: RecordedEvent): PipelineState {
  const event = domainEventOf(recorded);
  if (event === undefined || event.type === 'GroundbreakingBatchScheduled') return state;
  state.position = recorded.position;
  if (event.type === 'AnnualTargetsSet') {
    setTargets(state, event.data);
    return state;
  }
  const facts = state.projects[event.data.projectId];
  if (facts === undefined) {
    if (event.type === 'ProjectRegistered') {
      const registered = registerFacts(event.data, recorded, state.registrations++);
      state.projects[registered.projectId] = registered;
      applyMilestones(nodesFor(state.cube, registered.regionCode, registered.category), registered, 1);
    }
    return state;
  }
  applyProjectEvent(state, facts, event, recorded);
  return state;
}

function applyProjectEvent(state: PipelineState, f: ProjectFacts, event: ProjectEvent, recorded: RecordedEvent): void {
  switch (event.type) {
    case 'InvestmentReported':
    case 'InvestmentCorrected': {
      const before = f.completedInvestment; // the facts replace the period's amount: the change is the delta
      evolveFacts(f, event, recorded);
      addFlow(nodesFor(state.cube, f.regionCode, f.category), event.data.period, COMPLETED_INVESTMENT, f.completedInvestment - before);
      return;
    }
    case 'FundsArrived': {
      evolveFacts(f, event, recorded);
      const nodes = nodesFor(state.cube, f.regionCode, f.category);
      addFlow(nodes, event.data.occurredOn.slice(0, 7), FUNDS_ARRIVED, event.data.amount);
      const inPlace = signedFundsMonth(monthIndex(event.data.occurredOn), f);
      if (inPlace !== undefined) addFlow(nodes, inPlace, SIGNED_FUNDS_ARRIVED, event.data.amount);
      return;
    }
    case 'FundingSecured':
      evolveFacts(f, event, recorded);
      addFlow(nodesFor(state.cube, f.regionCode, f.category), event.data.occurredOn.slice(0, 7), FUNDING_SECURED, event.data.amount);
      return;
    case 'ProjectRegistered':
    case 'NegotiationOpened':
    case 'StatisticsEntered':
    case 'FullProductionReached':
    case 'Stalled':
    case 'Resumed':
      evolveFacts(f, event, recorded); // no statistic depends on these
      return;
    case 'DetailsCorrected': {
      const moves = (event.data.regionCode !== undefined && event.data.regionCode !== f.regionCode) ||
        (event.data.category !== undefined && event.data.category !== f.category);
      const resizes = event.data.plannedInvestment !== undefined && event.data.plannedInvestment !== f.plannedInvestment;
      if (moves) {
        applyEverything(nodesFor(state.cube, f.regionCode, f.category), f, -1);
        evolveFacts(f, event, recorded);
        applyEverything(nodesFor(state.cube, f.regionCode, f.category), f, 1);
      } else if (resizes) {
        const nodes = nodesFor(state.cube, f.regionCode, f.category);
        applyMilestones(nodes, f, -1, false);
        evolveFacts(f, event, recorded);
        applyMilestones(nodes, f, 1, false);
      } else evolveFacts(f, event, recorded);
      return;
    }
    case 'ProjectSigned':
    case 'ProjectApproved':
    case 'LandAcquired':
    case 'Started':
    case 'Completed':
    case 'Commissioned':
    case 'Withdrawn':
    case 'MilestoneDateCorrected': {
      const nodes = nodesFor(state.cube, f.regionCode, f.category);
      const movesSigning = event.type === 'ProjectSigned' ||
        (event.type === 'MilestoneDateCorrected' && event.data.milestone === 'ProjectSigned');
      applyMilestones(nodes, f, -1, movesSigning);
      if (movesSigning) applySignedFunds(nodes, f, -1);
      evolveFacts(f, event, recorded);
      applyMilestones(nodes, f, 1, movesSigning);
      if (movesSigning) applySignedFunds(nodes, f, 1);
      return;
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

function setTargets(state: PipelineState, data: AnnualTargetsSetData): void {
  const targets: Targets = {};
  for (const measure of TARGET_MEASURES) {
    const value = data.targets[measure];
    if (value !== undefined) targets[measure] = value;
  }
  (state.targets[data.regionCode] ??= {})[String(data.year)] = targets;
}
