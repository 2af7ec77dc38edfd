/**
 * GET /v1/reports/monthly?regionCode=&month=YYYY-MM: the monthly report workbook (月报) of a
 * region, as a bureau sends it upward: 三个一批 by child region, targets against 序时进度, the
 * 红黑榜 and the compliance counts. Its figures are read through the same functions, with the
 * same arguments, as GET /v1/stats/pipeline, /rankings and /compliance answer for the region and
 * month (excel-reads.ts), so the report and the API agree.
 */
import { z } from 'zod';
import { period } from '../../../commands/shared/dates.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import { MEASURES, type Measure } from '../../../projections/pipeline-statistics/index.js';
import { COMPLIANCE_KINDS } from '../../../projections/compliance/index.js';
import type { Clock } from '../../clock.js';
import { monthlyReportWorkbook } from '../../excel/export/monthly-report.js';
import { XLSX_CONTENT_TYPE } from '../../excel/export/ledger-workbook.js';
import { ALL_ROLES, requireRole } from '../auth/index.js';
import { errors } from '../errors.js';
import type { ExcelReads } from '../excel-reads.js';
import type { ZodApp } from '../zod-app.js';
import { businessDate, queryRegion, readErrorHandler, readOptionsShape } from './read-options.js';

export interface ReportRoutesOptions {
  readonly clock: Clock;
  readonly reads: ExcelReads;
}

/** The measures the report's 红黑榜 ranks the child regions on. */
export const REPORT_RANKING_MEASURES: readonly Measure[] = [
  'signedInvestment', 'startedInvestment', 'completedInvestment', 'signedOver1e8Count', 'startedCount',
];

export const COMPLIANCE_LABELS: Readonly<Record<(typeof COMPLIANCE_KINDS)[number], string>> = {
  'statistics-not-entered': '应统未统',
  'statistics-inconsistent': '入统数据不一致',
  'started-without-approval': '未批先建',
  'idle-land': '闲置土地',
  'overdue-batch-start': '集中开工逾期未开工',
  stalled: '停滞项目',
  'late-report': '迟报',
};

export async function reportRoutes(app: ZodApp, options: ReportRoutesOptions): Promise<void> {
  const { clock, reads } = options;
  app.setErrorHandler(readErrorHandler);

  app.get('/reports/monthly', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'The monthly report workbook (月报) of a region: 三个一批 by child region, targets against 序时进度, 红黑榜, compliance counts',
      description: `Answers \`${XLSX_CONTENT_TYPE}\`. Every figure equals what GET /v1/stats/pipeline, /v1/stats/rankings and /v1/stats/compliance answer for the region and month.`,
      querystring: z.object({
        regionCode: regionCode().optional().meta({ description: 'Default: the key\'s region when it has one' }),
        month: period().meta({ description: 'The month reported, YYYY-MM' }),
        ...readOptionsShape,
      }),
      response: { 200: z.unknown().meta({ description: 'The XLSX workbook' }) },
    },
  }, async (request, reply) => {
    const { query } = request;
    const region = queryRegion(request.actor, query.regionCode, app.regions);
    const asOfDate = businessDate(query, clock);
    if (query.month > asOfDate.slice(0, 7)) throw new errors.Malformed(`month ${query.month} has not begun (today is ${asOfDate})`);
    const read = { asOf: query.asOf, minPosition: query.minPosition };
    const year = Number(query.month.slice(0, 4));
    const month = Number(query.month.slice(5, 7));
    const statistics = await reads.pipeline({ regionCode: region, year, month, asOfDate }, read);
    const children = await Promise.all(app.regions.childrenOf(region).map(async (child) => ({
      regionCode: child.code,
      name: child.name,
      statistics: await reads.pipeline({ regionCode: child.code, year, month, asOfDate }, read),
    })));
    const rankings = await Promise.all(REPORT_RANKING_MEASURES.map(async (measure) => ({
      ...(await reads.rankings({ regionCode: region, measure, year, month, asOfDate }, read)),
      label: MEASURES[measure].label,
    })));
    const compliance = await reads.compliance(region, asOfDate, read);
    const workbook = await monthlyReportWorkbook({
      regionCode: region,
      regionName: app.regions.fullName(region) ?? region,
      month: query.month,
      asOfDate,
      position: statistics.position,
      region: statistics,
      children,
      rankings,
      compliance: COMPLIANCE_KINDS.map((kind) => ({ kind, label: COMPLIANCE_LABELS[kind], count: compliance.counts[kind] })),
    });
    return reply
      .type(XLSX_CONTENT_TYPE)
      .header('content-disposition', `attachment; filename="monthly-report-${region}-${query.month}.xlsx"`)
      .header('x-position', String(statistics.position))
      .send(workbook);
  });
}
