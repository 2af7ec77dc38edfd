/**
 * The statistics reads (API.md, "Queries"): a region's pipeline statistics for a period
 * (三个一批, reserve, money, conversions, 标尺, 纵尺), its child regions ranked with the 红黑榜
 * marks (横尺), the compliance lists, and the 集中开工 batches. Every role reads them, within
 * the key's regions (an auditor everywhere); each takes `asOf` and `minPosition`
 * (read-options.ts) and answers the global `position` it reflects.
 */
import { z } from 'zod';
import { CATEGORIES } from '../../../commands/project/events.js';
import { TARGET_MEASURES } from '../../../commands/targets/events.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import type { IsoDate } from '../../../commands/shared/dates.js';
import { batchId } from '../../../commands/batch/events.js';
import { MEASURE_KEYS, queryPipelineStatistics, type PeriodQuery } from '../../../projections/pipeline-statistics/index.js';
import { rankChildRegions } from '../../../projections/rankings/index.js';
import { COMPLIANCE_KINDS, type ComplianceList } from '../../../projections/compliance/index.js';
import { getBatch, batchesScan } from '../../../projections/batches/index.js';
import { STAGES } from '../../../projections/shared/project-facts.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { ALL_ROLES, assertCovers, covers, requireRole } from '../auth/index.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import { businessDate, queryRegion, readErrorHandler, readLong, readOptionsShape, readSliced, readState, valueOf } from './read-options.js';
import { yearParam } from '../params.js';

export interface StatisticsRoutesOptions {
  readonly clock: Clock;
  readonly config: Pick<Config, 'RANKING_MARKS'>;
}

/** Answers hold the read models' readonly arrays. */
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

const wanAmount = z.number().meta({ description: '万元' });
const count = z.number().int();
const rate = z.number().nullable().meta({ description: 'A fraction rounded to 4 decimals; null when dividing by 0' });

const periodQuery = {
  year: yearParam().optional().meta({ description: 'Default: the year of the as-of date (today, China time)' }),
  quarter: z.coerce.number().int().min(1).max(4).optional(),
  month: z.coerce.number().int().min(1).max(12).optional().meta({ description: 'A month or a quarter, not both' }),
};

const periodLabel = z.object({ year: count, quarter: count.optional(), month: count.optional() });

const sizedFigure = z.object({
  count,
  investment: wanAmount,
  over1e8: z.object({ count, investment: wanAmount }).meta({ description: '≥ 1 亿元 by 总投资' }),
  over1e9: z.object({ count, investment: wanAmount }).meta({ description: '≥ 10 亿元 by 总投资' }),
});

const running = z.object({ period: wanAmount, ytd: wanAmount, sinceStart: wanAmount });

export const pipelineAnswer = z.object({
  regionCode: z.string(),
  period: periodLabel,
  category: z.enum(CATEGORIES).nullable(),
  position: count.meta({ description: 'The global position the statistics reflect' }),
  asOfDate: z.string().nullable().meta({ description: 'The business date (China) the period is bounded by' }),
  months: z.object({ from: z.string(), to: z.string() }).nullable().meta({ description: 'The months counted; null when the period has not begun' }),
  signed: sizedFigure.extend({ largest: wanAmount }).meta({ description: 'Signed in the period: Σ contract investment; `largest` the largest single signing' }),
  started: sizedFigure.meta({ description: 'Started in the period: Σ 总投资' }),
  commissioned: sizedFigure.meta({ description: 'Commissioned in the period: Σ 总投资' }),
  reserve: sizedFigure.meta({ description: '谋划储备 at the period end: registered, not withdrawn, not started' }),
  completedInvestment: running.meta({ description: 'Σ InvestmentReported, corrections applied' }),
  fundsArrived: running,
  fundsInPlace: z.object({ arrived: wanAmount, contract: wanAmount, rate }),
  fundsInPlaceRate: rate.meta({ description: '资金到位率: funds arrived ÷ contract investment of the projects signed and not withdrawn by the period end' }),
  fundingSecured: z.object({ period: wanAmount, ytd: wanAmount }),
  conversion: z.object({
    signed: count, started: count, commissioned: count, startedSameYear: count,
    startRate: rate, commissionRate: rate, sameYearStartRate: rate,
  }).meta({ description: 'The cohort signed in the period, followed to now' }),
  fourSameYear: count.meta({ description: '四个当年 projects' }),
  schedule: z.number().meta({ description: '序时进度 = m ÷ 12, m = whole months of the year ended by the as-of date' }),
  targets: list(z.object({
    measure: z.enum(TARGET_MEASURES),
    label: z.string(),
    target: z.number(),
    actual: z.number().meta({ description: 'Year to date' }),
    ratio: rate,
    schedule: z.number().nullable().meta({ description: '序时进度 for a flow measure; null for reserveCount, reserveInvestment and largestSigning (not pro-rated)' }),
    aheadPoints: z.number().nullable().meta({ description: '(ratio − schedule) × 100: ahead (> 0) or behind (< 0), in percentage points; null when not pro-rated or the target is 0' }),
    met: z.boolean().meta({ description: 'On target: a flow at or ahead of 序时进度, a stock or breakthrough measure at actual ≥ target (the 红黑榜 follows it)' }),
  })).meta({ description: '标尺: only for the region as a whole (no category)' }),
  yearOnYear: z.object({
    period: periodLabel,
    rows: list(z.object({ measure: z.enum(MEASURE_KEYS), label: z.string(), current: z.number(), lastYear: z.number(), growth: rate })),
  }).meta({ description: '纵尺: the same months last year' }),
});

const rankingsAnswer = z.object({
  regionCode: z.string(),
  measure: z.enum(MEASURE_KEYS),
  period: periodLabel,
  position: count,
  listSize: count.meta({ description: 'N of the 红黑榜 (RANKING_MARKS)' }),
  rows: list(z.object({
    regionCode: z.string(),
    name: z.string(),
    value: z.number().nullable().meta({ description: 'Counts, amounts in 万元, ratios as fractions; null when undefined' }),
    rank: count.nullable(),
    mark: z.enum(['red', 'black']).nullable().meta({ description: 'red: met the period target and in the top N; black: missed it and in the bottom N' }),
  })),
});

const complianceAnswer = z.object({
  regionCode: z.string(),
  kind: z.enum(COMPLIANCE_KINDS).nullable(),
  asOfDate: z.string(),
  position: count,
  counts: z.partialRecord(z.enum(COMPLIANCE_KINDS), count).meta({ description: 'Open items by kind' }),
  items: list(z.object({
    kind: z.enum(COMPLIANCE_KINDS),
    projectId: z.string(),
    name: z.string(),
    regionCode: z.string(),
    stage: z.enum(STAGES),
    since: z.string(),
    days: count,
    open: z.boolean(),
    resolvedOn: z.string().nullable(),
    flagged: z.boolean(),
    detail: z.string().nullable(),
  })),
});

const batchSummary = z.object({
  batchId: z.string(),
  name: z.string(),
  regionCode: z.string(),
  ceremonyOn: z.string(),
  mustStartBy: z.string(),
  size: count,
  investment: wanAmount.meta({ description: 'Σ 总投资 of the members, 万元' }),
  startedOnTime: count,
  startedLate: count,
  notStarted: count,
  withdrawn: count,
  overdue: count.nullable().meta({ description: 'Not started and past mustStartBy at the as-of date' }),
  unknown: count,
});

const batchAnswer = batchSummary.extend({
  position: count,
  members: list(z.object({
    projectId: z.string(),
    name: z.string().nullable(),
    regionCode: z.string().nullable(),
    stage: z.enum(STAGES).nullable(),
    totalInvestment: wanAmount,
    startedOn: z.string().nullable(),
    status: z.enum(['on-time', 'late', 'not-started', 'withdrawn', 'unknown']),
  })),
});

const COMPLIANCE_LABELS = '应统未统 statistics-not-entered, 入统数据不一致 statistics-inconsistent, 未批先建 started-without-approval, 闲置土地 idle-land, overdue-batch-start, stalled, late-report';

export async function statisticsRoutes(app: ZodApp, options: StatisticsRoutesOptions): Promise<void> {
  const { clock, config } = options;
  const runners = app.readModels.runners;
  app.setErrorHandler(readErrorHandler);

  app.get('/stats/pipeline', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'A region\'s pipeline statistics for a year, quarter or month (三个一批, reserve, money, conversions, targets, year on year)',
      querystring: z.object({
        regionCode: regionCode().optional().meta({ description: 'Default: the key\'s region when it has one' }),
        ...periodQuery,
        category: z.enum(CATEGORIES).optional(),
        ...readOptionsShape,
      }),
      response: { 200: pipelineAnswer },
    },
  }, async (request) => {
    const { query } = request;
    const region = queryRegion(request.actor, query.regionCode, app.regions);
    const { state, position } = await readState(app.readModels, runners['pipeline-statistics'], query);
    const asOfDate = businessDate(query, clock);
    const stats = queryPipelineStatistics(state, {
      regionCode: region, ...period(query, asOfDate), asOfDate, ...(query.category === undefined ? {} : { category: query.category }),
    });
    return { ...stats, position };
  });

  app.get('/stats/rankings', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'The child regions of a region ranked on a measure, with 红黑榜 marks (横尺)',
      querystring: z.object({
        regionCode: regionCode().optional().meta({ description: 'The parent region; default: the key\'s region when it has one' }),
        measure: z.enum(MEASURE_KEYS, { error: `measure must be one of: ${MEASURE_KEYS.join(', ')}` }),
        ...periodQuery,
        category: z.enum(CATEGORIES).optional(),
        ...readOptionsShape,
      }),
      response: { 200: rankingsAnswer },
    },
  }, async (request) => {
    const { query } = request;
    const region = queryRegion(request.actor, query.regionCode, app.regions);
    const { state, position } = await readState(app.readModels, runners['pipeline-statistics'], query);
    const asOfDate = businessDate(query, clock);
    const rankings = rankChildRegions(state, {
      regionCode: region,
      measure: query.measure,
      ...period(query, asOfDate),
      asOfDate,
      ...(query.category === undefined ? {} : { category: query.category }),
      listSize: config.RANKING_MARKS,
      children: app.regions.childrenOf(region).map((child) => child.code),
    }, (code) => app.regions.nameOf(code));
    return { ...rankings, position };
  });

  app.get('/stats/compliance', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'The projects a soft rule flags, by kind, judged at today\'s date (China) or at asOf',
      querystring: z.object({
        regionCode: regionCode().optional().meta({ description: 'Default: the key\'s region when it has one' }),
        kind: z.enum(COMPLIANCE_KINDS).optional().meta({ description: `One kind (${COMPLIANCE_LABELS}); all when absent` }),
        includeResolved: z.stringbool().optional().meta({ description: 'Also list duties met late (default true)' }),
        ...readOptionsShape,
      }),
      response: { 200: complianceAnswer },
    },
  }, async (request) => {
    const { query } = request;
    const region = queryRegion(request.actor, query.regionCode, app.regions);
    const asOfDate = businessDate(query, clock);
    // On the read worker's thread: a city's or province's list is seconds of work.
    const { position, parts } = await readLong(app.readModels, query, { regions: [region], complianceOn: asOfDate }, {
      kind: 'compliance',
      query: {
        regionCode: region,
        asOfDate,
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(query.includeResolved === undefined ? {} : { includeResolved: query.includeResolved }),
      },
    });
    const list = (await valueOf(parts)) as ComplianceList;
    const counts = Object.fromEntries(COMPLIANCE_KINDS.map((kind) => [kind, list.items.filter((i) => i.kind === kind && i.open).length]));
    return { ...list, position, counts };
  });

  app.get('/batches', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'The 集中开工 batches of a region: size, Σ investment, started on time / late / not yet',
      querystring: z.object({
        regionCode: regionCode().optional().meta({ description: 'Default: every batch the key may read' }),
        ...readOptionsShape,
      }),
      response: { 200: z.object({ position: count, batches: z.array(batchSummary) }) },
    },
  }, async (request) => {
    const { query } = request;
    if (query.regionCode !== undefined) {
      app.regions.assertKnown(query.regionCode);
      assertCovers(request.actor, query.regionCode, 'read');
    }
    const { value: { batches }, position } = await readSliced(app.readModels, 'batches', query, (state) => batchesScan(state, {
      asOfDate: businessDate(query, clock),
      ...(query.regionCode === undefined ? {} : { regionCode: query.regionCode }),
    }), { regions: [] });
    return { position, batches: batches.filter((batch) => covers(request.actor, batch.regionCode, 'read')) };
  });

  app.get('/batches/:batchId', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'One 集中开工 batch with its members and how each started',
      params: z.object({ batchId: batchId() }),
      querystring: z.object(readOptionsShape),
      response: { 200: batchAnswer },
    },
  }, async (request) => {
    // "As of" a moment, the batch's own members are read, and no other project.
    const { state, position } = await readState(app.readModels, runners.batches, request.query, { regions: [] });
    const batch = getBatch(state, request.params.batchId, businessDate(request.query, clock));
    if (batch === undefined) throw new errors.NotFound(`no batch ${request.params.batchId}`);
    assertCovers(request.actor, batch.regionCode, 'read');
    return { ...batch, position };
  });
}

/** The period asked about; the year defaults to the as-of date's. */
function period(query: { readonly year?: number | undefined; readonly quarter?: number | undefined; readonly month?: number | undefined }, asOfDate: IsoDate): PeriodQuery {
  return {
    year: query.year ?? Number(asOfDate.slice(0, 4)),
    ...(query.quarter === undefined ? {} : { quarter: query.quarter }),
    ...(query.month === undefined ? {} : { month: query.month }),
  };
}
