/**
 * A generated, roughly realistic global log for property tests and fold-speed measurements:
 * projects registered over a few years across counties, townships and a 开发区, moving along
 * the stages, reporting investment monthly once started, with funds, funding, stalls,
 * withdrawals, late reports, corrections of every kind, 集中开工 batches and annual targets.
 * Deterministic for a seed. Data is in the stored form (integer Amounts), built directly
 * rather than through the zod schemas so that millions of events generate in seconds.
 * It does not follow every hard rule of the deciders (corrected dates may cross other
 * milestones): the read models must fold whatever the log holds.
 */
import type { JsonObject, RecordedEvent } from '../../../src/event-store/port.js';
import { CATEGORIES } from '../../../commands/project/events.js';
import { seeded } from '../../../bench/history/random.js';

export interface GenerateOptions {
  readonly seed: number;
  readonly projects: number;
  readonly fromYear?: number;
  readonly years?: number;
  readonly regions?: readonly string[];
}

export const DEFAULT_REGIONS = ['131121', '131121001', '131121-KFQ', '131102', '131122', '410225', '330326', '510904', '520500-JHH', '520502'] as const;

/** The bench generator's seeded stream: the same seed writes the same history. */
export const random = seeded;

const DAY_MS = 86_400_000;
const isoOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayOfIso = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

interface Planned {
  readonly stream: string;
  readonly seq: number;
  readonly recordedMs: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly flags?: readonly string[];
}

export function generateHistory(options: GenerateOptions): RecordedEvent[] {
  const rnd = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const chance = (p: number) => rnd() < p;
  const regions = options.regions ?? DEFAULT_REGIONS;
  const fromYear = options.fromYear ?? 2021;
  const first = dayOfIso(`${fromYear}-01-01`);
  const last = dayOfIso(`${fromYear + (options.years ?? 5) - 1}-12-31`);
  const planned: Planned[] = [];
  const batchCandidates = new Map<string, { ids: string[]; firstStart: number; lastStart: number; region: string }>();

  for (let p = 0; p < options.projects; p++) {
    const projectId = `G${options.seed}-${p}`;
    const stream = `project-${projectId}`;
    let seq = 0;
    let recordedMs = 0;
    const emit = (day: number, type: string, data: Record<string, unknown>) => {
      const late = chance(0.03);
      const delayMs = (late ? 31 + Math.floor(rnd() * 60) : Math.floor(rnd() * 2)) * DAY_MS + Math.floor(rnd() * DAY_MS);
      recordedMs = Math.max(recordedMs + 1, day * DAY_MS + delayMs);
      const flags = late && type !== 'MilestoneDateCorrected' ? ['late-report'] : undefined;
      planned.push({
        stream, seq: seq++, recordedMs, type,
        data: { projectId, occurredOn: isoOfDay(day), ...data } as JsonObject,
        ...(flags === undefined ? {} : { flags }),
      });
    };
    const amount = (minWan: number, spread: number) => Math.round(minWan * 100 * 10 ** (spread * rnd() * rnd()));

    let day = first + Math.floor(rnd() * (last - first));
    const region = pick(regions);
    const origin = pick(['attracted', 'attracted', 'local', 'government'] as const);
    const planned0 = amount(300, 4.5);
    emit(day, 'ProjectRegistered', {
      name: `项目 ${p}`, regionCode: region, industry: pick(['C', 'D', 'E', 'F', 'I', 'M']), category: pick(CATEGORIES),
      origin, plannedInvestment: planned0, ...(chance(0.2) ? { level: pick(['county', 'city', 'province']) } : {}),
    });
    const step = (maxDays: number) => (day += 1 + Math.floor(rnd() * maxDays)) <= last;

    if (chance(0.1) && step(60)) emit(day, 'DetailsCorrected', { plannedInvestment: amount(300, 4.5), reason: '更正' });
    let signed = false;
    if (origin === 'attracted' && chance(0.7)) {
      if (chance(0.5) && step(60)) emit(day, 'NegotiationOpened', { investor: '某公司', investorOrigin: 'out_of_province', expectedInvestment: planned0 });
      if (chance(0.1) && step(30)) emit(day, 'FundsArrived', { amount: amount(10, 3), source: 'own', sourceRegion: 'out_of_province' }); // a deposit before the signing
      if (chance(0.8) && step(90)) {
        emit(day, 'ProjectSigned', { agreementType: 'formal', contractInvestment: amount(500, 4.5), investor: '某公司', investorOrigin: 'out_of_province' });
        signed = true;
      }
    }
    const approvedEarly = chance(0.6);
    if (approvedEarly && step(60)) emit(day, 'ProjectApproved', { kind: 'filing', authority: '发改局', documentNo: `备-${p}`, approvedInvestment: amount(300, 4.5) });
    let agreedStartBy: number | undefined;
    if (chance(0.5) && step(60)) {
      agreedStartBy = day + 90;
      emit(day, 'LandAcquired', { method: 'transfer', parcelNo: `D-${p}`, areaMu: 50, agreedStartBy: isoOfDay(agreedStartBy) });
    }
    if (chance(0.05) && step(30)) {
      emit(day, 'Stalled', { reason: 'land' });
      if (step(60)) emit(day, 'Resumed', { reason: 'land' });
    }
    if (chance(0.1)) {
      if (step(200)) emit(day, 'Withdrawn', { reason: '撤资', approvedBy: '项目办' });
      continue;
    }
    if (!(chance(0.75) && step(agreedStartBy !== undefined && chance(0.9) ? 60 : 500))) continue;
    const startDay = day;
    emit(day, 'Started', {});
    if (signed && chance(0.1)) emit(day + 1, 'MilestoneDateCorrected', { milestone: 'ProjectSigned', occurredOn: isoOfDay(startDay - 40 - Math.floor(rnd() * 300)), reason: '更正' });
    const batchKey = `${region}|${isoOfDay(startDay).slice(0, 7)}`;
    if (chance(0.15)) {
      const batch = batchCandidates.get(batchKey) ?? { ids: [], firstStart: startDay, lastStart: startDay, region };
      batch.ids.push(projectId);
      batch.firstStart = Math.min(batch.firstStart, startDay);
      batch.lastStart = Math.max(batch.lastStart, startDay);
      batchCandidates.set(batchKey, batch);
    }
    if (planned0 >= 50_000 && chance(0.8)) {
      const entered = startDay + Math.floor(rnd() * 50);
      if (entered <= last) emit(entered, 'StatisticsEntered', { month: isoOfDay(entered).slice(0, 7), plannedInvestment: planned0 });
      day = Math.max(day, entered);
    }
    // Monthly reports from the start month until completion (1–3 years), each on the 3rd–12th of the next month.
    const startMonth = new Date(startDay * DAY_MS);
    const months = 12 + Math.floor(rnd() * 24);
    const monthly = Math.max(100, Math.round((planned0 / months) * (0.5 + rnd())));
    let reportDay = day;
    let completedDay: number | undefined;
    for (let m = 0; m < months; m++) {
      const periodDate = new Date(Date.UTC(startMonth.getUTCFullYear(), startMonth.getUTCMonth() + m, 1));
      const reportOn = Math.round(Date.UTC(periodDate.getUTCFullYear(), periodDate.getUTCMonth() + 1, 3 + Math.floor(rnd() * 10)) / DAY_MS);
      if (reportOn > last) break;
      reportDay = Math.max(reportDay, reportOn);
      const period = periodDate.toISOString().slice(0, 7);
      emit(reportDay, 'InvestmentReported', { period, amount: Math.round(monthly * (0.5 + rnd())) });
      if (chance(0.03)) emit(reportDay + 1, 'InvestmentCorrected', { period, amount: Math.round(monthly * rnd()), reason: '更正' });
      if (chance(0.1)) emit(reportDay + 1, 'FundsArrived', { amount: Math.round(monthly * 2 * rnd()), source: 'own', sourceRegion: 'in_city' });
      if (chance(0.02)) emit(reportDay + 1, 'FundingSecured', { amount: Math.round(monthly * rnd()), source: 'special_bond', documentNo: `财-${p}-${m}` });
      if (chance(0.01)) emit(reportDay + 2, 'DetailsCorrected', { ...(chance(0.5) ? { regionCode: pick(regions) } : {}), category: pick(CATEGORIES), reason: '更正' });
      if (m === months - 1) completedDay = reportDay + 5;
    }
    // Late corrections, after funds and reports: they must move everything that hangs on the date.
    const later = reportDay + 3;
    if (!approvedEarly && chance(0.3)) emit(later, 'ProjectApproved', { kind: 'approval', authority: '发改委', documentNo: `批-${p}`, approvedInvestment: amount(300, 4.5) });
    if (chance(0.05)) emit(later, 'MilestoneDateCorrected', { milestone: 'Started', occurredOn: isoOfDay(startDay + Math.floor(rnd() * 400) - 30), reason: '更正' });
    if (signed && chance(0.1)) emit(later, 'MilestoneDateCorrected', { milestone: 'ProjectSigned', occurredOn: isoOfDay(startDay - Math.floor(rnd() * 400) + 60), reason: '更正' });
    if (chance(0.03)) emit(later, 'MilestoneDateCorrected', { milestone: 'ProjectRegistered', occurredOn: isoOfDay(startDay - Math.floor(rnd() * 200)), reason: '更正' });
    if (agreedStartBy !== undefined && chance(0.05)) emit(later, 'MilestoneDateCorrected', { milestone: 'LandAcquired', occurredOn: isoOfDay(startDay - Math.floor(rnd() * 100)), reason: '更正' });
    if (chance(0.05)) {
      emit(later + 1, 'Withdrawn', { reason: '停建', approvedBy: '项目办' });
      continue;
    }
    if (completedDay === undefined || completedDay > last) continue;
    emit(completedDay, 'Completed', {});
    day = completedDay;
    if (chance(0.8) && step(120)) {
      // Some commission in part first, and fully later: counted once, on the first date.
      const partly = chance(0.15);
      emit(day, 'Commissioned', partly ? { partial: true, capacityPct: 50 } : { partial: false });
      if (partly && day + 60 <= last) emit(day + 60, 'Commissioned', { partial: false });
      if (chance(0.1)) emit(day + 1, 'MilestoneDateCorrected', { milestone: pick(['Commissioned', 'Completed'] as const), occurredOn: isoOfDay(day - Math.floor(rnd() * 90)), reason: '更正' });
      if (chance(0.5) && step(365)) emit(day, 'FullProductionReached', {});
    }
  }

  let batchNo = 0;
  for (const batch of batchCandidates.values()) {
    const batchId = `B${options.seed}-${batchNo++}`;
    const on = batch.firstStart - 10;
    const mustStartBy = batch.firstStart + 15;
    planned.push({
      stream: `batch-${batchId}`, seq: 0, recordedMs: on * DAY_MS + 3_600_000, type: 'GroundbreakingBatchScheduled',
      data: { batchId, regionCode: batch.region, name: `集中开工 ${batchId}`, occurredOn: isoOfDay(on), ceremonyOn: isoOfDay(batch.firstStart), mustStartBy: isoOfDay(mustStartBy), projectIds: batch.ids },
    });
  }
  for (let year = fromYear; year <= fromYear + (options.years ?? 5) - 1; year++) {
    for (const region of ['131121', '131100', '410225', '520500']) {
      planned.push({
        stream: `targets-${region}-${year}`, seq: 0, recordedMs: dayOfIso(`${year}-01-05`) * DAY_MS, type: 'AnnualTargetsSet',
        data: { regionCode: region, year, occurredOn: `${year}-01-05`, targets: { reserveCount: 100, startedInvestment: 200_000_000, completedInvestment: 100_000_000, signedOver1e8Count: 30 } },
      });
    }
  }

  planned.sort((a, b) => a.recordedMs - b.recordedMs || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.seq - b.seq));
  return planned.map((event, index) => ({
    id: `g${index + 1}`,
    streamId: event.stream,
    revision: event.seq,
    position: index + 1,
    type: event.type,
    data: event.data,
    metadata: event.flags === undefined ? {} : { flags: [...event.flags] },
    recordedAt: new Date(event.recordedMs).toISOString(),
  }));
}
