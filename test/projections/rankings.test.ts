import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import { pipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { rankChildRegions } from '../../projections/rankings/index.js';
import { History } from './support/history.js';

const NAMES: Record<string, string> = { '131102': '桃城区', '131121': '枣强县', '131122': '武邑县', '131123': '武强县' };
const nameOf = (code: string) => NAMES[code];

// Counties of 衡水 (131100): signings in 2025 and each county's signedCount target.
const h = new History();
const plan: readonly (readonly [string, number, number])[] = [
  ['131102', 5, 4], //  5 ÷ 4 = 1.25 ≥ schedule 1: met
  ['131121', 4, 10], // 0.4: missed
  ['131122', 4, 3], //  met
  ['131123', 1, 2], //  missed
  ['131124', 0, 1], //  missed (has a target, no signing)
];
for (const [code, signings, target] of plan) {
  h.targets(code, 2025, '2025-01-05', { signedCount: target });
  for (let i = 0; i < signings; i++) {
    const id = `${code}-${i}`;
    h.register(id, { occurredOn: '2025-01-10', regionCode: code });
    h.project(id, 'ProjectSigned', { occurredOn: '2025-03-01', contractInvestment: 1000 * (i + 1) });
  }
}
h.register('OTHER', { occurredOn: '2025-01-10', regionCode: '130102' }); // another city: not a child
const state = foldAll(pipelineStatistics, h.events);

t.test('children ranked by value, ties sharing a rank, with red and black marks (N = 2)', async (t) => {
  const ranking = rankChildRegions(state, { regionCode: '131100', year: 2025, measure: 'signedCount', asOfDate: '2025-12-31', listSize: 2 }, nameOf);
  // by value: 桃城 5 (1), 枣强 4 and 武邑 4 (2, 2), 武强 1 (4), 131124 0 (5)
  // top 2 = ranks ≤ 2: 桃城, 枣强, 武邑; red if met: 桃城, 武邑 (枣强 missed its 10)
  // bottom 2 from the bottom: 131124 (1), 武强 (2); black if missed: both
  t.same(ranking.rows, [
    { regionCode: '131102', name: '桃城区', value: 5, rank: 1, mark: 'red' },
    { regionCode: '131121', name: '枣强县', value: 4, rank: 2, mark: null },
    { regionCode: '131122', name: '武邑县', value: 4, rank: 2, mark: 'red' },
    { regionCode: '131123', name: '武强县', value: 1, rank: 4, mark: 'black' },
    { regionCode: '131124', name: '131124', value: 0, rank: 5, mark: 'black' },
  ]);
  t.equal(ranking.measure, 'signedCount');
  t.same(ranking.period, { year: 2025 });
});

t.test('met means on or ahead of 序时进度: at mid-year half the target suffices', async (t) => {
  // as of 2025-06-30 the schedule is 0.5: 枣强 4 ÷ 10 = 0.4 < 0.5 still missed; 武强 1 ÷ 2 = 0.5 met
  const ranking = rankChildRegions(state, { regionCode: '131100', year: 2025, measure: 'signedCount', asOfDate: '2025-06-30' }, nameOf);
  const marks = Object.fromEntries(ranking.rows.map((r) => [r.regionCode, r.mark]));
  // default N = 3: top 3 = ranks ≤ 3 (桃城, 枣强, 武邑); bottom 3 = 131124, 武强, and the tied 4s (rank 3 from the bottom)
  t.same(marks, { '131102': 'red', '131121': 'black', '131122': 'red', '131123': null, '131124': 'black' });
});

t.test('amount measures answer in 万元; a measure without targets marks nothing', async (t) => {
  const ranking = rankChildRegions(state, { regionCode: '131100', year: 2025, measure: 'signedInvestment' }, nameOf);
  // 桃城: 1000 + 2000 + 3000 + 4000 + 5000 = 15000; 枣强, 武邑: 1000 + … + 4000 = 10000; 武强 1000
  t.same(ranking.rows.map((r) => [r.regionCode, r.value, r.rank, r.mark]), [
    ['131102', 15000, 1, null], ['131121', 10000, 2, null], ['131122', 10000, 2, null], ['131123', 1000, 4, null], ['131124', 0, 5, null],
  ]);
  const rates = rankChildRegions(state, { regionCode: '131100', year: 2025, measure: 'startRate', children: ['131102', '131124'] }, nameOf);
  t.same(rates.rows, [
    { regionCode: '131102', name: '桃城区', value: 0, rank: 1, mark: null },
    { regionCode: '131124', name: '131124', value: null, rank: null, mark: null },
  ], 'no signing → no rate, unranked');
});

t.test('a stock target is met only at its whole target, whatever the month (reserve not pro-rated)', async (t) => {
  // reserveCount targets of 4 each; the reserve at 2025-06-30 is every registered, unstarted project:
  // 桃城 5 (≥ 4: met), 枣强 4 (met), 武邑 4 (met), 武强 1 (missed), 131124 0 (missed).
  const g = new History();
  for (const [code, projects] of [['131102', 5], ['131121', 4], ['131122', 4], ['131123', 1], ['131124', 0]] as const) {
    g.targets(code, 2025, '2025-01-05', { reserveCount: 4 });
    for (let i = 0; i < projects; i++) g.register(`${code}-R${i}`, { occurredOn: '2025-01-10', regionCode: code });
  }
  const reserve = foldAll(pipelineStatistics, g.events);
  const ranking = rankChildRegions(reserve, { regionCode: '131100', year: 2025, measure: 'reserveCount', asOfDate: '2025-06-30', listSize: 2 }, nameOf);
  // top 2: 桃城 (1), 枣强 and 武邑 (2, 2), all met → red; bottom 2: 131124, 武强, both missed → black
  t.same(ranking.rows.map((r) => [r.regionCode, r.value, r.mark]), [
    ['131102', 5, 'red'], ['131121', 4, 'red'], ['131122', 4, 'red'], ['131123', 1, 'black'], ['131124', 0, 'black'],
  ]);
  // a county with 2 reserve projects against 4 at mid-year (2 ÷ 4 = 0.5 = 6 ÷ 12) would have been
  // "on schedule" if stocks were pro-rated; it is missed
  const half = new History();
  half.targets('131121', 2025, '2025-01-05', { reserveCount: 4 });
  half.register('H1', { occurredOn: '2025-01-10' });
  half.register('H2', { occurredOn: '2025-01-10' });
  const halfRanking = rankChildRegions(foldAll(pipelineStatistics, half.events), { regionCode: '131100', year: 2025, measure: 'reserveCount', asOfDate: '2025-06-30', listSize: 1 }, nameOf);
  t.same(halfRanking.rows.map((r) => [r.regionCode, r.mark]), [['131121', 'black']]);
});
