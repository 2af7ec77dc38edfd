/**
 * One project's life, as a generator that posts its events through the world and yields the
 * day it wants to be woken next. Rates follow DOMAIN.md, "Realistic scale":
 * - planned investment log-normal (median 8,000 万, σ 1.5, mean ~2.5 亿: the county averages
 *   DOMAIN.md cites are 4–6 亿): ~44 % ≥ 1 亿, ~4.6 % ≥ 10 亿, ~1 in 1,700 ≥ 100 亿; ~3 % below
 *   the 500 万 statistics threshold;
 * - attracted projects sign ~62 % of the time; ~80 % of signed projects start (67–91 %),
 *   mostly within the year; local and government projects are never signed, ~72 % start;
 * - construction lasts months growing with size (an 8,000 万 project ~10 months, a 10 亿 one
 *   ~19, a 100 亿 one ~3 years), so about half of the started projects are commissioned within
 *   a year;
 * - a started project reports its completed investment monthly (in the first ten days of the
 *   next month; 2 % late), with occasional corrections; funds arrive to 10–30 % of contract;
 * - a few stall (and most resume); most stale reserve projects withdraw within three years;
 *   a few post late, correct a registration or a start date.
 * The start day lives on the project, not in the generator: a 集中开工 batch may move it.
 */
import type { MilestoneType, ProjectEventData } from '../../commands/project/events.js';
import type { RegisteredProject } from '../../commands/project/state.js';
import { AMOUNTS_PER_WAN } from '../../commands/shared/money.js';
import { dateOf, dayInMonth, dayOf, monthOfDay, periodOfDay, periodOfMonth, yearOfDay } from './calendar.js';
import { between, chance, logNormal, pick, weighted, type Random } from './random.js';
import { CORRECTION_REASONS, WITHDRAWAL_REASONS, investorName, projectCode, signingEventName } from './vocabulary.js';
import type { SimProject } from './sim-project.js';

/** What a lifecycle may ask of the simulation. */
export interface ProjectWorld {
  readonly rnd: Random;
  /** The simulated day the generator was woken on. */
  readonly today: number;
  nameOf(code: string): string;
  /** Decides and appends a milestone dated `occurredDay` (today by default); false when refused. */
  post<T extends MilestoneType>(project: SimProject, type: T, data: Omit<ProjectEventData<T>, 'projectId' | 'occurredOn'>, occurredDay?: number): boolean;
  /** The project waits for its start day: a 集中开工 batch may take it in and move the day. */
  awaitStart(project: SimProject): void;
  leaveStartPool(project: SimProject): void;
}

/** Planned investment in Amounts: heavy-tailed, in whole 万 (tens of 万 above 1,000 万). */
export function plannedInvestment(rnd: Random): number {
  const wan = Math.min(5_000_000, Math.max(100, logNormal(rnd, 8_000, 1.5)));
  const rounded = wan < 1_000 ? Math.round(wan) : Math.round(wan / 10) * 10;
  return rounded * AMOUNTS_PER_WAN;
}

/** An amount in Amounts, rounded to whole 万 (at least 1 万). */
export function wholeWan(amount: number): number {
  return Math.max(1, Math.round(amount / AMOUNTS_PER_WAN)) * AMOUNTS_PER_WAN;
}

const YI = 10_000 * AMOUNTS_PER_WAN;

function registered(project: SimProject): RegisteredProject | undefined {
  const state = project.tip.state;
  return state.status === 'registered' ? state : undefined;
}

/** 总投资 as the decider sees it: approved, else contract, else planned. */
function totalOf(project: SimProject): number {
  const state = registered(project);
  if (!state) return 0;
  return state.approvedInvestment ?? state.contractInvestment ?? state.details.plannedInvestment;
}

export function* lifecycle(p: SimProject, world: ProjectWorld): Generator<number, void, void> {
  const { rnd } = world;
  const registeredOn = world.today;
  const attracted = p.origin === 'attracted';
  const willSign = attracted && chance(rnd, 0.62);
  const negotiates = attracted && chance(rnd, willSign ? 0.8 : 0.5);
  const willStart = willSign ? chance(rnd, 0.8) : chance(rnd, attracted ? 0.15 : 0.72);

  if (chance(rnd, 0.04)) {
    yield registeredOn + between(rnd, 3, 45);
    const current = registered(p)?.details.plannedInvestment ?? 0;
    const corrected = wholeWan(current * (0.7 + rnd() * 0.8));
    if (corrected !== current) world.post(p, 'DetailsCorrected', { plannedInvestment: corrected, reason: pick(rnd, CORRECTION_REASONS) });
  }

  let investorOrigin = weighted(rnd, [['out_of_province', 45], ['out_of_city', 20], ['local', 25], ['foreign', 10]] as const);
  const investor = investorName(rnd);
  if (negotiates) {
    yield world.today + between(rnd, 0, 90);
    const planned = registered(p)?.details.plannedInvestment ?? 0;
    world.post(p, 'NegotiationOpened', { investor, investorOrigin, expectedInvestment: wholeWan(planned * (0.8 + rnd() * 0.4)) });
  }
  if (willSign) {
    yield world.today + between(rnd, 20, 240);
    const planned = registered(p)?.details.plannedInvestment ?? 0;
    const signedOn = world.today;
    const quarter = Math.floor((monthOfDay(signedOn) % 12) / 3) + 1;
    world.post(p, 'ProjectSigned', {
      agreementType: weighted(rnd, [['formal', 70], ['framework', 25], ['supplementary', 5]] as const),
      contractInvestment: wholeWan(planned * (0.8 + rnd() * 0.5)),
      investor,
      investorOrigin,
      ...(chance(rnd, 0.4) ? { signingEvent: signingEventName(rnd, yearOfDay(signedOn), quarter) } : {}),
      ...(chance(rnd, 0.5) ? { promisedStartBy: dateOf(signedOn + between(rnd, 90, 365)) } : {}),
    });
  } else if (!attracted) {
    investorOrigin = 'local';
  }

  if (!willStart) {
    yield* reserveOnly(p, world);
    return;
  }
  // The start, and what comes before it (approval, land, a deposit), in date order.
  const planFrom = world.today;
  p.startDay = planFrom + (willSign ? Math.round(15 + 330 * rnd() ** 1.6) : between(rnd, 30, 420));
  const approvedFirst = chance(rnd, 0.88);
  const before: Step[] = [];
  const approval = () => { world.post(p, 'ProjectApproved', approvalData(p, world)); };
  if (approvedFirst) before.push({ day: Math.max(planFrom, p.startDay - between(rnd, 5, 150)), act: approval });
  if (chance(rnd, p.category === 'industrial' || p.category === 'services' ? 0.7 : 0.4)) {
    before.push({ day: Math.max(planFrom, p.startDay - between(rnd, 15, 240)), act: () => landAcquired(p, world) });
  }
  if (willSign && chance(rnd, 0.1)) {
    before.push({ day: Math.max(planFrom, p.startDay - between(rnd, 1, 60)), act: () => fundsArrived(p, world, investorOrigin, 0.02 + rnd() * 0.05) });
  }
  before.sort((a, b) => a.day - b.day);
  world.awaitStart(p);
  for (;;) {
    const next = before[0];
    const due = Math.min(next?.day ?? Number.POSITIVE_INFINITY, p.startDay);
    if (world.today < due) {
      yield due;
      continue; // woken early (a batch moved the start): look again
    }
    if (next !== undefined && next.day <= p.startDay) {
      before.shift();
      next.act();
      continue;
    }
    break;
  }
  world.leaveStartPool(p);

  // Started, posted on the day (3 % late, 31–60 days after).
  const startedOn = p.startDay;
  if (chance(rnd, 0.03)) yield startedOn + between(rnd, 31, 60);
  if (!world.post(p, 'Started', p.batchId === undefined ? {} : { batchId: p.batchId }, startedOn)) return;
  yield* construction(p, world, startedOn, approvedFirst ? undefined : approval, investorOrigin);
}

interface Step {
  readonly day: number;
  readonly act: () => void;
}

/** A project that never starts: it sits in the reserve, maybe gets land, maybe withdraws. */
function* reserveOnly(p: SimProject, world: ProjectWorld): Generator<number, void, void> {
  const { rnd } = world;
  if (chance(rnd, 0.1)) {
    yield world.today + between(rnd, 30, 300);
    landAcquired(p, world); // idle land, one year after agreedStartBy
  }
  // Most stale reserve projects are cleaned out within three years; the rest linger.
  if (chance(rnd, 0.7)) {
    yield world.today + between(rnd, 180, 1_100);
    withdraw(p, world);
  }
}

function* construction(
  p: SimProject, world: ProjectWorld, startedOn: number, lateApproval: (() => void) | undefined, investorOrigin: InvestorOrigin,
): Generator<number, void, void> {
  const { rnd } = world;
  const total = totalOf(p);
  const months = constructionMonths(rnd, total);
  const startMonth = monthOfDay(startedOn);
  let lastMonth = startMonth + months - 1;
  const planned = registered(p)?.details.plannedInvestment ?? 0;

  if (chance(rnd, 0.005)) {
    yield world.today + between(rnd, 1, 5);
    correctStartDate(p, world, startedOn);
  }
  // 入库入统: within 25 days mostly; 7 % later than the 30 days the compliance list allows.
  let statisticsOn = planned >= 500 * AMOUNTS_PER_WAN ? startedOn + (chance(rnd, 0.93) ? between(rnd, 0, 25) : between(rnd, 31, 90)) : undefined;
  let approvalOn = lateApproval === undefined ? undefined : startedOn + between(rnd, 10, 90);
  const signed = registered(p)?.contractInvestment;
  const fundsShare = signed === undefined ? (p.origin === 'attracted' ? 0 : 0.1 + rnd() * 0.3) : 0.1 + rnd() * 0.2;
  const fundsEvents = Math.max(1, Math.round(months / 4));
  const fundingSecured = p.origin === 'government' || p.category === 'infrastructure' || p.category === 'public';
  const stallMonth = chance(rnd, 0.05) ? startMonth + between(rnd, 1, Math.max(1, months - 1)) : undefined;
  const weights = sCurve(months);
  let skipUntil = Number.NEGATIVE_INFINITY;
  let progress = 0;

  for (let month = startMonth; month <= lastMonth; month++) {
    const reportOn = dayInMonth(month + 1, between(rnd, 1, 10));
    // Side facts that fall before this month's report.
    for (;;) {
      const side = Math.min(statisticsOn ?? Number.POSITIVE_INFINITY, approvalOn ?? Number.POSITIVE_INFINITY);
      if (side > reportOn) break;
      if (world.today < side) yield side;
      if (statisticsOn !== undefined && statisticsOn <= (approvalOn ?? Number.POSITIVE_INFINITY)) {
        const on = Math.max(statisticsOn, world.today);
        world.post(p, 'StatisticsEntered', { month: periodOfDay(on), plannedInvestment: registered(p)?.details.plannedInvestment ?? planned });
        statisticsOn = undefined;
      } else if (approvalOn !== undefined) {
        lateApproval?.();
        approvalOn = undefined;
      }
    }
    if (month === stallMonth) {
      yield dayInMonth(month, between(rnd, 1, 28));
      world.post(p, 'Stalled', { reason: weighted(rnd, [['funds', 35], ['land', 15], ['compensation', 20], ['approval', 10], ['investor', 15], ['other', 5]] as const) });
      if (chance(rnd, 0.2)) {
        yield world.today + between(rnd, 60, 365);
        withdraw(p, world);
        return;
      }
      const stalledFor = between(rnd, 30, 240);
      lastMonth += Math.ceil(stalledFor / 30);
      yield world.today + stalledFor;
      const reason = weighted(rnd, [['funds', 40], ['land', 20], ['compensation', 20], ['other', 20]] as const);
      world.post(p, 'Resumed', { reason });
      skipUntil = monthOfDay(world.today);
      continue;
    }
    if (month < skipUntil) continue; // no construction while stalled
    if (month === lastMonth) {
      yield Math.max(startedOn + 1, dayInMonth(month, between(rnd, 10, 28)));
      world.post(p, 'Completed', chance(rnd, 0.5) ? { acceptanceNo: `${p.county.code}JG${yearOfDay(world.today)}${String(between(rnd, 1, 9999)).padStart(4, '0')}` } : {});
    }
    const late = chance(rnd, 0.02);
    yield late ? reportOn + between(rnd, 35, 60) : reportOn;
    const amount = wholeWan(total * (weights[Math.min(progress, months - 1)] ?? 0) * (0.6 + rnd() * 0.8));
    progress += 1;
    const period = periodOfMonth(month);
    world.post(p, 'InvestmentReported', { period, amount }, late ? reportOn : world.today);
    if (chance(rnd, 0.03)) {
      yield world.today + between(rnd, 2, 20);
      const corrected = wholeWan(amount * (0.7 + rnd() * 0.6));
      if (corrected !== amount) world.post(p, 'InvestmentCorrected', { period, amount: corrected, reason: pick(rnd, CORRECTION_REASONS) });
    }
    if (fundsShare > 0 && chance(rnd, fundsEvents / months)) {
      yield world.today + between(rnd, 0, 12);
      fundsArrived(p, world, investorOrigin, fundsShare / fundsEvents);
    }
    if (fundingSecured && chance(rnd, 0.08)) {
      yield world.today + between(rnd, 0, 15);
      world.post(p, 'FundingSecured', {
        amount: wholeWan(total * (0.02 + rnd() * 0.1)),
        source: weighted(rnd, [['central_budget', 30], ['provincial_budget', 25], ['special_bond', 35], ['other', 10]] as const),
        documentNo: `豫财建〔${yearOfDay(world.today)}〕${between(rnd, 1, 300)}号`,
      });
    }
  }
  if (lateApproval !== undefined && approvalOn !== undefined) {
    yield approvalOn;
    lateApproval();
  }
  yield* operation(p, world);
}

/** After completion: 投产 (most), then 达产 for some industry. */
function* operation(p: SimProject, world: ProjectWorld): Generator<number, void, void> {
  const { rnd } = world;
  if (registered(p)?.stage !== 'COMPLETED') return;
  const commissions = chance(rnd, p.category === 'infrastructure' || p.category === 'public' ? 0.7 : 0.9);
  if (!commissions) return;
  if (!chance(rnd, 0.2)) yield world.today + between(rnd, 1, 60);
  const partial = chance(rnd, 0.1);
  world.post(p, 'Commissioned', partial ? { partial, capacityPct: between(rnd, 30, 80) } : { partial });
  if (p.category !== 'industrial' || !chance(rnd, 0.6)) return;
  yield world.today + between(rnd, 90, 360);
  const output = wholeWan(totalOf(p) * (0.5 + rnd() * 1.5));
  world.post(p, 'FullProductionReached', chance(rnd, 0.7) ? { outputValue: output, taxPaid: wholeWan(output * (0.02 + rnd() * 0.06)) } : {});
}

type InvestorOrigin = ProjectEventData<'ProjectSigned'>['investorOrigin'];

function approvalData(p: SimProject, world: ProjectWorld): Omit<ProjectEventData<'ProjectApproved'>, 'projectId' | 'occurredOn'> {
  const { rnd } = world;
  const year = yearOfDay(world.today);
  const total = totalOf(p);
  const kind = p.origin === 'government' ? 'approval' as const : weighted(rnd, [['filing', 80], ['ratification', 20]] as const);
  const authority = total >= 10 * YI || kind === 'ratification' ? '河南省发展和改革委员会'
    : kind === 'approval' ? `${world.nameOf(p.county.city)}发展和改革委员会` : `${p.county.name}发展和改革委员会`;
  const industryClass = registered(p)?.details.industryClass;
  return {
    kind,
    authority,
    documentNo: `${p.county.name.slice(0, 1)}发改${kind === 'filing' ? '备' : '投资'}〔${year}〕${between(rnd, 1, 999)}号`,
    ...(chance(rnd, 0.8) ? { projectCode: projectCode(rnd, year, p.county.code, industryClass, kind) } : {}),
    approvedInvestment: wholeWan(total * (0.9 + rnd() * 0.2)),
  };
}

function landAcquired(p: SimProject, world: ProjectWorld): void {
  const { rnd } = world;
  const wan = totalOf(p) / AMOUNTS_PER_WAN;
  const areaMu = Math.round(Math.min(5_000, Math.max(5, wan / between(rnd, 150, 600))) * 100) / 100;
  world.post(p, 'LandAcquired', {
    method: weighted(rnd, [['transfer', 60], ['allocation', 25], ['lease', 5], ['existing', 10]] as const),
    parcelNo: `${p.county.code}G${yearOfDay(world.today)}${String(between(rnd, 1, 9999)).padStart(4, '0')}`,
    areaMu,
    ...(chance(rnd, 0.7) ? { agreedStartBy: dateOf(world.today + between(rnd, 180, 365)) } : {}),
  });
}

function fundsArrived(p: SimProject, world: ProjectWorld, investorOrigin: InvestorOrigin, share: number): void {
  const { rnd } = world;
  const base = registered(p)?.contractInvestment ?? totalOf(p);
  const sourceRegion = investorOrigin === 'out_of_city' ? 'out_of_city' as const : investorOrigin === 'local' ? 'in_city' as const : 'out_of_province' as const;
  const source = p.origin === 'attracted'
    ? (investorOrigin === 'foreign' ? 'foreign' as const : weighted(rnd, [['own', 60], ['loan', 40]] as const))
    : weighted(rnd, [['budget', 40], ['special_bond', 35], ['loan', 25]] as const);
  world.post(p, 'FundsArrived', { amount: wholeWan(base * share), source, sourceRegion });
}

function withdraw(p: SimProject, world: ProjectWorld): void {
  const { rnd } = world;
  world.post(p, 'Withdrawn', {
    reason: pick(rnd, WITHDRAWAL_REASONS),
    approvedBy: { authority: chance(rnd, 0.5) ? `${p.county.name}人民政府` : `${p.county.name}项目建设指挥部` },
  });
}

/** A start posted a few days off, corrected soon after (before anything hangs on it). */
function correctStartDate(p: SimProject, world: ProjectWorld, startedOn: number): void {
  const state = registered(p);
  if (!state) return;
  const previous = [state.milestones.ProjectSigned, state.milestones.NegotiationOpened, state.milestones.ProjectRegistered]
    .find((date) => date !== undefined) ?? dateOf(startedOn);
  const corrected = Math.max(dayOf(previous), startedOn - between(world.rnd, 1, 7));
  if (corrected === startedOn || state.milestones.StatisticsEntered !== undefined) return;
  world.post(p, 'MilestoneDateCorrected', { milestone: 'Started', reason: '开工日期录入错误更正' }, corrected);
}

/** Months of construction: ~10 for 8,000 万, ~19 for 10 亿, ~3 years for 100 亿. */
function constructionMonths(rnd: Random, total: number): number {
  const wan = Math.max(1, total / AMOUNTS_PER_WAN);
  return Math.min(60, Math.max(3, Math.round(10 * (wan / 8_000) ** 0.25 * logNormal(rnd, 1, 0.4))));
}

/** Monthly shares of the investment: slow start, peak mid-way, tail (they sum to 1). */
function sCurve(months: number): number[] {
  const raw = Array.from({ length: months }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / months) + 0.2);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

