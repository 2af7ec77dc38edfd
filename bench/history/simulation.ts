/**
 * The simulation: day by day over the history's span, as the bureaus would post it.
 * - Projects are registered in each county at its own rate (weekdays mostly), each then
 *   living its lifecycle (lifecycle.ts), woken on the days it has something to post.
 * - Every January each county, city and the province set annual targets (a few revise them
 *   in July); each quarter every city schedules a 集中开工 batch of the projects about to
 *   start, claiming each one's membership first, as the app does.
 * - The store's clock is the simulated one: events are recorded on the day they are posted,
 *   so "as of" questions and the late-report rule see a realistic record time.
 */
import { createHash } from 'node:crypto';
import type { MilestoneEvent } from '../../commands/project/commands.js';
import { projectDecider } from '../../commands/project/decider.js';
import { projectStreamId, type Category, type MilestoneType, type ProjectEventData } from '../../commands/project/events.js';
import type { ProjectState } from '../../commands/project/state.js';
import { targetsDecider, type TargetsState } from '../../commands/targets/decider.js';
import { targetsStreamId, type AnnualTargetsSetData, type TargetMeasure, COUNT_MEASURES, TARGET_MEASURES } from '../../commands/targets/events.js';
import { batchDecider, type BatchState } from '../../commands/batch/decider.js';
import { batchStreamId } from '../../commands/batch/events.js';
import { membershipDecider, membershipStreamId, type MembershipState } from '../../commands/batch/membership.js';
import { keyDecider, type KeyState } from '../../commands/keys/decider.js';
import { keyStreamId } from '../../commands/keys/events.js';
import type { Actor } from '../../commands/metadata.js';
import { AMOUNTS_PER_WAN, MAX_WAN } from '../../commands/shared/money.js';
import { COUNTRY } from '../../commands/shared/region-code.js';
import { dateOf, dayOf, monthOfDay, morningMs, yearOfDay } from './calendar.js';
import { lifecycle, plannedInvestment, type ProjectWorld } from './lifecycle.js';
import { between, chance, logNormal, poisson, uuid, weighted, type Random } from './random.js';
import { provinceCounties, type County, type ProvinceRegions } from './regions.js';
import type { Origin, SimProject } from './sim-project.js';
import { industryOf, projectName } from './vocabulary.js';
import { newTip, type HistoryWriter, type StreamTip } from './writer.js';

export interface SimulationOptions {
  readonly rnd: Random;
  readonly writer: HistoryWriter;
  readonly from: string;
  readonly to: string;
  readonly counties: number;
  /** Expected projects registered over the whole span, across the province. */
  readonly projects: number;
  /** Sets the simulated record time the store's clock reads. */
  readonly setNow: (ms: number) => void;
  /** Called after each simulated day has been written. */
  readonly onDay?: (day: number) => void;
}

export interface SimulationSummary {
  readonly projects: number;
  readonly batches: number;
  readonly lastDay: number;
  readonly regions: ProvinceRegions;
}

const SYSTEM: Actor = { keyId: 'system', role: 'admin', regions: [COUNTRY] };
const BATCH_MAX = 2_000;

interface Wake {
  readonly project: SimProject;
  readonly token: number;
  readonly run: Generator<number, void, void>;
}

export async function simulate(options: SimulationOptions): Promise<SimulationSummary> {
  const sim = new Simulation(options);
  return sim.run();
}

class Simulation implements ProjectWorld {
  today: number;
  readonly rnd: Random;
  private readonly writer: HistoryWriter;
  private readonly regions: ProvinceRegions;
  private readonly first: number;
  private readonly last: number;
  private readonly perDay: ReadonlyMap<County, number>;
  private readonly wakes = new Map<number, Wake[]>();
  private readonly runs = new WeakMap<SimProject, Generator<number, void, void>>();
  /** Projects waiting to start, by city: a batch takes its members from here. */
  private readonly startPool = new Map<string, Set<SimProject>>();
  private readonly smallStreams = new Map<string, StreamTip<unknown>>();
  private readonly sequence = new Map<string, number>();
  private projects = 0;
  private batches = 0;

  constructor(private readonly options: SimulationOptions) {
    this.rnd = options.rnd;
    this.writer = options.writer;
    this.first = dayOf(options.from);
    this.last = dayOf(options.to);
    this.today = this.first;
    const rnd = this.rnd;
    this.regions = provinceCounties(options.counties, () => logNormal(rnd, 1, 0.5));
    const totalWeight = this.regions.counties.reduce((sum, c) => sum + c.weight, 0);
    const days = this.last - this.first + 1;
    // Weekends register at 30 % of a weekday's rate: 5 + 2 × 0.3 = 5.6 weekday-equivalents a week.
    this.perDay = new Map(this.regions.counties.map((c) => [c, (options.projects * c.weight) / totalWeight / days * (7 / 5.6)]));
  }

  nameOf(code: string): string {
    return this.regions.nameOf(code);
  }

  async run(): Promise<SimulationSummary> {
    for (let day = this.first; day <= this.last && !this.writer.full; day++) {
      this.today = day;
      this.options.setNow(morningMs(day));
      if (day === this.first) this.issueKeys();
      this.regionalFacts(day);
      this.register(day);
      this.wakeProjects(day);
      await this.writer.drain();
      this.options.onDay?.(day);
    }
    await this.writer.drain();
    return { projects: this.projects, batches: this.batches, lastDay: this.today, regions: this.regions };
  }

  post<T extends MilestoneType>(project: SimProject, type: T, data: Omit<ProjectEventData<T>, 'projectId' | 'occurredOn'>, occurredDay = this.today): boolean {
    // The body a bureau posts for `type`, with the path's projectId: one event of the union.
    const event = { type, data: { projectId: project.id, occurredOn: dateOf(occurredDay), ...data } } as unknown as MilestoneEvent;
    return this.writer.decide(project.tip, projectDecider, { type: 'PostMilestone', event, ...this.clock() }, project.actor);
  }

  awaitStart(project: SimProject): void {
    const city = project.county.city;
    const pool = this.startPool.get(city) ?? new Set<SimProject>();
    pool.add(project);
    this.startPool.set(city, pool);
  }

  leaveStartPool(project: SimProject): void {
    this.startPool.get(project.county.city)?.delete(project);
  }

  private clock(): { now: string; today: string } {
    return { now: new Date(morningMs(this.today)).toISOString(), today: dateOf(this.today) };
  }

  private schedule(project: SimProject, run: Generator<number, void, void>, day: number): void {
    const at = Math.max(day, this.today);
    const list = this.wakes.get(at);
    const wake = { project, token: project.wake, run };
    if (list) list.push(wake);
    else this.wakes.set(at, [wake]);
  }

  /** Runs a lifecycle until it asks to sleep; a finished one is forgotten. */
  private step(project: SimProject, run: Generator<number, void, void>): void {
    const next = run.next();
    if (next.done) {
      this.leaveStartPool(project);
      this.runs.delete(project);
      return;
    }
    this.schedule(project, run, next.value);
  }

  private wakeProjects(day: number): void {
    const list = this.wakes.get(day);
    if (!list) return;
    // Lifecycles may ask to be woken again today: the list grows while it is walked.
    for (let i = 0; i < list.length && !this.writer.full; i++) {
      const wake = list[i];
      if (wake === undefined || wake.token !== wake.project.wake) continue;
      this.step(wake.project, wake.run);
    }
    this.wakes.delete(day);
  }

  private register(day: number): void {
    const weekend = new Date(day * 86_400_000).getUTCDay() % 6 === 0;
    for (const [county, rate] of this.perDay) {
      const n = poisson(this.rnd, weekend ? rate * 0.3 : rate);
      for (let i = 0; i < n && !this.writer.full; i++) this.registerOne(county, day);
    }
  }

  private registerOne(county: County, day: number): void {
    const rnd = this.rnd;
    const year = yearOfDay(day);
    const key = `${county.code}-${year}`;
    const seq = (this.sequence.get(key) ?? 0) + 1;
    this.sequence.set(key, seq);
    const id = `${county.code}-${year}-${String(seq).padStart(4, '0')}`;
    const category = weighted(rnd, CATEGORY_WEIGHTS);
    const origin = weighted(rnd, ORIGINS_BY_CATEGORY[category]);
    const planned = plannedInvestment(rnd);
    const level = levelOf(rnd, planned);
    const project: SimProject = {
      id, county, category, origin,
      actor: { keyId: bureauKey(county.code), role: 'bureau', regions: [county.code] },
      tip: newTip<ProjectState>(projectStreamId(id), projectDecider.initialState()),
      startDay: Number.POSITIVE_INFINITY,
      batchId: undefined,
      wake: 0,
    };
    const data: ProjectEventData<'ProjectRegistered'> = {
      projectId: id,
      occurredOn: dateOf(day),
      name: projectName(rnd, county.name, category),
      regionCode: county.code,
      ...industryOf(rnd, category),
      category,
      origin,
      plannedInvestment: planned,
      ...(level === undefined ? {} : { level }),
    };
    if (!this.writer.decide(project.tip, projectDecider, { type: 'RegisterProject', data, ...this.clock() }, project.actor)) return;
    this.projects += 1;
    const run = lifecycle(project, this);
    this.runs.set(project, run);
    this.step(project, run);
  }

  /** Targets in January (a few revised in July), batches each quarter. */
  private regionalFacts(day: number): void {
    const date = dateOf(day);
    const monthDay = date.slice(5);
    if (monthDay === '01-06') this.setTargets(yearOfDay(day), 1);
    if (monthDay === '07-10') this.setTargets(yearOfDay(day), 0.1);
    if (/^(02|05|08|11)-05$/.test(monthDay)) {
      for (const city of this.regions.cities) this.scheduleBatch(city, day);
    }
  }

  private issueKeys(): void {
    const { province, cities, counties } = this.regions;
    const holders: [string, string][] = [
      [province, `${this.nameOf(province)}发展和改革委员会`],
      ...cities.map((c): [string, string] => [c, `${this.nameOf(c)}重点项目建设办公室`]),
      ...counties.map((c): [string, string] => [c.code, `${c.name}招商局`]),
    ];
    for (const [code, name] of holders) {
      const keyId = bureauKey(code);
      const tip = this.smallTip<KeyState>(keyStreamId(keyId), keyDecider.initialState());
      const secretHash = createHash('sha256').update(uuid(this.rnd)).digest('hex'); // nobody holds the secret
      this.writer.decide(tip, keyDecider, {
        type: 'IssueKey',
        data: { keyId, name, role: 'bureau', regions: [code], secretHash, occurredOn: dateOf(this.today) },
      }, SYSTEM);
    }
  }

  /** Targets sized on each county's expected volume (with some ambition); a share revises. */
  private setTargets(year: number, share: number): void {
    const rnd = this.rnd;
    const sums: Targets[] = [];
    const byRegion = new Map<string, Targets>();
    for (const [county, rate] of this.perDay) {
      if (!chance(rnd, share)) continue;
      const perYear = rate * 365 * (5.6 / 7);
      const ambition = 0.9 + rnd() * 0.3;
      const targets = countyTargets(perYear * ambition);
      byRegion.set(county.code, targets);
      sums.push(targets);
    }
    if (share >= 1) {
      for (const city of this.regions.cities) {
        const inCity = this.regions.counties.filter((c) => c.city === city).map((c) => byRegion.get(c.code)).filter((t) => t !== undefined);
        byRegion.set(city, sumTargets(inCity, 1.05));
      }
      byRegion.set(this.regions.province, sumTargets(sums, 1.05));
    }
    for (const [code, targets] of byRegion) {
      const tip = this.smallTip<TargetsState>(targetsStreamId(code, year), targetsDecider.initialState());
      const data: AnnualTargetsSetData = { regionCode: code, year, occurredOn: dateOf(this.today), targets };
      this.writer.decide(tip, targetsDecider, { type: 'SetAnnualTargets', data, ...this.clock() }, this.keyActor(code));
    }
  }

  /**
   * A city's quarterly 集中开工: the projects due to start around the ceremony join (each
   * claimed first, as the app does), most start on the day, a few miss mustStartBy.
   */
  private scheduleBatch(city: string, day: number): void {
    const rnd = this.rnd;
    const ceremony = day + between(rnd, 8, 15);
    const pool = [...(this.startPool.get(city) ?? [])]
      .filter((p) => p.batchId === undefined && p.startDay > day && p.startDay >= ceremony - 25 && p.startDay <= ceremony + 35)
      .filter((p) => p.tip.state.status === 'registered' && p.tip.state.stage !== 'STALLED' && p.tip.state.stage !== 'WITHDRAWN')
      .filter(() => chance(rnd, 0.7))
      .slice(0, BATCH_MAX);
    if (pool.length < 3 || !this.writer.hasRoomFor(pool.length + 1)) return;
    const quarter = Math.floor((monthOfDay(day) % 12) / 3) + 1;
    const batchId = `${city}-${yearOfDay(day)}Q${quarter}`;
    const actor = this.keyActor(city);
    const data = {
      batchId, regionCode: city, occurredOn: dateOf(day),
      name: `${this.nameOf(city)}${yearOfDay(day)}年第${quarter}季度重大项目集中开工`,
      ceremonyOn: dateOf(ceremony), mustStartBy: dateOf(ceremony + 15),
      projectIds: pool.map((p) => p.id),
    };
    const memberships = new Map<string, string>();
    for (const p of pool) {
      const tip = this.smallTip<MembershipState>(membershipStreamId(p.id), membershipDecider.initialState());
      this.writer.decide(tip, membershipDecider, { type: 'ClaimBatchMembership', projectId: p.id, batchId, occurredOn: data.occurredOn }, actor);
    }
    const tip = this.smallTip<BatchState>(batchStreamId(batchId), batchDecider.initialState());
    const projects = new Map(pool.map((p) => [p.id, p.tip.state] as const));
    if (!this.writer.decide(tip, batchDecider, { type: 'ScheduleGroundbreakingBatch', data, ...this.clock(), projects, memberships }, actor)) return;
    this.batches += 1;
    for (const p of pool) {
      p.batchId = batchId;
      p.startDay = chance(rnd, 0.9) ? ceremony + (chance(rnd, 0.8) ? 0 : between(rnd, 1, 10)) : ceremony + between(rnd, 16, 60);
      p.wake += 1;
      const run = this.runs.get(p);
      if (run) this.schedule(p, run, p.startDay);
    }
  }

  private keyActor(code: string): Actor {
    return { keyId: bureauKey(code), role: 'bureau', regions: [code] };
  }

  private smallTip<State>(streamId: string, initial: State): StreamTip<State> {
    const known = this.smallStreams.get(streamId);
    if (known) return known as StreamTip<State>;
    const tip = newTip(streamId, initial);
    this.smallStreams.set(streamId, tip);
    return tip;
  }
}

const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = [
  ['industrial', 45], ['infrastructure', 20], ['services', 20], ['public', 10], ['agriculture', 5],
];
const ORIGINS_BY_CATEGORY: { readonly [C in Category]: readonly (readonly [Origin, number])[] } = {
  industrial: [['attracted', 80], ['local', 20]],
  services: [['attracted', 75], ['local', 25]],
  infrastructure: [['government', 80], ['local', 20]],
  public: [['government', 85], ['local', 15]],
  agriculture: [['local', 50], ['attracted', 30], ['government', 20]],
};

function levelOf(rnd: Random, planned: number): 'county' | 'city' | 'province' | undefined {
  const yi = planned / (10_000 * AMOUNTS_PER_WAN);
  if (yi >= 10) return weighted(rnd, [['province', 40], ['city', 40], ['county', 20]] as const);
  if (yi >= 1) return chance(rnd, 0.5) ? weighted(rnd, [['city', 50], ['county', 50]] as const) : undefined;
  return chance(rnd, 0.15) ? 'county' : undefined;
}

function bureauKey(code: string): string {
  return `k-${code}-bureau`;
}

/** 万 → Amount, rounded to whole 万, at most the largest amount the schemas admit (1 万亿). */
const wan = (value: number) => Math.min(MAX_WAN, Math.round(value)) * AMOUNTS_PER_WAN;

type Targets = { [M in TargetMeasure]?: number };

/** A county's targets from the projects it is expected to register in a year. */
function countyTargets(perYear: number): Targets {
  const meanWan = 25_000; // mean of the planned-investment distribution
  const started = perYear * 0.6;
  return {
    reserveCount: Math.round(perYear * 1.5),
    reserveInvestment: wan(perYear * 1.5 * meanWan),
    signedCount: Math.round(perYear * 0.3),
    signedInvestment: wan(perYear * 0.3 * meanWan),
    signedOver1e8Count: Math.round(perYear * 0.1),
    largestSigning: wan(perYear > 200 ? 500_000 : 100_000),
    startedCount: Math.round(started),
    startedInvestment: wan(started * meanWan * 0.9),
    commissionedCount: Math.round(started * 0.5),
    completedInvestment: wan(started * meanWan * 0.7),
    fundingSecured: wan(perYear * 150),
  };
}

/** A city's or the province's targets: its counties' summed, with a little more ambition. */
function sumTargets(parts: readonly Targets[], ambition: number): Targets {
  const total: Targets = {};
  for (const measure of TARGET_MEASURES) {
    if (!parts.some((part) => part[measure] !== undefined)) continue;
    const values = parts.map((part) => part[measure] ?? 0);
    const sum = values.reduce((a, b) => a + b, 0);
    if (measure === 'largestSigning') total[measure] = Math.max(0, ...values);
    else total[measure] = COUNT_MEASURES.has(measure) ? Math.round(sum * ambition) : wan((sum / AMOUNTS_PER_WAN) * ambition);
  }
  return total;
}
