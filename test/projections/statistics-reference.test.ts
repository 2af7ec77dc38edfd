/**
 * The cube against a scan of every project's facts, on generated logs full of corrections
 * (dates, sizes, regions and categories change after the fact): every figure, for random
 * regions at every level, categories and periods.
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { foldAll } from '../../projections/projection.js';
import { pipelineStatistics, queryPipelineStatistics, regionNodes, resolvePeriod } from '../../projections/pipeline-statistics/index.js';
import { readFigures } from '../../projections/pipeline-statistics/figures.js';
import { CATEGORIES } from '../../commands/project/events.js';
import { generateHistory } from './support/generate-history.js';
import { referenceFigures } from './support/reference-statistics.js';

const REGIONS = ['000000', '130000', '131100', '131121', '131121001', '131121-KFQ', '131102', '410000', '520500', '520500-JHH', '330326'];

/**
 * 序时进度's m written out again with Date arithmetic: the months of `year` whose last day is on
 * or before the as-of date, capped at the period's last month (the whole period without one).
 */
function monthsEnded(year: number, quarter: number | undefined, asOfDate: string | undefined): number {
  const last = quarter === undefined ? 12 : quarter * 3;
  if (asOfDate === undefined) return last;
  const dayAfter = new Date(Date.parse(`${asOfDate}T00:00:00Z`) + 86_400_000);
  const ended = (dayAfter.getUTCFullYear() - year) * 12 + dayAfter.getUTCMonth();
  return Math.max(0, Math.min(last, ended));
}

t.test('every figure equals the scan of the facts', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.record({
        region: fc.constantFrom(...REGIONS),
        category: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
        year: fc.integer({ min: 2020, max: 2024 }),
        quarter: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        asOfDate: fc.option(fc.constantFrom('2022-05-17', '2023-11-30', '2024-02-01'), { nil: undefined }),
      }), { minLength: 1, maxLength: 8 }),
      (seed, projects, queries) => {
        const state = foldAll(pipelineStatistics, generateHistory({ seed, projects, fromYear: 2021, years: 3 }));
        for (const q of queries) {
          const period = resolvePeriod(q.quarter === undefined ? { year: q.year } : { year: q.year, quarter: q.quarter }, q.asOfDate);
          const f = readFigures(regionNodes(state, q.region, q.category), period);
          const r = referenceFigures(state, q.region, q.category, period);
          const cube = {
            signed: [...f.signed], started: [...f.started], commissioned: [...f.commissioned], reserve: [...f.reserve],
            largest: f.largestSigning,
            completed: [f.completed.period, f.completed.ytd, f.completed.sinceStart],
            funds: [f.fundsArrived.period, f.fundsArrived.ytd, f.fundsArrived.sinceStart],
            secured: [f.fundingSecured.period, f.fundingSecured.ytd],
            inPlace: [f.fundsInPlace.arrived, f.fundsInPlace.contract],
            cohort: [f.cohort.signed, f.cohort.started, f.cohort.commissioned, f.cohort.startedSameYear],
            fourSameYear: f.fourSameYear,
          };
          deepStrictEqual(cube, r, `seed ${seed}, ${projects} projects, ${JSON.stringify(q)}`);
          if (q.category === undefined) {
            const stats = queryPipelineStatistics(state, { regionCode: q.region, year: q.year, ...(q.quarter === undefined ? {} : { quarter: q.quarter }), ...(q.asOfDate === undefined ? {} : { asOfDate: q.asOfDate }) });
            deepStrictEqual(stats.targets.map(referenceTargetJudgement), stats.targets.map((row) => ({ measure: row.measure, schedule: row.schedule, met: row.met })),
              `targets: seed ${seed}, ${JSON.stringify(q)}`);
            function referenceTargetJudgement(row: (typeof stats.targets)[number]) {
              const m = monthsEnded(q.year, q.quarter, q.asOfDate);
              const stock = row.measure === 'reserveCount' || row.measure === 'reserveInvestment' || row.measure === 'largestSigning';
              return {
                measure: row.measure,
                schedule: stock ? null : Math.round((m / 12) * 10_000) / 10_000,
                met: stock ? row.actual >= row.target : row.actual * 12 >= row.target * m,
              };
            }
          }
        }
      },
    ),
    { numRuns: 60 },
  );
  t.pass('60 generated logs, up to 8 queries each');
});
