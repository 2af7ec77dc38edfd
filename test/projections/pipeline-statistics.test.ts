/**
 * One test per formula of DOMAIN.md "Statistics that 项目为王 reporting relies on", with the
 * numbers worked by hand in the comments (万元 throughout; 1 亿 = 10,000 万元).
 */
import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import {
  pipelineStatistics, queryPipelineStatistics, InvalidPeriod, type PipelineQuery,
} from '../../projections/pipeline-statistics/index.js';
import { History } from './support/history.js';

const stats = (h: History, query: Omit<PipelineQuery, 'regionCode'> & { regionCode?: string }) =>
  queryPipelineStatistics(foldAll(pipelineStatistics, h.events), { regionCode: '131121', ...query });

t.test('signed: count, Σ contract investment, size classes by 总投资, largest signing', async (t) => {
  const h = new History();
  const sign = (id: string, on: string, contract: number) => {
    h.register(id, { occurredOn: '2024-12-01', plannedInvestment: 5000 });
    h.project(id, 'ProjectSigned', { occurredOn: on, contractInvestment: contract });
  };
  sign('S1', '2025-02-10', 8000); //   < 1 亿
  sign('S2', '2025-03-15', 15000); //  1.5 亿: ≥ 1 亿
  sign('S3', '2025-05-01', 120000); // 12 亿: ≥ 1 亿 and ≥ 10 亿
  // S4: 0.9 亿 contract, but approved at 1 亿 before the signing: 总投资 on the signing date decides the class
  h.register('S4', { occurredOn: '2024-12-01', plannedInvestment: 5000 });
  h.project('S4', 'ProjectApproved', { occurredOn: '2025-05-20', approvedInvestment: 10000 });
  h.project('S4', 'ProjectSigned', { occurredOn: '2025-06-01', contractInvestment: 9000 });
  sign('S5', '2024-12-30', 50000); //  last year
  // S6: 0.95 亿 when signed in July, approved at 2 亿 in August: a signing under 1 亿 on its date
  sign('S6', '2025-07-01', 9500);
  h.project('S6', 'ProjectApproved', { occurredOn: '2025-08-01', approvedInvestment: 20000 });

  const year = stats(h, { year: 2025 });
  // count 5; Σ contract 8000 + 15000 + 120000 + 9000 + 9500 = 161500
  // ≥ 1 亿 on the signing date: S2, S3, S4 → 3, 15000 + 120000 + 9000 = 144000 (not S6: 9500 then);
  // ≥ 10 亿: S3 → 1, 120000
  t.same(year.signed, { count: 5, investment: 161500, over1e8: { count: 3, investment: 144000 }, over1e9: { count: 1, investment: 120000 }, largest: 120000 });
  // July: S6 alone, 9500, under 1 亿 although its 总投资 is 2 亿 today
  t.same(stats(h, { year: 2025, month: 7 }).signed.over1e8, { count: 0, investment: 0 });
  // Q1: S1, S2 → 2, 8000 + 15000 = 23000; ≥ 1 亿: S2
  t.same(stats(h, { year: 2025, quarter: 1 }).signed, { count: 2, investment: 23000, over1e8: { count: 1, investment: 15000 }, over1e9: { count: 0, investment: 0 }, largest: 15000 });
  t.same(stats(h, { year: 2025, month: 6 }).signed.over1e8, { count: 1, investment: 9000 });
  // 纵尺: 2024 had S5 alone: count (5 − 1) ÷ 1 = 4; investment (161500 − 50000) ÷ 50000 = 2.23
  const yoy = Object.fromEntries(year.yearOnYear.rows.map((r) => [r.measure, r]));
  t.same(yoy['signedCount'], { measure: 'signedCount', label: '签约项目数', current: 5, lastYear: 1, growth: 4 });
  t.equal(yoy['signedInvestment']?.growth, 2.23);
  t.equal(yoy['largestSigning']?.lastYear, 50000);
  t.same(year.yearOnYear.period, { year: 2024 });
});

t.test('started and commissioned: Σ 总投资; reserve: registered, not withdrawn, not started, as at the period end', async (t) => {
  const h = new History();
  h.register('R1', { occurredOn: '2024-11-01', plannedInvestment: 3000 });
  h.register('R2', { occurredOn: '2025-02-01', plannedInvestment: 12000, origin: 'government' });
  h.project('R2', 'Started', { occurredOn: '2025-04-10' });
  h.register('R3', { occurredOn: '2025-03-01', plannedInvestment: 8000 });
  h.project('R3', 'Withdrawn', { occurredOn: '2025-09-01' });
  h.register('R4', { occurredOn: '2025-08-01', plannedInvestment: 150000 });
  h.register('R5', { occurredOn: '2024-05-01', plannedInvestment: 6000 });
  h.project('R5', 'Started', { occurredOn: '2024-07-01' });
  h.project('R5', 'Completed', { occurredOn: '2025-03-01' });
  h.project('R5', 'Commissioned', { occurredOn: '2025-05-10' });

  const year = stats(h, { year: 2025 });
  // reserve at 2025-12-31: R1 (3000) and R4 (150000); R2, R5 started, R3 withdrawn → 2, 153000
  t.same(year.reserve, { count: 2, investment: 153000, over1e8: { count: 1, investment: 150000 }, over1e9: { count: 1, investment: 150000 } });
  // at 2025-03-31: R1, R2 (starts in April), R3 (withdrawn in September) → 3, 3000 + 12000 + 8000 = 23000
  t.same(stats(h, { year: 2025, quarter: 1 }).reserve, { count: 3, investment: 23000, over1e8: { count: 1, investment: 12000 }, over1e9: { count: 0, investment: 0 } });
  // at 2024-12-31: R1 only (R5 started in July 2024)
  t.equal(stats(h, { year: 2024 }).reserve.count, 1);
  // started in 2025: R2, 总投资 = planned 12000 (never signed)
  t.same(year.started, { count: 1, investment: 12000, over1e8: { count: 1, investment: 12000 }, over1e9: { count: 0, investment: 0 } });
  t.equal(stats(h, { year: 2024 }).started.investment, 6000);
  t.same(year.commissioned, { count: 1, investment: 6000, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
});

t.test('completed investment: Σ reports by their period, corrections replacing; ytd; since start', async (t) => {
  const h = new History();
  h.register('C1', { occurredOn: '2025-01-02', plannedInvestment: 5000, category: 'industrial' });
  h.project('C1', 'Started', { occurredOn: '2025-01-15' });
  h.project('C1', 'InvestmentReported', { occurredOn: '2025-02-05', period: '2025-01', amount: 100 });
  h.project('C1', 'InvestmentReported', { occurredOn: '2025-03-05', period: '2025-02', amount: 200 });
  h.project('C1', 'InvestmentReported', { occurredOn: '2025-04-01', period: '2025-03', amount: 300 });
  h.project('C1', 'InvestmentCorrected', { occurredOn: '2025-04-02', period: '2025-02', amount: 250 });
  h.project('C1', 'InvestmentReported', { occurredOn: '2025-05-05', period: '2025-04', amount: 400 });
  h.register('C2', { occurredOn: '2024-09-01', plannedInvestment: 5000, category: 'services' });
  h.project('C2', 'Started', { occurredOn: '2024-10-01' });
  h.project('C2', 'InvestmentReported', { occurredOn: '2024-12-05', period: '2024-11', amount: 1000 });
  h.project('C2', 'InvestmentReported', { occurredOn: '2025-03-05', period: '2025-02', amount: 50 });

  // Q1: C1 100 + 250 (corrected from 200) + 300 = 650; C2 50 → 700; since start + C2's 1000 in 2024 = 1700
  t.same(stats(h, { year: 2025, quarter: 1 }).completedInvestment, { period: 700, ytd: 700, sinceStart: 1700 });
  // April: 400; ytd 700 + 400 = 1100; since start 2100
  t.same(stats(h, { year: 2025, month: 4 }).completedInvestment, { period: 400, ytd: 1100, sinceStart: 2100 });
  t.same(stats(h, { year: 2025 }).completedInvestment, { period: 1100, ytd: 1100, sinceStart: 2100 });
  // industrial only: C1 650 in Q1
  t.same(stats(h, { year: 2025, quarter: 1, category: 'industrial' }).completedInvestment, { period: 650, ytd: 650, sinceStart: 650 });
  t.same(stats(h, { year: 2024 }).completedInvestment, { period: 1000, ytd: 1000, sinceStart: 1000 });
});

t.test('funds arrived, funds-in-place rate of signed projects, funding secured', async (t) => {
  const h = new History();
  h.register('F1', { occurredOn: '2025-01-02' });
  h.project('F1', 'ProjectSigned', { occurredOn: '2025-01-10', contractInvestment: 10000 });
  h.project('F1', 'FundsArrived', { occurredOn: '2025-02-10', amount: 1000 });
  h.project('F1', 'FundsArrived', { occurredOn: '2025-05-10', amount: 1500 });
  h.project('F1', 'FundingSecured', { occurredOn: '2025-08-01', amount: 200 });
  h.register('F2', { occurredOn: '2025-01-02' });
  h.project('F2', 'ProjectSigned', { occurredOn: '2025-06-01', contractInvestment: 30000 });
  h.project('F2', 'FundsArrived', { occurredOn: '2025-07-10', amount: 3000 });
  h.register('F3', { occurredOn: '2025-01-02', origin: 'government' });
  h.project('F3', 'FundsArrived', { occurredOn: '2025-03-10', amount: 700 });
  h.project('F3', 'FundingSecured', { occurredOn: '2025-03-20', amount: 800 });

  const year = stats(h, { year: 2025 });
  // arrived: 1000 + 1500 + 3000 + 700 = 6200
  t.same(year.fundsArrived, { period: 6200, ytd: 6200, sinceStart: 6200 });
  // in place: signed projects' funds 1000 + 1500 + 3000 = 5500 ÷ contract 10000 + 30000 = 40000 → 0.1375
  t.same(year.fundsInPlace, { arrived: 5500, contract: 40000, rate: 0.1375 });
  t.equal(year.fundsInPlaceRate, 0.1375);
  // by 2025-03-31 only F1 is signed: 1000 ÷ 10000 = 0.1; all arrivals in Q1: 1000 + 700 = 1700
  const q1 = stats(h, { year: 2025, quarter: 1 });
  t.same(q1.fundsInPlace, { arrived: 1000, contract: 10000, rate: 0.1 });
  t.same(q1.fundsArrived, { period: 1700, ytd: 1700, sinceStart: 1700 });
  // secured: Q1 800; the year 800 + 200 = 1000
  t.same(q1.fundingSecured, { period: 800, ytd: 800 });
  t.same(year.fundingSecured, { period: 1000, ytd: 1000 });
  t.same(stats(h, { year: 2025, quarter: 3 }).fundingSecured, { period: 200, ytd: 1000 });
});

t.test('funds that arrive before the signing count as in place from the signing month', async (t) => {
  const h = new History();
  h.register('F', { occurredOn: '2025-01-02' });
  h.project('F', 'FundsArrived', { occurredOn: '2025-02-10', amount: 500 });
  h.project('F', 'ProjectSigned', { occurredOn: '2025-04-10', contractInvestment: 2000 });
  // end of Q1: not signed yet → no rate; end of Q2: 500 ÷ 2000 = 0.25
  t.same(stats(h, { year: 2025, quarter: 1 }).fundsInPlace, { arrived: 0, contract: 0, rate: null });
  t.same(stats(h, { year: 2025, quarter: 2 }).fundsInPlace, { arrived: 500, contract: 2000, rate: 0.25 });
});

t.test('conversion of a signing cohort: started ÷ signed, commissioned ÷ started, same-year starts', async (t) => {
  const h = new History();
  const signed = (id: string, on: string) => {
    h.register(id, { occurredOn: '2024-01-02' });
    h.project(id, 'ProjectSigned', { occurredOn: on, contractInvestment: 1000 });
  };
  signed('K1', '2024-03-01');
  h.project('K1', 'Started', { occurredOn: '2024-08-01' });
  h.project('K1', 'Completed', { occurredOn: '2025-05-01' });
  h.project('K1', 'Commissioned', { occurredOn: '2025-06-01' });
  signed('K2', '2024-10-01');
  h.project('K2', 'Started', { occurredOn: '2025-02-01' });
  signed('K3', '2024-11-01');
  signed('K4', '2024-05-01');
  h.project('K4', 'Started', { occurredOn: '2024-06-01' });
  signed('K5', '2025-01-10'); // the 2025 cohort, not 2024's

  // cohort 2024: signed 4; started K1, K2, K4 = 3 → 3 ÷ 4 = 0.75; commissioned K1 → 1 ÷ 3 = 0.3333;
  // started in 2024 itself: K1, K4 → 2 ÷ 4 = 0.5
  t.same(stats(h, { year: 2024 }).conversion, {
    signed: 4, started: 3, commissioned: 1, startedSameYear: 2, startRate: 0.75, commissionRate: 0.3333, sameYearStartRate: 0.5,
  });
  t.same(stats(h, { year: 2025 }).conversion, {
    signed: 1, started: 0, commissioned: 0, startedSameYear: 0, startRate: 0, commissionRate: null, sameYearStartRate: 0,
  });
});

t.test('四个当年: land, start, completion and commissioning in one calendar year', async (t) => {
  const h = new History();
  const project = (id: string, land: string, start: string, done: string, commissioned: string) => {
    h.register(id, { occurredOn: '2024-12-01' });
    h.project(id, 'LandAcquired', { occurredOn: land });
    h.project(id, 'Started', { occurredOn: start });
    h.project(id, 'Completed', { occurredOn: done });
    h.project(id, 'Commissioned', { occurredOn: commissioned });
  };
  project('G1', '2025-02-01', '2025-03-01', '2025-10-01', '2025-11-15'); // all in 2025
  project('G2', '2024-12-20', '2025-01-05', '2025-06-01', '2025-07-01'); // land in 2024
  project('G3', '2025-01-20', '2025-02-01', '2025-09-01', '2025-09-01'); // all in 2025, last in September
  t.equal(stats(h, { year: 2025 }).fourSameYear, 2);
  t.equal(stats(h, { year: 2025, quarter: 4 }).fourSameYear, 1, 'counted in the period of the last of the four');
  t.equal(stats(h, { year: 2025, quarter: 3 }).fourSameYear, 1);
  t.equal(stats(h, { year: 2025, quarter: 1 }).fourSameYear, 0);
});

t.test('总投资 on a date: the reserve at a period end and each flow on its milestone date keep the value they had then', async (t) => {
  const h = new History();
  h.register('Q', { occurredOn: '2025-03-01', plannedInvestment: 800 });
  h.register('W', { occurredOn: '2025-01-10', plannedInvestment: 3000 });
  h.project('W', 'ProjectSigned', { occurredOn: '2025-06-15', contractInvestment: 9000 });
  h.register('K', { occurredOn: '2025-01-05', plannedInvestment: 5000, origin: 'government' });
  h.project('K', 'Started', { occurredOn: '2025-04-01' });
  h.project('K', 'ProjectApproved', { occurredOn: '2025-09-01', approvedInvestment: 12000 }); // approved after its start
  h.project('Q', 'ProjectApproved', { occurredOn: '2026-02-10', approvedInvestment: 20000 }); // recorded last, dated 2026

  // reserve at 2025-03-31: Q 800 (planned), W 3000 (not signed yet), K 5000 (starts in April) → 3, 8800
  t.same(stats(h, { year: 2025, quarter: 1 }).reserve, { count: 3, investment: 8800, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
  // at 2025-06-30: Q 800, W 9000 (signed on 06-15, its contract from then); K started → 2, 9800
  t.same(stats(h, { year: 2025, quarter: 2 }).reserve, { count: 2, investment: 9800, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
  // at 2025-12-31 the same 9800: Q's approval is dated 2026 and does not restate last year's reserve
  t.same(stats(h, { year: 2025 }).reserve, { count: 2, investment: 9800, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
  // at 2026-03-31: Q at its approved 20000 (≥ 1 亿 from February), W 9000 → 2, 29000
  t.same(stats(h, { year: 2026, quarter: 1 }).reserve, { count: 2, investment: 29000, over1e8: { count: 1, investment: 20000 }, over1e9: { count: 0, investment: 0 } });
  // and 纵尺 for 2026 compares with the 2025 value as it was: reserve 29000 vs 9800
  const yoy = Object.fromEntries(stats(h, { year: 2026, quarter: 1 }).yearOnYear.rows.map((r) => [r.measure, r]));
  t.match(yoy['reserveInvestment'], { current: 29000, lastYear: 8800 }, 'Q1 2025 (3 projects, 8800)');
  // K started on 2025-04-01 at 5000 (planned then); its approval at 12000 in September does not move the start
  t.same(stats(h, { year: 2025 }).started, { count: 1, investment: 5000, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
});

t.test('资金到位率: a withdrawn project leaves the numerator and the denominator from its withdrawal', async (t) => {
  const h = new History();
  h.register('F1', { occurredOn: '2025-01-05' });
  h.project('F1', 'ProjectSigned', { occurredOn: '2025-02-01', contractInvestment: 10000 });
  h.project('F1', 'FundsArrived', { occurredOn: '2025-03-10', amount: 2000 });
  h.register('F2', { occurredOn: '2025-01-05' });
  h.project('F2', 'ProjectSigned', { occurredOn: '2025-04-01', contractInvestment: 5000 });
  h.project('F2', 'FundsArrived', { occurredOn: '2025-05-05', amount: 1500 });
  h.project('F1', 'Withdrawn', { occurredOn: '2025-08-20', reason: '撤资', approvedBy: '项目办' });

  // at 2025-07-31 both count: (2000 + 1500) ÷ (10000 + 5000) = 3500 ÷ 15000 = 0.2333
  t.same(stats(h, { year: 2025, month: 7 }).fundsInPlace, { arrived: 3500, contract: 15000, rate: 0.2333 });
  // at 2025-08-31 F1 is out of both: 1500 ÷ 5000 = 0.3
  t.same(stats(h, { year: 2025, month: 8 }).fundsInPlace, { arrived: 1500, contract: 5000, rate: 0.3 });
  t.same(stats(h, { year: 2025 }).fundsInPlace, { arrived: 1500, contract: 5000, rate: 0.3 });
  // the funds arrived still count as arrived (a flow): 3500 in 2025
  t.same(stats(h, { year: 2025 }).fundsArrived, { period: 3500, ytd: 3500, sinceStart: 3500 });
  // and F1's signing still counts in its period
  t.equal(stats(h, { year: 2025, quarter: 1 }).signed.count, 1);
});

t.test('序时进度: a county that posts 1/12 of its target as each month closes is at 0 points all month', async (t) => {
  const h = new History();
  h.targets('131121', 2025, '2025-01-05', { completedInvestment: 1200 });
  h.register('P', { occurredOn: '2025-01-02', plannedInvestment: 50000, origin: 'government' });
  h.project('P', 'Started', { occurredOn: '2025-01-03' });
  // 100 a month (1200 ÷ 12), each month's figure posted on its last day
  for (const [period, on] of [['2025-01', '2025-01-31'], ['2025-02', '2025-02-28'], ['2025-03', '2025-03-31']] as const) {
    h.project('P', 'InvestmentReported', { occurredOn: on, period, amount: 100 });
  }
  const row = (asOfDate: string) => stats(h, { year: 2025, asOfDate }).targets[0];
  // every day of April before its end: Jan–Mar ended, m = 3 → 3 ÷ 12 = 0.25; actual 300 ÷ 1200 = 0.25 → 0 points
  for (const day of ['2025-04-01', '2025-04-15', '2025-04-29']) {
    t.match(row(day), { actual: 300, ratio: 0.25, schedule: 0.25, aheadPoints: 0, met: true }, day);
  }
  // on 2025-03-31 March's 100 is in and March has ended: 300 ÷ 1200 vs 3 ÷ 12 → 0
  t.match(row('2025-03-31'), { actual: 300, schedule: 0.25, aheadPoints: 0, met: true });
  // on 2025-04-30 April has ended and its 100 is not posted: 0.25 − 4/12 = −8.33, missed
  t.match(row('2025-04-30'), { actual: 300, schedule: 0.3333, aheadPoints: -8.33, met: false });
});

t.test('标尺: ratio = year-to-date actual ÷ target, schedule = whole months ended ÷ 12, aheadPoints = (ratio − schedule) × 100', async (t) => {
  const h = new History();
  h.targets('131121', 2025, '2025-01-05', { signedCount: 10, startedInvestment: 20000, completedInvestment: 1000, fundingSecured: 0, reserveCount: 2, largestSigning: 1000 });
  for (const [id, on] of [['A', '2025-02-01'], ['B', '2025-03-01'], ['C', '2025-05-01']] as const) {
    h.register(id, { occurredOn: '2025-01-10' });
    h.project(id, 'ProjectSigned', { occurredOn: on, contractInvestment: 1000 });
  }
  h.register('D', { occurredOn: '2025-01-10', plannedInvestment: 12000, origin: 'government' });
  h.project('D', 'Started', { occurredOn: '2025-04-10' });
  h.project('D', 'InvestmentReported', { occurredOn: '2025-05-03', period: '2025-04', amount: 250 });
  h.project('D', 'InvestmentReported', { occurredOn: '2025-06-03', period: '2025-05', amount: 350 });

  // 2025-06-15: January to May have ended → schedule 5 ÷ 12 = 0.4167
  const june = stats(h, { year: 2025, asOfDate: '2025-06-15' });
  t.equal(june.schedule, 0.4167);
  const row = (s: typeof june, m: string) => s.targets.find((r) => r.measure === m);
  // signed 3 ÷ 10 = 0.3 → (0.3 − 5/12) × 100 = −11.67 points; 3 × 12 = 36 < 10 × 5 = 50: missed
  t.same(row(june, 'signedCount'), { measure: 'signedCount', label: '签约项目数', target: 10, actual: 3, ratio: 0.3, schedule: 0.4167, aheadPoints: -11.67, met: false });
  // started 12000 ÷ 20000 = 0.6 → (0.6 − 0.41667) × 100 = +18.33; met
  t.same(row(june, 'startedInvestment'), { measure: 'startedInvestment', label: '开工项目总投资', target: 20000, actual: 12000, ratio: 0.6, schedule: 0.4167, aheadPoints: 18.33, met: true });
  // completed 250 + 350 = 600 ÷ 1000 = 0.6 → +18.33 points
  t.equal(row(june, 'completedInvestment')?.aheadPoints, 18.33);
  t.equal(row(june, 'fundingSecured')?.ratio, null, 'a target of 0 has no ratio');
  t.equal(row(june, 'fundingSecured')?.met, true, 'a target of 0 is met');
  // stocks and breakthroughs are not pro-rated: the reserve at 2025-06-15 holds A, B, C (D started
  // in April) → 3 ≥ 2, met; the largest signing 1000 ≥ 1000, met; neither has a schedule
  t.same(row(june, 'reserveCount'), { measure: 'reserveCount', label: '谋划储备项目数', target: 2, actual: 3, ratio: 1.5, schedule: null, aheadPoints: null, met: true });
  t.same(row(june, 'largestSigning'), { measure: 'largestSigning', label: '单体最大签约项目', target: 1000, actual: 1000, ratio: 1, schedule: null, aheadPoints: null, met: true });
  t.equal(june.targets.length, 6, 'only the measures with a target');

  // the last day of a month ends it: on 2025-06-30 m = 6 → 0.5; signed 0.3 → −20
  const juneEnd = stats(h, { year: 2025, asOfDate: '2025-06-30' });
  t.equal(juneEnd.schedule, 0.5);
  t.equal(row(juneEnd, 'signedCount')?.aheadPoints, -20);
  // and on 2025-07-01 only June has newly ended: still 6
  t.equal(stats(h, { year: 2025, asOfDate: '2025-07-01' }).schedule, 0.5);
  // on 2025-01-20 no month has ended: schedule 0, every flow is on or ahead of it
  const january = stats(h, { year: 2025, asOfDate: '2025-01-20' });
  t.equal(january.schedule, 0);
  t.equal(row(january, 'signedCount')?.aheadPoints, 0);
  t.equal(row(january, 'signedCount')?.met, true);

  // Q1 (no as-of date): schedule 3 ÷ 12 = 0.25; signed by March 2 ÷ 10 = 0.2 → −5 points
  const q1 = stats(h, { year: 2025, quarter: 1 });
  t.equal(q1.schedule, 0.25);
  t.equal(row(q1, 'signedCount')?.aheadPoints, -5);
  // Q2's target rows are year to date: signed 3 by June → 0.3 vs 6 ÷ 12 → −20, while Q2's own count is 1
  const q2 = stats(h, { year: 2025, quarter: 2 });
  t.equal(q2.signed.count, 1);
  t.equal(row(q2, 'signedCount')?.actual, 3);
  // a past year: schedule 12 ÷ 12
  t.equal(stats(h, { year: 2025, asOfDate: '2026-02-01' }).schedule, 1);
  t.equal(stats(h, { year: 2026, asOfDate: '2025-12-01' }).schedule, 0, 'a year not yet begun');
  t.same(stats(h, { year: 2025, category: 'industrial' }).targets, [], 'targets are region-wide');
});

t.test('a year in progress is compared with the same months last year', async (t) => {
  const h = new History();
  for (const [id, on] of [['A', '2024-03-01'], ['B', '2024-09-01'], ['C', '2025-02-01'], ['D', '2025-04-01']] as const) {
    h.register(id, { occurredOn: '2024-01-10' });
    h.project(id, 'ProjectSigned', { occurredOn: on, contractInvestment: 1000 });
  }
  // as of 2025-05-20: 2025 Jan–May has C, D (2); 2024 Jan–May has A (1) → growth (2 − 1) ÷ 1 = 1
  const s = stats(h, { year: 2025, asOfDate: '2025-05-20' });
  t.same(s.months, { from: '2025-01', to: '2025-05' });
  const signed = s.yearOnYear.rows.find((r) => r.measure === 'signedCount');
  t.same(signed, { measure: 'signedCount', label: '签约项目数', current: 2, lastYear: 1, growth: 1 });
  // without an as-of date the whole of 2024 (A, B) is the comparison
  t.equal(stats(h, { year: 2025 }).yearOnYear.rows.find((r) => r.measure === 'signedCount')?.lastYear, 2);
});

t.test('a milestone date correction moves the project to another period', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-10', plannedInvestment: 20000 });
  h.project('P', 'ProjectSigned', { occurredOn: '2025-03-20', contractInvestment: 20000 });
  h.project('P', 'FundsArrived', { occurredOn: '2025-03-25', amount: 2000 });
  h.project('P', 'Started', { occurredOn: '2025-12-28' });
  t.equal(stats(h, { year: 2025, quarter: 1 }).signed.count, 1);
  t.equal(stats(h, { year: 2025 }).started.count, 1);

  h.project('P', 'MilestoneDateCorrected', { occurredOn: '2025-04-02', milestone: 'ProjectSigned' });
  h.project('P', 'MilestoneDateCorrected', { occurredOn: '2026-01-05', milestone: 'Started' });
  t.equal(stats(h, { year: 2025, quarter: 1 }).signed.count, 0);
  t.same(stats(h, { year: 2025, quarter: 2 }).signed, { count: 1, investment: 20000, over1e8: { count: 1, investment: 20000 }, over1e9: { count: 0, investment: 0 }, largest: 20000 });
  // funds that arrived in March count as in place from the (corrected) April signing
  t.same(stats(h, { year: 2025, quarter: 1 }).fundsInPlace, { arrived: 0, contract: 0, rate: null });
  t.same(stats(h, { year: 2025, quarter: 2 }).fundsInPlace, { arrived: 2000, contract: 20000, rate: 0.1 });
  t.equal(stats(h, { year: 2025 }).started.count, 0);
  t.equal(stats(h, { year: 2026 }).started.count, 1);
  t.equal(stats(h, { year: 2025 }).reserve.count, 1, 'not started at the end of 2025 any more');
});

t.test('a DetailsCorrected region or category moves the project and all its flows', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-10', regionCode: '131121', plannedInvestment: 5000 });
  h.project('P', 'Started', { occurredOn: '2025-02-01' });
  h.project('P', 'InvestmentReported', { occurredOn: '2025-03-03', period: '2025-02', amount: 300 });
  h.project('P', 'FundingSecured', { occurredOn: '2025-03-04', amount: 80 });
  h.project('P', 'DetailsCorrected', { occurredOn: '2025-03-05', regionCode: '131102', category: 'services' });
  const before = stats(h, { year: 2025, regionCode: '131121' });
  t.equal(before.started.count, 0);
  t.equal(before.completedInvestment.period, 0);
  const after = stats(h, { year: 2025, regionCode: '131102' });
  t.equal(after.started.count, 1);
  t.equal(after.completedInvestment.period, 300);
  t.equal(after.fundingSecured.period, 80);
  t.equal(stats(h, { year: 2025, regionCode: '131100' }).completedInvestment.period, 300, 'the city holds it either way');
  t.equal(stats(h, { year: 2025, regionCode: '131100', category: 'industrial' }).started.count, 0);
  t.equal(stats(h, { year: 2025, regionCode: '131100', category: 'services' }).started.count, 1);
  // a corrected planned investment changes 总投资 and so the started Σ
  h.project('P', 'DetailsCorrected', { occurredOn: '2025-03-06', plannedInvestment: 15000 });
  t.same(stats(h, { year: 2025, regionCode: '131102' }).started.over1e8, { count: 1, investment: 15000 });
});

t.test('every child region rolls up: townships, custom 开发区 and cities into provinces', async (t) => {
  const h = new History();
  h.register('T', { occurredOn: '2025-01-10', regionCode: '131121001', plannedInvestment: 100 });
  h.register('K', { occurredOn: '2025-01-10', regionCode: '131121-KFQ', plannedInvestment: 200 });
  h.register('J', { occurredOn: '2025-01-10', regionCode: '520500-JHH', plannedInvestment: 400 });
  h.register('B', { occurredOn: '2025-01-10', regionCode: '520502', plannedInvestment: 800 });
  const reserve = (regionCode: string) => stats(h, { year: 2025, regionCode }).reserve.investment;
  t.equal(reserve('131121001'), 100);
  t.equal(reserve('131121'), 300);
  t.equal(reserve('130000'), 300);
  t.equal(reserve('520500-JHH'), 400);
  t.equal(reserve('520500'), 1200);
  t.equal(reserve('000000'), 1500);
  t.equal(reserve('410225'), 0);
});

t.test('the answer names its period, position and months; impossible periods are refused', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-10' });
  const s = stats(h, { year: 2025, quarter: 2 });
  t.same(s.period, { year: 2025, quarter: 2 });
  t.same(s.months, { from: '2025-04', to: '2025-06' });
  t.equal(s.position, 1);
  t.equal(stats(h, { year: 2026, asOfDate: '2025-06-01' }).months, null);
  t.throws(() => stats(h, { year: 2025, quarter: 5 }), InvalidPeriod);
  t.throws(() => stats(h, { year: 2025, quarter: 1, month: 1 }), InvalidPeriod);
  t.throws(() => stats(h, { year: 2025, month: 13 }), InvalidPeriod);
});
