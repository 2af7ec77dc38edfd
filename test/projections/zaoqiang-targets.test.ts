/**
 * The 枣强县 (131121) scenario of DOMAIN.md: a year's targets (reserve ≥ 100 projects and
 * ≥ 300 亿, funding secured ≥ 8 亿, started-project investment ≥ 200 亿, completed investment
 * ≥ 100 亿, ≥ 30 signings of ≥ 1 亿 projects, a single signing ≥ 50 亿) against a year of
 * events, read through 标尺 at mid-year and at year end. 万元 throughout: 1 亿 = 10,000 万元.
 */
import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import { pipelineStatistics, queryPipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { History } from './support/history.js';

const ZAOQIANG = '131121';
const h = new History();
h.targets(ZAOQIANG, 2025, '2025-01-08', {
  reserveCount: 100,
  reserveInvestment: 3_000_000, //  300 亿
  fundingSecured: 80_000, //         8 亿
  startedInvestment: 2_000_000, //   200 亿
  completedInvestment: 1_000_000, // 100 亿
  signedOver1e8Count: 30,
  largestSigning: 500_000, //        50 亿
});

const day = (n: number) => String((n % 28) + 1).padStart(2, '0');
const month = (n: number) => String(n).padStart(2, '0');

// Reserve: 100 projects of 2.5 亿 and 10 of 5 亿 registered through the year, none started:
// 100 × 25000 + 10 × 50000 = 3,000,000 万元 = 300 亿.
for (let i = 0; i < 110; i++) {
  h.register(`ZQ-R${i}`, { occurredOn: `2025-${month(1 + (i % 12))}-${day(i)}`, regionCode: ZAOQIANG, plannedInvestment: i < 100 ? 25_000 : 50_000 });
}

// 32 signings of 1.5 亿 (March–October), all started in November.
for (let i = 0; i < 32; i++) {
  const id = `ZQ-S${i}`;
  h.register(id, { occurredOn: '2025-01-15', regionCode: ZAOQIANG, plannedInvestment: 12_000 });
  h.project(id, 'ProjectSigned', { occurredOn: `2025-${month(3 + (i % 8))}-${day(i)}`, contractInvestment: 15_000 });
  h.project(id, 'Started', { occurredOn: `2025-11-${day(i)}` });
}

// The breakthrough: a 60 亿 signing in May, started 2025-06-01, reporting 10000 a month June–December.
h.register('ZQ-BIG', { occurredOn: '2025-02-01', regionCode: ZAOQIANG, plannedInvestment: 500_000 });
h.project('ZQ-BIG', 'ProjectSigned', { occurredOn: '2025-05-18', contractInvestment: 600_000 });
h.project('ZQ-BIG', 'Started', { occurredOn: '2025-06-01' });
for (let m = 6; m <= 12; m++) {
  h.project('ZQ-BIG', 'InvestmentReported', { occurredOn: `${m === 12 ? '2025-12-31' : `2025-${month(m + 1)}-03`}`, period: `2025-${month(m)}`, amount: 10_000 });
}

// Five government projects of 20 亿, registered in 2024, started in January, 15000 a month all year.
for (let i = 0; i < 5; i++) {
  const id = `ZQ-G${i}`;
  h.register(id, { occurredOn: '2024-12-01', regionCode: ZAOQIANG, origin: 'government', category: 'infrastructure', plannedInvestment: 200_000 });
  h.project(id, 'Started', { occurredOn: `2025-01-${day(i + 5)}` });
  for (let m = 1; m <= 12; m++) {
    h.project(id, 'InvestmentReported', { occurredOn: `${m === 12 ? '2025-12-31' : `2025-${month(m + 1)}-02`}`, period: `2025-${month(m)}`, amount: 15_000 });
  }
  // Four of them secured 2.5 亿 of special bonds in April.
  if (i < 4) h.project(id, 'FundingSecured', { occurredOn: '2025-04-20', amount: 25_000 });
}

const state = foldAll(pipelineStatistics, h.events);
const rows = (asOfDate: string) =>
  Object.fromEntries(queryPipelineStatistics(state, { regionCode: ZAOQIANG, year: 2025, asOfDate }).targets.map((r) => [r.measure, r]));

t.test('at year end', async (t) => {
  const end = rows('2025-12-31');
  // 110 ÷ 100 = 1.1: a stock, not pro-rated (no schedule, no points), met at 110 ≥ 100
  t.same(end['reserveCount'], { measure: 'reserveCount', label: '谋划储备项目数', target: 100, actual: 110, ratio: 1.1, schedule: null, aheadPoints: null, met: true });
  // 3,000,000 ÷ 3,000,000 = 1 → met exactly
  t.same(end['reserveInvestment'], { measure: 'reserveInvestment', label: '谋划储备项目总投资', target: 3_000_000, actual: 3_000_000, ratio: 1, schedule: null, aheadPoints: null, met: true });
  // 4 × 25000 = 100,000 ÷ 80,000 = 1.25 → +25
  t.same(end['fundingSecured'], { measure: 'fundingSecured', label: '争取资金', target: 80_000, actual: 100_000, ratio: 1.25, schedule: 1, aheadPoints: 25, met: true });
  // started 总投资: 32 × 15000 (signed, 总投资 = contract) + 600,000 + 5 × 200,000 = 480,000 + 600,000 + 1,000,000
  // = 2,080,000 ÷ 2,000,000 = 1.04 → +4
  t.same(end['startedInvestment'], { measure: 'startedInvestment', label: '开工项目总投资', target: 2_000_000, actual: 2_080_000, ratio: 1.04, schedule: 1, aheadPoints: 4, met: true });
  // completed: 5 × 12 × 15000 = 900,000 + 7 × 10000 = 70,000 → 970,000 ÷ 1,000,000 = 0.97 → −3 (missed)
  t.same(end['completedInvestment'], { measure: 'completedInvestment', label: '完成投资', target: 1_000_000, actual: 970_000, ratio: 0.97, schedule: 1, aheadPoints: -3, met: false });
  // ≥ 1 亿 signings: 32 + the 60 亿 one = 33 ÷ 30 = 1.1 → +10
  t.same(end['signedOver1e8Count'], { measure: 'signedOver1e8Count', label: '亿元以上签约项目数', target: 30, actual: 33, ratio: 1.1, schedule: 1, aheadPoints: 10, met: true });
  // largest signing 600,000 ÷ 500,000 = 1.2: the ≥ 50 亿 breakthrough, met, not pro-rated
  t.same(end['largestSigning'], { measure: 'largestSigning', label: '单体最大签约项目', target: 500_000, actual: 600_000, ratio: 1.2, schedule: null, aheadPoints: null, met: true });
  const missed = Object.values(end).filter((r) => !r.met).map((r) => r.measure);
  t.same(missed, ['completedInvestment']);
});

t.test('at mid-year (序时进度 6 ÷ 12 = 0.5)', async (t) => {
  const june = rows('2025-06-30');
  // reserve at 2025-06-30: ZQ-R i is registered in month 1 + (i % 12); 110 = 9 × 12 + 2, so months 1–2
  // take 10 each and months 3–6 take 9 each → 20 + 36 = 56; plus the 32 signed projects, registered
  // in January and not started before November → 88: a stock held to its whole target, 88 < 100,
  // missed in June whatever the month (no 序时进度 for a stock)
  t.equal(june['reserveCount']?.actual, 88);
  t.equal(june['reserveCount']?.aheadPoints, null);
  t.equal(june['reserveCount']?.met, false);
  // completed: government 5 × 6 × 15000 = 450,000 + June's 10000 = 460,000 → 0.46 − 0.5 = −4 points
  t.equal(june['completedInvestment']?.actual, 460_000);
  t.equal(june['completedInvestment']?.aheadPoints, -4);
  // signings ≥ 1 亿 by June: the 32 are signed in month 3 + (i % 8): months 3–6 → i % 8 < 4 → 16; + the 60 亿 one = 17
  t.equal(june['signedOver1e8Count']?.actual, 17);
  // 17 ÷ 30 = 0.5667 → (0.56666… − 0.5) × 100 = 6.67
  t.equal(june['signedOver1e8Count']?.aheadPoints, 6.67);
  // secured in April: 100,000 ÷ 80,000 = 1.25 → 75 points ahead of a half-year schedule
  t.equal(june['fundingSecured']?.aheadPoints, 75);
});

t.test('the statistics of the year', async (t) => {
  const s = queryPipelineStatistics(state, { regionCode: ZAOQIANG, year: 2025 });
  t.same(s.signed, { count: 33, investment: 1_080_000, over1e8: { count: 33, investment: 1_080_000 }, over1e9: { count: 1, investment: 600_000 }, largest: 600_000 });
  t.equal(s.started.count, 38);
  t.same(s.reserve.over1e8, { count: 110, investment: 3_000_000 });
  // the city (衡水 131100) and the province (河北 130000) see the same numbers: all of them are in 枣强
  t.same(queryPipelineStatistics(state, { regionCode: '131100', year: 2025 }).signed, s.signed);
  t.same(queryPipelineStatistics(state, { regionCode: '130000', year: 2025 }).completedInvestment, { period: 970_000, ytd: 970_000, sinceStart: 970_000 });
  t.same(queryPipelineStatistics(state, { regionCode: '131100', year: 2025 }).targets, [], 'the city set no targets');
});
