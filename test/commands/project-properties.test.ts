/**
 * Properties of the project decider over random command sequences: whatever is accepted
 * leaves the project in a state every rule still holds in, and no accepted command could
 * be accepted twice (except the repeatable funds events).
 */
import t from 'tap';
import fc from 'fast-check';
import { DomainRuleBroken } from '../../commands/decider.js';
import { projectDecider } from '../../commands/project/decider.js';
import { ORIGINS, type CorrectableMilestone } from '../../commands/project/events.js';
import type { MilestoneEvent, PostMilestone, ProjectCommand } from '../../commands/project/commands.js';
import {
  isProgressStage, STAGE_MILESTONE_ORDER, STAGE_MILESTONES, stageRank, type ProjectState, type RegisteredProject,
} from '../../commands/project/state.js';
import { addDays, periodOf } from '../../commands/shared/dates.js';
import { at, completed, registered, signed, started, statisticsEntered } from './project-fixtures.js';

const P = registered().data.projectId;
const amount = fc.constantFrom(0, 40_000, 50_000, 150_000, 9_000_000);
const MILESTONES: CorrectableMilestone[] = ['ProjectRegistered', 'NegotiationOpened', 'ProjectSigned', 'ProjectApproved', 'LandAcquired', 'Started', 'StatisticsEntered', 'Completed', 'Commissioned', 'FullProductionReached'];

/** A milestone dated `on`, with `period` for the monthly ones. */
function eventOf(type: MilestoneEvent['type'], on: string, period: string, sum: number, flag: boolean, origin: (typeof ORIGINS)[number], milestone: CorrectableMilestone): MilestoneEvent {
  const base = { projectId: P, occurredOn: on };
  switch (type) {
    case 'NegotiationOpened': return { type, data: { ...base, investor: 'X', investorOrigin: 'local', expectedInvestment: sum } };
    case 'ProjectSigned': return { type, data: { ...base, agreementType: 'formal', contractInvestment: sum, investor: 'X', investorOrigin: 'local' } };
    case 'ProjectApproved': return { type, data: { ...base, kind: 'filing', authority: 'A', documentNo: 'D', approvedInvestment: sum } };
    case 'LandAcquired': return { type, data: { ...base, method: 'transfer', parcelNo: 'L', areaMu: 10 } };
    case 'Started': case 'Completed': case 'FullProductionReached': return { type, data: base };
    case 'StatisticsEntered': return { type, data: { ...base, month: period, plannedInvestment: sum } };
    case 'InvestmentReported': return { type, data: { ...base, period, amount: sum } };
    case 'InvestmentCorrected': return { type, data: { ...base, period, amount: sum, reason: 'r' } };
    case 'FundsArrived': return { type, data: { ...base, amount: sum, source: 'own', sourceRegion: 'in_city' } };
    case 'FundingSecured': return { type, data: { ...base, amount: sum, source: 'other', documentNo: 'D' } };
    case 'Commissioned': return { type, data: { ...base, partial: flag } };
    case 'Stalled': case 'Resumed': return { type, data: { ...base, reason: 'funds' } };
    case 'Withdrawn': return { type, data: { ...base, reason: 'r', approvedBy: { authority: 'B' } } };
    case 'DetailsCorrected': return { type, data: flag ? { ...base, origin, reason: 'r' } : { ...base, plannedInvestment: sum, reason: 'r' } };
    case 'MilestoneDateCorrected': return { type, data: { ...base, milestone, reason: 'r' } };
  }
}

const TYPES: MilestoneEvent['type'][] = [
  'NegotiationOpened', 'ProjectSigned', 'ProjectApproved', 'LandAcquired', 'Started', 'StatisticsEntered', 'InvestmentReported',
  'InvestmentCorrected', 'FundsArrived', 'FundingSecured', 'Completed', 'Commissioned', 'FullProductionReached', 'Stalled',
  'Resumed', 'Withdrawn', 'DetailsCorrected', 'MilestoneDateCorrected',
];
// Stage events weigh more, so that sequences get far along the stages; Withdrawn weighs less.
const type = fc.oneof(
  { arbitrary: fc.constantFrom(...TYPES.filter((t) => t !== 'Withdrawn')), weight: 6 },
  { arbitrary: fc.constantFrom<MilestoneEvent['type']>('Started', 'Completed', 'Commissioned', 'FullProductionReached', 'ProjectSigned', 'ProjectApproved'), weight: 3 },
  { arbitrary: fc.constant<MilestoneEvent['type']>('Withdrawn'), weight: 1 },
);

/**
 * A step: the business date moves on by 0–20 days (or back, for a correction or a late
 * report), and the command is posted 0–45 days later, or 1–2 days too early (the future).
 */
const step = fc.record({
  type, advance: fc.integer({ min: -10, max: 20 }), delay: fc.integer({ min: -2, max: 45 }), monthsBack: fc.integer({ min: -1, max: 2 }),
  sum: amount, flag: fc.boolean(), origin: fc.constantFrom(...ORIGINS), milestone: fc.constantFrom(...MILESTONES),
});
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function monthBefore(period: string, months: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function commandsOf(registeredOn: string, origin: (typeof ORIGINS)[number], steps: readonly Step[]): ProjectCommand[] {
  const commands: ProjectCommand[] = [{ type: 'RegisterProject', data: { ...registered().data, occurredOn: registeredOn, origin }, ...at(registeredOn) }];
  let cursor = registeredOn;
  for (const s of steps) {
    cursor = addDays(cursor, s.advance);
    const event = eventOf(s.type, cursor, monthBefore(periodOf(cursor), s.monthsBack), s.sum, s.flag, s.origin, s.milestone);
    const post: PostMilestone = { type: 'PostMilestone', event, ...at(addDays(cursor, s.delay)) };
    commands.push(post);
  }
  return commands;
}

/** How often each rule refused: the sequences must reach most of them to mean anything. */
const refusals = new Map<string, number>();
function tryDecide(cmd: ProjectCommand, state: ProjectState) {
  try {
    return projectDecider.decide(cmd, deepFreeze(state));
  } catch (error) {
    if (!(error instanceof DomainRuleBroken)) throw error;
    refusals.set(error.rule, (refusals.get(error.rule) ?? 0) + 1);
    return undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Every hard rule, read off the state. */
function checkInvariants(s: RegisteredProject, latestToday: string): string[] {
  const problems: string[] = [];
  const m = s.milestones;
  const registeredOn = m.ProjectRegistered ?? '';
  for (const [name, on] of Object.entries(m)) {
    if (on < registeredOn) problems.push(`${name} before registration`);
    if (on > latestToday) problems.push(`${name} in the future`);
  }
  const progress = s.stage === 'STALLED' ? s.stageBeforeStall : s.stage;
  if (s.stage === 'STALLED' && (s.stageBeforeStall === undefined || s.stalledOn === undefined)) problems.push('stalled without a stage to resume');
  if (progress !== undefined && progress !== 'WITHDRAWN' && isProgressStage(progress)) {
    for (const stageEvent of STAGE_MILESTONE_ORDER) {
      const reached = m[stageEvent] !== undefined;
      const rank = stageRank(STAGE_MILESTONES[stageEvent]);
      if (reached && rank > stageRank(progress)) problems.push(`${stageEvent} reached beyond ${progress}`);
      if (rank === stageRank(progress) && !reached) problems.push(`at ${progress} without ${stageEvent}`);
    }
  }
  const chain = STAGE_MILESTONE_ORDER.map((e) => [e, m[e]] as const).filter(([, on]) => on !== undefined);
  for (let i = 1; i < chain.length; i += 1) {
    const [prev, prevOn] = chain[i - 1]!;
    const [next, nextOn] = chain[i]!;
    if (nextOn! < prevOn!) problems.push(`${next} before ${prev}`);
    if (nextOn === prevOn && (next === 'Completed' || next === 'FullProductionReached')) problems.push(`${next} on the day of ${prev}`);
  }
  for (const [later, earlier] of [['Completed', 'Started'], ['Commissioned', 'Completed'], ['FullProductionReached', 'Commissioned']] as const) {
    if (m[later] !== undefined && m[earlier] === undefined) problems.push(`${later} without ${earlier}`);
  }
  const started = m.Started;
  const periods = Object.keys(s.investment);
  if ((periods.length > 0 || m.StatisticsEntered !== undefined) && started === undefined) problems.push('statistics or investment without a start');
  if (started !== undefined && periods.some((p) => p < periodOf(started))) problems.push('investment before the start');
  if (started !== undefined && m.StatisticsEntered !== undefined && m.StatisticsEntered < started) problems.push('statistics before the start');
  if (m.ProjectSigned !== undefined && s.details.origin !== 'attracted') problems.push(`a signed ${s.details.origin} project`);
  return problems;
}

const REPEATABLE = new Set(['FundsArrived', 'FundingSecured']);

/**
 * The 500 万 threshold and 入统数据不一致 (DOMAIN.md), written out again: 总投资 on the entry's
 * date is the approval dated by then, else the signing dated by then, else the plan; both it and
 * the declared figure are ≥ 500 万元 (50_000), and the entry is flagged exactly when the
 * declared figure is more than 10 % of 总投资 away from it.
 */
function statisticsEntryProblem(before: RegisteredProject, on: string, declared: number, flags: readonly string[]): string | undefined {
  const m = before.milestones;
  const total = m.ProjectApproved !== undefined && m.ProjectApproved <= on && before.approvedInvestment !== undefined ? before.approvedInvestment
    : m.ProjectSigned !== undefined && m.ProjectSigned <= on && before.contractInvestment !== undefined ? before.contractInvestment
      : before.details.plannedInvestment;
  if (total < 50_000) return `entered with 总投资 ${total} below 500 万元`;
  if (declared < 50_000) return `entered declaring ${declared}, below 500 万元`;
  const off = Math.abs(declared - total) * 10 > total;
  if (off !== flags.includes('statistics-inconsistent')) return `declared ${declared} against 总投资 ${total}: flagged ${!off}`;
  return undefined;
}

t.test('random command sequences keep every rule and never accept a milestone twice', async (t) => {
  let accepted = 0;
  const stagesSeen = new Set<string>();
  const registeredOn = fc.integer({ min: 0, max: 200 }).map((n) => addDays('2024-06-01', n));
  fc.assert(fc.property(registeredOn, fc.constantFrom(...ORIGINS), fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }), (on, origin, steps) => {
    let state = projectDecider.initialState();
    let latestToday = '0000-00-00';
    for (const cmd of commandsOf(on, origin, steps)) {
      const decided = tryDecide(cmd, state);
      if (decided === undefined) continue;
      accepted += decided.length;
      const entry = decided.find((event) => event.type === 'StatisticsEntered');
      if (entry !== undefined && entry.type === 'StatisticsEntered' && state.status === 'registered') {
        const problem = statisticsEntryProblem(state, entry.data.occurredOn, entry.data.plannedInvestment, entry.flags ?? []);
        if (problem !== undefined) throw new Error(`after ${JSON.stringify(cmd)}: ${problem}`);
      }
      latestToday = cmd.today > latestToday ? cmd.today : latestToday;
      state = decided.reduce((folded, event) => projectDecider.evolve(deepFreeze(folded), event), state);
      if (state.status !== 'registered') throw new Error('an accepted command left the project unregistered');
      stagesSeen.add(state.stage);
      const problems = checkInvariants(state, latestToday);
      if (problems.length > 0) throw new Error(`after ${JSON.stringify(cmd)}: ${problems.join('; ')}`);
      const type = cmd.type === 'PostMilestone' ? cmd.event.type : 'ProjectRegistered';
      if (!REPEATABLE.has(type) && tryDecide(cmd, state) !== undefined) throw new Error(`${type} was accepted twice`);
    }
  }), { numRuns: 500 });
  t.ok(refusals.size >= 18, `the sequences met most rules (${[...refusals.keys()].join(', ')})`);
  // About 2,100 of the random steps are accepted (runs seen: 1,993–2,161 since the 500 万 and
  // industry-class rules refuse more); a generator gone degenerate accepts little beyond the
  // 500 registrations.
  t.ok(accepted > 1500, `the sequences were not all refused (${accepted} events accepted)`);
  t.strictSame([...stagesSeen].sort(), ['COMMISSIONED', 'COMPLETED', 'FULL_PRODUCTION', 'NEGOTIATING', 'PLANNED', 'SIGNED', 'STALLED', 'STARTED', 'WITHDRAWN'], 'every stage was reached');
});

t.test('the invariant checker catches what evolve alone lets through', async (t) => {
  const fold = (...events: Parameters<typeof projectDecider.evolve>[1][]) => {
    const state = events.reduce(projectDecider.evolve, projectDecider.initialState());
    return state.status === 'registered' ? checkInvariants(state, '2025-12-31') : ['unregistered'];
  };
  t.strictSame(fold(registered(), started(), completed()), [], 'a valid history');
  t.match(fold(registered(), completed()).join(), /Completed without Started/);
  t.match(fold(registered({ origin: 'local' }), signed()).join(), /a signed local project/);
  t.match(fold(registered(), statisticsEntered()).join(), /without a start/);
  t.match(fold(registered(), started(), completed({ occurredOn: '2025-04-01' })).join(), /Completed on the day of Started/);
});
