/**
 * The statistics reads over HTTP (app.inject): data is posted as commands, then read with
 * `minPosition` = the last command's position. Numbers worked by hand in the comments (万元;
 * 1 亿 = 10,000 万元). The years asked about are past, so a whole year's 序时进度 is 12 ÷ 12.
 */
import t from 'tap';
import type { ZodApp } from '../../src/http/zod-app.js';
import { buildTestApp } from './build-test-app.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { openSnapshotStore } from '../../projections/runner/snapshot-store.js';
import { bearer, buildAuthApp, issue } from '../auth/auth-test-app.js';

const FAST = { RATE_LIMIT_PER_MINUTE: '100000' };

/** Posts a command and returns its position (the test fails on a refusal). */
async function post(app: ZodApp, method: 'POST' | 'PUT', url: string, payload: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await app.inject({ method, url, payload, headers });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
  const position: unknown = res.json().position;
  if (typeof position !== 'number') throw new Error(`no position in ${res.body}`);
  return position;
}

const register = (projectId: string, fields: Record<string, unknown>) => ({
  projectId, name: `项目${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', ...fields,
});
const milestone = (app: ZodApp, projectId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  post(app, 'POST', `/v1/projects/${projectId}/milestones`, body, headers);

/**
 * 枣强县 (131121):
 * - P1 registered 2025-01-06 (planned 52000.5), signed 2025-02-18 (contract 55000), approved
 *   2025-03-03 (56000.25: its 总投资 from then), started 2025-04-08, entered statistics 04-25,
 *   reported 2025-04 3200.1 and 2025-05 4100 corrected to 4150.2; funds 8000 in June;
 *   funding secured 1500 in July.
 * - P2 registered 2024-10-01 (planned 8000), signed 2024-11-20 (contract 8000), started
 *   2025-01-10 without approval and never entered statistics, reported 2025-01 500 and
 *   2025-02 700, completed and commissioned 2025-06-30.
 * - P3 (services) registered 2025-03-01 (planned 30000), signed 2025-05-10 (contract 12000):
 *   still in the reserve.
 * - P4 registered 2025-07-01 (planned 300): in the reserve.
 * Targets for 2025: signedCount 4, signedInvestment 100000, startedInvestment 80000,
 * completedInvestment 10000, reserveCount 2.
 */
async function countyScenario(app: ZodApp): Promise<number> {
  await post(app, 'POST', '/v1/projects', register('P1', { name: '枣强县复合材料产业园', plannedInvestment: 52000.5, occurredOn: '2025-01-06' }));
  await milestone(app, 'P1', { type: 'ProjectSigned', occurredOn: '2025-02-18', agreementType: 'formal', contractInvestment: 55000, investor: '河北某新材料公司', investorOrigin: 'out_of_city' });
  await milestone(app, 'P1', { type: 'ProjectApproved', occurredOn: '2025-03-03', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 56000.25 });
  await milestone(app, 'P1', { type: 'Started', occurredOn: '2025-04-08' });
  await milestone(app, 'P1', { type: 'StatisticsEntered', occurredOn: '2025-04-25', month: '2025-04', plannedInvestment: 56000.25 });
  await milestone(app, 'P1', { type: 'InvestmentReported', occurredOn: '2025-04-30', period: '2025-04', amount: 3200.1 });
  await milestone(app, 'P1', { type: 'InvestmentReported', occurredOn: '2025-05-31', period: '2025-05', amount: 4100 });
  await milestone(app, 'P1', { type: 'InvestmentCorrected', occurredOn: '2025-06-05', period: '2025-05', amount: 4150.2, reason: '统计局核定' });
  await milestone(app, 'P1', { type: 'FundsArrived', occurredOn: '2025-06-10', amount: 8000, source: 'own', sourceRegion: 'out_of_city' });
  await milestone(app, 'P1', { type: 'FundingSecured', occurredOn: '2025-07-15', amount: 1500, source: 'central_budget', documentNo: '发改投资〔2025〕88号' });

  await post(app, 'POST', '/v1/projects', register('P2', { name: '玻璃钢管道扩能', plannedInvestment: 8000, occurredOn: '2024-10-01' }));
  await milestone(app, 'P2', { type: 'ProjectSigned', occurredOn: '2024-11-20', agreementType: 'formal', contractInvestment: 8000, investor: '本地企业', investorOrigin: 'local' });
  await milestone(app, 'P2', { type: 'Started', occurredOn: '2025-01-10' });
  await milestone(app, 'P2', { type: 'InvestmentReported', occurredOn: '2025-02-03', period: '2025-01', amount: 500 });
  await milestone(app, 'P2', { type: 'InvestmentReported', occurredOn: '2025-03-03', period: '2025-02', amount: 700 });
  await milestone(app, 'P2', { type: 'Completed', occurredOn: '2025-06-30' });
  await milestone(app, 'P2', { type: 'Commissioned', occurredOn: '2025-06-30', partial: false });

  await post(app, 'POST', '/v1/projects', register('P3', { name: '智慧物流园', category: 'services', plannedInvestment: 30000, occurredOn: '2025-03-01' }));
  await milestone(app, 'P3', { type: 'ProjectSigned', occurredOn: '2025-05-10', agreementType: 'formal', contractInvestment: 12000, investor: '某物流集团', investorOrigin: 'out_of_province' });
  await post(app, 'POST', '/v1/projects', register('P4', { name: '农产品冷库', category: 'agriculture', origin: 'local', plannedInvestment: 300, occurredOn: '2025-07-01' }));

  return post(app, 'PUT', '/v1/regions/131121/targets/2025', {
    signedCount: 4, signedInvestment: 100000, startedInvestment: 80000, completedInvestment: 10000, reserveCount: 2, occurredOn: '2025-01-05',
  });
}

const sized = (count: number, investment: number, over1e8: [number, number], over1e9: [number, number] = [0, 0]) => ({
  count, investment, over1e8: { count: over1e8[0], investment: over1e8[1] }, over1e9: { count: over1e9[0], investment: over1e9[1] },
});

t.test('a county\'s statistics for a year, a quarter and a month, worked by hand', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const last = await countyScenario(app);

  const res = await app.inject({ url: `/v1/stats/pipeline?regionCode=131121&year=2025&minPosition=${last}` });
  t.equal(res.statusCode, 200);
  const year = res.json();
  t.equal(year.regionCode, '131121');
  t.same(year.period, { year: 2025 });
  t.ok(year.position >= last, 'the answer reflects the last command');
  // signed in 2025: P1 55000 and P3 12000 (contract); both ≥ 1 亿 by 总投资 (56000.25, 12000)
  t.same(year.signed, { ...sized(2, 67000, [2, 67000]), largest: 55000 });
  // started: P2 (总投资 = contract 8000) and P1 (approved 56000.25) → 64000.25; ≥ 1 亿: P1
  t.same(year.started, sized(2, 64000.25, [1, 56000.25]));
  t.same(year.commissioned, sized(1, 8000, [0, 0]));
  // reserve at 2025-12-31: P3 (contract 12000) and P4 (300) → 12300; ≥ 1 亿: P3
  t.same(year.reserve, sized(2, 12300, [1, 12000]));
  // 3200.1 + 4150.2 (the correction replaces 4100) + 500 + 700 = 8550.3
  t.same(year.completedInvestment, { period: 8550.3, ytd: 8550.3, sinceStart: 8550.3 });
  t.same(year.fundsArrived, { period: 8000, ytd: 8000, sinceStart: 8000 });
  t.same(year.fundingSecured, { period: 1500, ytd: 1500 });
  // funds in place: P1's 8000 ÷ Σ contract of everything signed by then (55000 + 8000 + 12000 = 75000) = 0.1067
  t.same(year.fundsInPlace, { arrived: 8000, contract: 75000, rate: 0.1067 });
  // the 2025 cohort (P1, P3): P1 started, in the same year; nothing commissioned
  t.same(year.conversion, { signed: 2, started: 1, commissioned: 0, startedSameYear: 1, startRate: 0.5, commissionRate: 0, sameYearStartRate: 0.5 });
  t.equal(year.schedule, 1);
  const targets = Object.fromEntries((year.targets as Array<{ measure: string }>).map((row) => [row.measure, row]));
  // ratio = actual ÷ target; aheadPoints = (ratio − 1) × 100 for a past year
  t.same(targets['signedCount'], { measure: 'signedCount', label: '签约项目数', target: 4, actual: 2, ratio: 0.5, schedule: 1, aheadPoints: -50, met: false });
  t.match(targets['signedInvestment'], { target: 100000, actual: 67000, ratio: 0.67, aheadPoints: -33 });
  t.match(targets['startedInvestment'], { target: 80000, actual: 64000.25, ratio: 0.8, aheadPoints: -20 });
  t.match(targets['completedInvestment'], { target: 10000, actual: 8550.3, ratio: 0.855, aheadPoints: -14.5 });
  // the reserve is a stock: no schedule, met at 2 ≥ 2
  t.match(targets['reserveCount'], { target: 2, actual: 2, ratio: 1, schedule: null, aheadPoints: null, met: true });
  t.equal(year.targets.length, 5, 'one row per target set');
  // 纵尺: 2024 had P2's signing alone → 2 vs 1, growth 1
  const yoy = Object.fromEntries((year.yearOnYear.rows as Array<{ measure: string }>).map((row) => [row.measure, row]));
  t.match(yoy['signedCount'], { current: 2, lastYear: 1, growth: 1 });
  t.same(year.yearOnYear.period, { year: 2024 });

  // Q2 (April–June), 序时进度 6 ÷ 12 = 0.5; targets compare year to date (January–June)
  const q2 = (await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&quarter=2' })).json();
  t.same(q2.period, { year: 2025, quarter: 2 });
  t.same(q2.signed, { ...sized(1, 12000, [1, 12000]), largest: 12000 }, 'P3 in May');
  t.same(q2.started, sized(1, 56000.25, [1, 56000.25]), 'P1 in April');
  t.same(q2.commissioned, sized(1, 8000, [0, 0]), 'P2 on June 30');
  t.same(q2.reserve, sized(1, 12000, [1, 12000]), 'at June 30: P3 (P4 is registered in July)');
  t.same(q2.completedInvestment, { period: 7350.3, ytd: 8550.3, sinceStart: 8550.3 }, 'April and May; January–June');
  t.same(q2.fundingSecured, { period: 0, ytd: 0 }, 'secured in July');
  t.equal(q2.schedule, 0.5);
  const q2Targets = Object.fromEntries((q2.targets as Array<{ measure: string }>).map((row) => [row.measure, row]));
  t.match(q2Targets['signedCount'], { actual: 2, ratio: 0.5, schedule: 0.5, aheadPoints: 0, met: true }, 'on schedule');
  t.match(q2Targets['completedInvestment'], { actual: 8550.3, ratio: 0.855, aheadPoints: 35.5 }, 'ahead');
  // a stock is not pro-rated: 1 of 2 at mid-year is missed, not on schedule
  t.match(q2Targets['reserveCount'], { actual: 1, ratio: 0.5, schedule: null, aheadPoints: null, met: false });

  const may = (await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&month=5' })).json();
  t.same(may.completedInvestment, { period: 4150.2, ytd: 8550.3, sinceStart: 8550.3 }, 'the corrected May; to date 500 + 700 + 3200.1 + 4150.2');

  const services = (await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&category=services' })).json();
  t.same(services.signed, { ...sized(1, 12000, [1, 12000]), largest: 12000 });
  t.same(services.targets, [], 'targets are region-wide');

  const city = (await app.inject({ url: '/v1/stats/pipeline?regionCode=131100&year=2025' })).json();
  t.same(city.signed, year.signed, 'the city rolls its county up');
  t.same(city.targets, [], 'the city set no targets');
});

t.test('refusals: quarter and month together, impossible periods, unknown regions', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const both = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&quarter=2&month=5' });
  t.equal(both.statusCode, 400);
  t.match(both.headers['content-type'], /^application\/problem\+json/);
  t.match(both.json(), { code: 'PIPELINE_MALFORMED', detail: /quarter or a month/ });
  for (const query of ['quarter=5', 'month=13', 'year=1800', 'year=abc', 'category=casino', 'asOf=yesterday', 'minPosition=-1', 'regionCode=13112']) {
    t.equal((await app.inject({ url: `/v1/stats/pipeline?year=2025&${query}` })).statusCode, 400, query);
  }
  const unknown = await app.inject({ url: '/v1/stats/pipeline?regionCode=999999&year=2025' });
  t.equal(unknown.statusCode, 409);
  t.match(unknown.json(), { code: 'PIPELINE_RULE_BROKEN', rule: 'region-unknown' });
  const measure = await app.inject({ url: '/v1/stats/rankings?regionCode=131100&year=2025&measure=speed' });
  t.equal(measure.statusCode, 400);
  t.match(measure.json().detail, /signedCount/, 'names the valid measures');
  t.equal((await app.inject({ url: '/v1/stats/compliance?regionCode=131121&kind=bribery' })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/batches/NOPE' })).statusCode, 404);
});

/**
 * The county scenario, then a moment, then a correction of P1's May report (4150.2 → 4000):
 * the moment, the last position before the correction (positions need not be contiguous:
 * KurrentDB's are log offsets) and the correction's position.
 */
async function scenarioThenCorrection(app: ZodApp, store: { headPosition(): Promise<number> }): Promise<{ before: string; headBefore: number; corrected: number }> {
  await countyScenario(app);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const before = new Date().toISOString();
  const headBefore = await store.headPosition();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const corrected = await milestone(app, 'P1', { type: 'InvestmentCorrected', occurredOn: '2025-06-20', period: '2025-05', amount: 4000, reason: '再次核定' });
  return { before, headBefore, corrected };
}

t.test('asOf answers as the data stood then; minPosition reads your writes, or 503 when the read models lag', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const { before, headBefore, corrected } = await scenarioThenCorrection(app, store);

  const now = await app.inject({ url: `/v1/stats/pipeline?regionCode=131121&year=2025&month=5&minPosition=${corrected}` });
  t.equal(now.json().completedInvestment.period, 4000, 'the write just made');
  t.equal(now.json().position, corrected);
  const then = await app.inject({ url: `/v1/stats/pipeline?regionCode=131121&year=2025&month=5&asOf=${encodeURIComponent(before)}` });
  t.equal(then.statusCode, 200);
  t.equal(then.json().completedInvestment.period, 4150.2, 'the correction was not yet recorded');
  t.ok(headBefore > 0 && headBefore < corrected);
  t.equal(then.json().position, headBefore, 'the position the earlier picture reflects');
  const beforeAll = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&asOf=2020-01-01T00:00:00Z' });
  t.match(beforeAll.json(), { position: 0, signed: { count: 0 }, targets: [] }, 'nothing was recorded in 2020');

  // The read models stop following the log: a read that needs a newer position is refused.
  await app.readModels.runner.stop();
  const unseen = await milestone(app, 'P4', { type: 'NegotiationOpened', occurredOn: '2025-08-01', investor: '某冷链公司', investorOrigin: 'local', expectedInvestment: 300 });
  const behind = await app.inject({ url: `/v1/stats/pipeline?regionCode=131121&year=2025&minPosition=${unseen}` });
  t.equal(behind.statusCode, 503);
  t.match(behind.json(), { code: 'PIPELINE_NOT_READY', detail: /read models are behind/ });
  t.equal(behind.headers['retry-after'], '1');
  t.equal((await app.inject({ url: `/v1/stats/pipeline?regionCode=131121&year=2025&minPosition=${corrected}` })).statusCode, 200, 'an older position is there');
});

t.test('asOf after a restart: the statistics\' history in statistics-history.db answers the same, without a replay', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statistics-as-of-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openEmbeddedStore({ path: join(dir, 'events.db') });
  t.teardown(() => store.close());
  const readModelsPath = join(dir, 'read-models.db');
  const statisticsHistoryPath = join(dir, 'statistics-history.db');
  const start = async () => {
    const app = await buildApp({ store, config: loadConfig({ AUTH: 'off', ...FAST }), snapshots: openSnapshotStore(readModelsPath), statisticsHistoryPath });
    await app.ready();
    return app;
  };
  const first = await start();
  const { before, headBefore, corrected } = await scenarioThenCorrection(first, store);
  const ask = (app: ZodApp, url: string) => app.inject({ url: `${url}&asOf=${encodeURIComponent(before)}&minPosition=${corrected}` });
  const urls = ['/v1/stats/pipeline?regionCode=131121&year=2025&month=5', '/v1/stats/pipeline?regionCode=131100&year=2025', '/v1/stats/rankings?regionCode=131100&year=2025&measure=signedCount'];
  const answers = await Promise.all(urls.map(async (url) => (await ask(first, url)).json()));
  t.match(answers[0], { position: headBefore, completedInvestment: { period: 4150.2 } }, 'the correction was not yet recorded');
  await first.close();

  const second = await start();
  t.teardown(() => second.close());
  t.equal(second.readModels.history?.positionRecordedBy(Date.parse(before)), headBefore, 'the moment is the history\'s, kept across the restart');
  for (const [i, url] of urls.entries()) {
    const again = await ask(second, url);
    t.equal(again.statusCode, 200);
    t.same(again.json(), answers[i], `${url}: the same answer after the restart`);
  }
});

t.test('rankings: the counties of 衡水 ranked, red and black with N = 1', async (t) => {
  const { app, store } = await buildTestApp({ ...FAST, RANKING_MARKS: '1' });
  t.teardown(async () => { await app.close(); await store.close(); });
  // 枣强 signs 2 against a target of 1 (met); 武邑 1 against 5 (missed); 武强 none against 3 (missed)
  const sign = async (id: string, regionCode: string) => {
    await post(app, 'POST', '/v1/projects', register(id, { regionCode, plannedInvestment: 5000, occurredOn: '2025-01-10' }));
    return milestone(app, id, { type: 'ProjectSigned', occurredOn: '2025-03-01', agreementType: 'formal', contractInvestment: 5000, investor: '某公司', investorOrigin: 'local' });
  };
  await sign('ZQ-1', '131121');
  await sign('ZQ-2', '131121');
  await sign('WY-1', '131122');
  await post(app, 'PUT', '/v1/regions/131121/targets/2025', { signedCount: 1 });
  await post(app, 'PUT', '/v1/regions/131122/targets/2025', { signedCount: 5 });
  const last = await post(app, 'PUT', '/v1/regions/131123/targets/2025', { signedCount: 3 });

  const res = await app.inject({ url: `/v1/stats/rankings?regionCode=131100&year=2025&measure=signedCount&minPosition=${last}` });
  t.equal(res.statusCode, 200);
  const ranking = res.json();
  t.match(ranking, { regionCode: '131100', measure: 'signedCount', listSize: 1, period: { year: 2025 } });
  const rows = ranking.rows as Array<{ regionCode: string }>;
  t.equal(rows.length, 13, 'every child region of 衡水 in the catalogue');
  t.same(rows[0], { regionCode: '131121', name: '枣强县', value: 2, rank: 1, mark: 'red' }, 'top and met: red');
  t.same(rows[1], { regionCode: '131122', name: '武邑县', value: 1, rank: 2, mark: null }, 'missed, but not in the bottom 1');
  const byCode = Object.fromEntries(rows.map((row) => [row.regionCode, row]));
  t.same(byCode['131123'], { regionCode: '131123', name: '武强县', value: 0, rank: 3, mark: 'black' }, 'bottom (tied) and missed: black');
  t.same(byCode['131102'], { regionCode: '131102', name: '桃城区', value: 0, rank: 3, mark: null }, 'bottom without a target: no mark');

  const amounts = (await app.inject({ url: '/v1/stats/rankings?regionCode=131100&year=2025&measure=signedInvestment' })).json();
  t.same(amounts.rows.slice(0, 2).map((row: { value: number }) => row.value), [10000, 5000], 'amounts in 万元');
});

t.test('compliance: 未批先建 and 应统未统, judged today or as of a moment', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const last = await countyScenario(app);

  const res = await app.inject({ url: `/v1/stats/compliance?regionCode=131121&kind=started-without-approval&minPosition=${last}` });
  t.equal(res.statusCode, 200);
  const unapproved = res.json();
  t.match(unapproved, { regionCode: '131121', kind: 'started-without-approval', position: last });
  t.match(unapproved.items, [{ kind: 'started-without-approval', projectId: 'P2', name: '玻璃钢管道扩能', since: '2025-01-10', open: true, flagged: true }]);
  t.equal(unapproved.items.length, 1, 'P1 was approved before it started');
  t.equal(unapproved.counts['started-without-approval'], 1);

  const notEntered = (await app.inject({ url: '/v1/stats/compliance?regionCode=131121&kind=statistics-not-entered' })).json();
  // P2 started 2025-01-10 (planned 8000 ≥ 500) and never entered: due 30 days later, 2025-02-09
  t.match(notEntered.items, [{ projectId: 'P2', since: '2025-02-09', open: true, resolvedOn: null }]);
  t.equal(notEntered.items.length, 1, 'P1 entered 17 days after its start');

  const all = (await app.inject({ url: '/v1/stats/compliance?regionCode=131121' })).json();
  t.equal(all.kind, null);
  t.ok(all.items.some((item: { kind: string }) => item.kind === 'late-report'), 'everything was posted long after it happened');

  // As of a moment before P2 started (nothing of it recorded yet), nothing is flagged for it.
  const early = (await app.inject({ url: '/v1/stats/compliance?regionCode=131121&kind=started-without-approval&asOf=2020-01-01T00:00:00Z' })).json();
  t.same(early.items, []);
  t.equal(early.asOfDate, '2020-01-01');
});

t.test('batches: size, Σ investment, started on time, late, not yet', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  for (const id of ['B-1', 'B-2', 'B-3']) {
    await post(app, 'POST', '/v1/projects', register(id, { plannedInvestment: 12000.5, occurredOn: '2025-01-06' }));
  }
  await post(app, 'POST', '/v1/batches', {
    batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '枣强县2025年第二季度集中开工', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-04-30', projectIds: ['B-1', 'B-2', 'B-3'],
  });
  await milestone(app, 'B-1', { type: 'Started', occurredOn: '2025-04-08', batchId: 'ZQ-2025-Q2' });
  const last = await milestone(app, 'B-2', { type: 'Started', occurredOn: '2025-05-20', batchId: 'ZQ-2025-Q2' });

  const res = await app.inject({ url: `/v1/batches/ZQ-2025-Q2?minPosition=${last}` });
  t.equal(res.statusCode, 200);
  // 3 × 12000.5 = 36001.5; B-1 on time, B-2 late, B-3 not yet and past its deadline today
  t.match(res.json(), { batchId: 'ZQ-2025-Q2', size: 3, investment: 36001.5, startedOnTime: 1, startedLate: 1, notStarted: 1, overdue: 1, position: last });
  t.same(res.json().members.map((m: { status: string }) => m.status), ['on-time', 'late', 'not-started']);
  const list = (await app.inject({ url: '/v1/batches?regionCode=131121' })).json();
  t.same(list.batches.map((b: { batchId: string }) => b.batchId), ['ZQ-2025-Q2']);
  t.same((await app.inject({ url: '/v1/batches?regionCode=131122' })).json().batches, []);
});

t.test('region scope: a dashboard of one county reads its own statistics only', async (t) => {
  const { app, store } = await buildAuthApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const auditor = await issue(app, { role: 'auditor', regions: ['131121'] });
  const read = (url: string, key: string) => app.inject({ url, headers: bearer(key) });

  t.equal((await read('/v1/stats/pipeline?regionCode=131121&year=2025', dashboard.key)).statusCode, 200);
  const other = await read('/v1/stats/pipeline?regionCode=131122&year=2025', dashboard.key);
  t.equal(other.statusCode, 403);
  t.match(other.json(), { code: 'PIPELINE_FORBIDDEN' });
  t.equal((await read('/v1/stats/pipeline?regionCode=131100&year=2025', dashboard.key)).statusCode, 403, 'nor its city');
  t.equal((await read('/v1/stats/rankings?regionCode=131100&year=2025&measure=signedCount', dashboard.key)).statusCode, 403);
  t.equal((await read('/v1/stats/compliance?regionCode=131122', dashboard.key)).statusCode, 403);
  const own = await read('/v1/stats/pipeline?year=2025', dashboard.key);
  t.equal(own.json().regionCode, '131121', 'without regionCode: the key\'s own region');
  t.equal((await read('/v1/stats/pipeline?regionCode=131122&year=2025', auditor.key)).statusCode, 403, 'an auditor reads its key\'s regions only');
  t.equal((await read('/v1/stats/pipeline?regionCode=131121&year=2025', auditor.key)).statusCode, 200);
  t.equal((await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025' })).statusCode, 401, 'no key');
});

t.test('the answers are documented in the OpenAPI document', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  const pipeline = doc.paths['/v1/stats/pipeline'].get;
  const answer = pipeline.responses['200'].content['application/json'].schema;
  t.ok(answer.properties.signed.properties.over1e8, 'the statistics answer shape');
  t.ok(answer.properties.targets, 'targets');
  t.ok(pipeline.parameters.some((p: { name: string }) => p.name === 'minPosition'));
  t.ok(doc.paths['/v1/stats/rankings'].get.responses['200'], 'rankings');
  t.ok(doc.paths['/v1/stats/compliance'].get.responses['200'], 'compliance');
  t.ok(doc.paths['/v1/batches/{batchId}'].get.responses['200'], 'a batch');
});
