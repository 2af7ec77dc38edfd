/**
 * The cube against a scan of every project's facts, on generated logs full of corrections
 * (dates, sizes, regions and categories change after the fact): every figure, for random
 * regions at every level, categories and periods.
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { foldAll } from '../../projections/projection.js';
import { pipelineStatistics, regionNodes, resolvePeriod } from '../../projections/pipeline-statistics/index.js';
import { readFigures } from '../../projections/pipeline-statistics/figures.js';
import { CATEGORIES } from '../../commands/project/events.js';
import { generateHistory } from './support/generate-history.js';
import { referenceFigures } from './support/reference-statistics.js';

const REGIONS = ['000000', '130000', '131100', '131121', '131121001', '131121-KFQ', '131102', '410000', '520500', '520500-JHH', '330326'];

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
        }
      },
    ),
    { numRuns: 60 },
  );
  t.pass('60 generated logs, up to 8 queries each');
});
