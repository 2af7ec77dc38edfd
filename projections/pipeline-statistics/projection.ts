/**
 * Pipeline statistics: over the shared per-project facts (to retract a project's contribution
 * before a fact it depends on changes, and apply it again after) + the cube of contributions
 * rolled up to every ancestor region (cube.ts) + the annual targets. Queries read one cube node per category: O(months), whatever
 * the number of projects under the region.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import { PROJECT_EVENT_TYPES } from '../../commands/project/events.js';
import { TARGET_MEASURES, type AnnualTargetsSetData, type TargetMeasure } from '../../commands/targets/events.js';
import type { RegionCode } from '../../commands/shared/region-code.js';
import type { Projection } from '../projection.js';
import { standalone, type FactsReadModel } from '../facts-read-model.js';
import type { DomainEvent } from '../shared/domain-events.js';
import { monthIndex } from '../shared/calendar.js';
import { amountAt } from '../shared/period-amounts.js';
import type { ProjectFacts } from '../shared/project-facts.js';
import { idRecord, idRecordOf } from '../shared/id-record.js';
import { COMPLETED_INVESTMENT, FUNDING_SECURED, FUNDS_ARRIVED } from './cells.js';
import { addFlow, nodesFor, type Cube } from './cube.js';
import { addSignedFunds, applyEverything, applyMilestones, applySignedFunds } from './contributions.js';

/** A region's targets for a year: measure → count, or integer Amount for the amount measures. */
export type Targets = Partial<Record<TargetMeasure, number>>;

export interface PipelineState {
  position: number;
  /** The shared facts of every project by id (the statistics read none of them at query time). */
  projects: Record<string, ProjectFacts>;
  cube: Cube;
  /** regionCode → year → targets (the last AnnualTargetsSet wins: a PUT replaces the set). */
  targets: Record<RegionCode, Record<string, Targets>>;
  /**
   * What beforeFacts retracted from the cube for the event being folded, for evolve to apply
   * again from the facts as they now are. Empty between events (and so in every snapshot).
   */
  retracted?: Retracted;
}

/**
 * Everything the project contributes / its milestones (and sizes) / those and its signing and
 * signed funds / its milestones and signed funds (a withdrawal ends its funds in place) /
 * nothing yet: a registration.
 */
type Retracted = 'everything' | 'milestones' | 'signing' | 'withdrawal' | 'registration';

export const statisticsModel: FactsReadModel<PipelineState> = {
  name: 'pipeline-statistics',
  version: 4, // 4: 总投资 on a date; funds in place end at the withdrawal
  handles: [...PROJECT_EVENT_TYPES, 'AnnualTargetsSet'],
  initialState: (facts) => ({ position: 0, projects: facts.projects, cube: idRecord(), targets: idRecord() }),
  beforeFacts: retract,
  evolve: reapply,
  toSnapshot: ({ position, cube, targets }) => ({ position, cube, targets }),
  fromSnapshot: (snapshot, facts) => {
    const own = snapshot as Pick<PipelineState, 'position' | 'cube' | 'targets'>;
    // Keyed by region codes, then categories and years: null-prototype records (id-record.ts).
    const cube: Cube = idRecord();
    for (const [code, byCategory] of Object.entries(own.cube)) Object.defineProperty(cube, code, { value: idRecordOf(byCategory), enumerable: true, writable: true, configurable: true });
    return { position: own.position, cube, targets: idRecordOf(own.targets), projects: facts.projects };
  },
};

export const pipelineStatistics: Projection<PipelineState> = standalone(statisticsModel);

/**
 * Before the facts change: the additive flows are added here (the amount a report replaces is
 * still in the facts), and a change to a fact a contribution depends on retracts that
 * contribution (see contributions.ts), for `reapply` to apply it again.
 */
function retract(state: PipelineState, event: DomainEvent, f: ProjectFacts | undefined): void {
  if (event.type === 'AnnualTargetsSet' || event.type === 'GroundbreakingBatchScheduled') return;
  if (f === undefined) {
    if (event.type === 'ProjectRegistered') state.retracted = 'registration';
    return;
  }
  switch (event.type) {
    case 'InvestmentReported':
    case 'InvestmentCorrected': {
      // Either one sets the period's amount: the change is the delta to what it replaces.
      const previous = amountAt(f.reported, monthIndex(event.data.period)) ?? 0;
      addFlow(nodesFor(state.cube, f.regionCode, f.category), event.data.period, COMPLETED_INVESTMENT, event.data.amount - previous);
      return;
    }
    case 'FundsArrived': {
      const nodes = nodesFor(state.cube, f.regionCode, f.category);
      addFlow(nodes, event.data.occurredOn.slice(0, 7), FUNDS_ARRIVED, event.data.amount);
      addSignedFunds(nodes, f, monthIndex(event.data.occurredOn), event.data.amount);
      return;
    }
    case 'FundingSecured':
      addFlow(nodesFor(state.cube, f.regionCode, f.category), event.data.occurredOn.slice(0, 7), FUNDING_SECURED, event.data.amount);
      return;
    case 'ProjectRegistered':
    case 'NegotiationOpened':
    case 'StatisticsEntered':
    case 'FullProductionReached':
    case 'Stalled':
    case 'Resumed':
      return; // no statistic depends on these
    case 'DetailsCorrected': {
      const moves = (event.data.regionCode !== undefined && event.data.regionCode !== f.regionCode) ||
        (event.data.category !== undefined && event.data.category !== f.category);
      const resizes = event.data.plannedInvestment !== undefined && event.data.plannedInvestment !== f.plannedInvestment;
      if (moves) {
        applyEverything(nodesFor(state.cube, f.regionCode, f.category), f, -1);
        state.retracted = 'everything';
      } else if (resizes) {
        applyMilestones(nodesFor(state.cube, f.regionCode, f.category), f, -1, false);
        state.retracted = 'milestones';
      }
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
      if (movesSigning || event.type === 'Withdrawn') applySignedFunds(nodes, f, -1);
      state.retracted = movesSigning ? 'signing' : event.type === 'Withdrawn' ? 'withdrawal' : 'milestones';
      return;
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** After the facts changed: applies again what `retract` took out, from the facts as they now are. */
function reapply(state: PipelineState, event: DomainEvent, f: ProjectFacts | undefined, recorded: RecordedEvent): PipelineState {
  state.position = recorded.position;
  if (event.type === 'AnnualTargetsSet') {
    setTargets(state, event.data);
    return state;
  }
  const retracted = state.retracted;
  delete state.retracted;
  if (retracted === undefined || f === undefined) return state;
  const nodes = nodesFor(state.cube, f.regionCode, f.category);
  switch (retracted) {
    case 'everything':
      applyEverything(nodes, f, 1);
      return state;
    case 'registration':
    case 'milestones':
      applyMilestones(nodes, f, 1, retracted === 'registration');
      return state;
    case 'signing':
    case 'withdrawal':
      applyMilestones(nodes, f, 1, retracted === 'signing');
      applySignedFunds(nodes, f, 1);
      return state;
  }
}

function setTargets(state: PipelineState, data: AnnualTargetsSetData): void {
  const targets: Targets = {};
  for (const measure of TARGET_MEASURES) {
    const value = data.targets[measure];
    if (value !== undefined) targets[measure] = value;
  }
  (state.targets[data.regionCode] ??= idRecord())[String(data.year)] = targets;
}
