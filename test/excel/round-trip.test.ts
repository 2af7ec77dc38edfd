/**
 * The round trip: a city's ledger exported as XLSX and as CSV, each imported into an empty
 * store, gives the same ledger (every row's fields) and the same statistics (the year, a
 * quarter, a month, the children) as the store it came from.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildExcelTestApp, XLSX } from './excel-test-app.js';

type Body = Record<string, unknown>;

async function ok(app: FastifyInstance, method: 'POST', url: string, payload: Body): Promise<Body> {
  const res = await app.inject({ method, url, payload });
  if (res.statusCode >= 300) throw new Error(`${url} ${JSON.stringify(payload)}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body) as Body;
}

/** A history of 枣强县 and 武邑县 (衡水市 131100) with every kind of fact the ledger carries. */
async function writeHistory(app: FastifyInstance): Promise<void> {
  const register = (projectId: string, body: Body) => ok(app, 'POST', '/v1/projects', { projectId, industry: 'C', ...body });
  const post = (projectId: string, type: string, occurredOn: string, body: Body = {}) =>
    ok(app, 'POST', `/v1/projects/${projectId}/milestones`, { type, occurredOn, ...body });

  await register('ZQ-A', { name: '枣强县复合材料产业园', regionCode: '131121', category: 'industrial', origin: 'attracted', plannedInvestment: 8_000, level: 'city', industryClass: '3062', occurredOn: '2025-01-10' });
  await post('ZQ-A', 'NegotiationOpened', '2025-01-20', { investor: '某复材集团', investorOrigin: 'out_of_province', expectedInvestment: 9_000 });
  await post('ZQ-A', 'ProjectSigned', '2025-02-15', { agreementType: 'formal', contractInvestment: 20_000.5, investor: '某复材集团有限公司', investorOrigin: 'out_of_province', signingEvent: '2025京津冀招商大会', promisedStartBy: '2025-06-30' });
  await post('ZQ-A', 'ProjectApproved', '2025-02-20', { kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 21_000, projectCode: '2502-131121-04-01-123456' });
  await post('ZQ-A', 'LandAcquired', '2025-02-25', { method: 'transfer', parcelNo: 'ZQ2025-07', areaMu: 120.5, agreedStartBy: '2025-12-31' });
  await post('ZQ-A', 'Started', '2025-03-01');
  await post('ZQ-A', 'StatisticsEntered', '2025-03-20', { month: '2025-03', plannedInvestment: 21_000 });
  await post('ZQ-A', 'InvestmentReported', '2025-04-05', { period: '2025-03', amount: 1_500 });
  await post('ZQ-A', 'InvestmentReported', '2025-05-06', { period: '2025-04', amount: 2_500.25 });
  await post('ZQ-A', 'InvestmentCorrected', '2025-05-20', { period: '2025-04', amount: 2_600, reason: '统计局核定' });
  await post('ZQ-A', 'InvestmentReported', '2026-02-05', { period: '2026-01', amount: 800 });
  await post('ZQ-A', 'FundsArrived', '2025-03-05', { amount: 3_000, source: 'own', sourceRegion: 'out_of_province' });
  await post('ZQ-A', 'FundsArrived', '2025-06-10', { amount: 2_000, source: 'loan', sourceRegion: 'in_city' });
  await post('ZQ-A', 'FundingSecured', '2025-04-01', { amount: 1_000, source: 'special_bond', documentNo: '冀财债〔2025〕3号' });
  await post('ZQ-A', 'Completed', '2025-12-01');
  await post('ZQ-A', 'Commissioned', '2025-12-20', { partial: false });

  await register('ZQ-B', { name: '枣强县城乡供水一体化工程', regionCode: '131121', category: 'infrastructure', origin: 'government', plannedInvestment: 120_000, occurredOn: '2025-01-20' });
  await post('ZQ-B', 'Started', '2025-04-10');
  await post('ZQ-B', 'InvestmentReported', '2025-05-08', { period: '2025-04', amount: 3_000 });
  await post('ZQ-B', 'InvestmentReported', '2026-06-05', { period: '2026-05', amount: 1_200 });

  await register('ZQ-C', { name: '枣强县冷链物流中心, "二期"', regionCode: '131121', category: 'services', origin: 'local', plannedInvestment: 600, occurredOn: '2025-02-01' });
  await register('ZQ-D', { name: '=HYPERLINK("http://x")智慧园区', regionCode: '131121', category: 'services', origin: 'attracted', plannedInvestment: 15_000, occurredOn: '2026-01-05' });
  await post('ZQ-D', 'ProjectSigned', '2026-03-10', { agreementType: 'framework', contractInvestment: 16_000, investor: '某科技公司', investorOrigin: 'foreign' });

  await register('WY-E', { name: '武邑县新能源电池项目', regionCode: '131122', category: 'industrial', origin: 'attracted', plannedInvestment: 50_000, occurredOn: '2025-05-01' });
  await post('WY-E', 'ProjectSigned', '2025-05-10', { agreementType: 'formal', contractInvestment: 60_000, investor: '某电池公司', investorOrigin: 'out_of_city' });
  await post('WY-E', 'Started', '2025-08-01');
  await post('WY-E', 'Stalled', '2025-10-01', { reason: 'funds' });
  await post('WY-E', 'Resumed', '2026-02-01', { reason: 'funds' });
  await register('WY-F', { name: '武邑县农产品加工园', regionCode: '131122', category: 'agriculture', origin: 'attracted', plannedInvestment: 3_000, occurredOn: '2025-05-01' });
  await post('WY-F', 'ProjectSigned', '2025-05-10', { agreementType: 'formal', contractInvestment: 3_500, investor: '某农业公司', investorOrigin: 'local' });
  await post('WY-F', 'Withdrawn', '2025-11-01', { reason: '投资方资金链断裂', approvedBy: '武邑县政府' });
  await register('WY-G', { name: '武邑县物流园', regionCode: '131122', category: 'services', origin: 'attracted', plannedInvestment: 9_000, occurredOn: '2025-06-01' });
  await post('WY-G', 'ProjectSigned', '2025-06-02', { agreementType: 'formal', contractInvestment: 9_000, investor: '某物流公司', investorOrigin: 'out_of_province' });
  await post('WY-G', 'Started', '2025-07-01');
  await post('WY-G', 'Stalled', '2025-09-01', { reason: 'land' });

  // Commissioned in part, then in full (months later, with a report between), and in part only.
  await register('ZQ-H', { name: '枣强县玻璃钢制品项目', regionCode: '131121', category: 'industrial', origin: 'attracted', plannedInvestment: 6_000, occurredOn: '2025-02-01' });
  await post('ZQ-H', 'Started', '2025-03-01');
  await post('ZQ-H', 'Completed', '2025-08-01');
  await post('ZQ-H', 'Commissioned', '2025-09-01', { partial: true, capacityPct: 60 });
  await post('ZQ-H', 'InvestmentReported', '2025-10-05', { period: '2025-09', amount: 500 });
  await post('ZQ-H', 'Commissioned', '2025-11-15', { partial: false });
  await register('WY-I', { name: '武邑县金属制品项目', regionCode: '131122', category: 'industrial', origin: 'local', plannedInvestment: 4_000, occurredOn: '2025-03-01' });
  await post('WY-I', 'Started', '2025-04-01');
  await post('WY-I', 'Completed', '2026-01-10');
  await post('WY-I', 'Commissioned', '2026-03-01', { partial: true, capacityPct: 40.5 });
}

const VOLATILE = new Set(['revision', 'position', 'lastRecordedAt']);

async function ledgerOf(app: FastifyInstance): Promise<Body[]> {
  const res = await app.inject({ url: '/v1/projects?regionCode=131100&limit=1000' });
  const rows = (JSON.parse(res.body) as { rows: Body[] }).rows;
  return rows
    .map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !VOLATILE.has(key))))
    .sort((a, b) => String(a['projectId']).localeCompare(String(b['projectId'])));
}

/** 投产日期, 投产产能 and 全面投产日期 of the projects commissioned in part (their names hold no separators). */
function commissioningCells(csv: string): string[][] {
  const [header = '', ...lines] = csv.replace(/^\uFEFF/, '').split('\r\n');
  const columns = ['投产日期', '投产产能（%）', '全面投产日期'].map((name) => header.split(',').indexOf(name));
  return lines.filter((line) => /^(ZQ-H|WY-I),/.test(line)).sort().map((line) => columns.map((i) => line.split(',')[i] ?? '?'));
}

const PERIODS = ['year=2025', 'year=2026', 'year=2025&quarter=2', 'year=2026&month=5', 'year=2025&month=4'];

async function statisticsOf(app: FastifyInstance): Promise<Body[]> {
  const answers: Body[] = [];
  for (const region of ['131100', '131121', '131122']) {
    for (const period of PERIODS) {
      const res = await app.inject({ url: `/v1/stats/pipeline?regionCode=${region}&${period}` });
      const { position: _position, ...figures } = JSON.parse(res.body) as Body;
      answers.push({ region, period, ...figures });
    }
  }
  return answers;
}

t.test('a ledger exported as XLSX and as CSV imports into an empty store as the same ledger and statistics', async (t) => {
  const source = await buildExcelTestApp();
  t.teardown(async () => { await source.app.close(); await source.store.close(); });
  await writeHistory(source.app);
  const head = await source.store.headPosition();
  const ledger = await ledgerOf(source.app);
  t.equal(ledger.length, 9);
  const commissioningOf = (id: string) => ledger.find((row) => row['projectId'] === id)?.['commissioning'];
  t.strictSame(
    [commissioningOf('ZQ-A'), commissioningOf('ZQ-H'), commissioningOf('WY-I')],
    [{ partial: false, capacityPct: null, fullOn: null }, { partial: false, capacityPct: null, fullOn: '2025-11-15' }, { partial: true, capacityPct: 40.5, fullOn: null }],
    'the history commissions in full, in part then in full, and in part only',
  );
  const statistics = await statisticsOf(source.app);
  const figure = (i: number, key: string) => ((statistics[i]?.[key] ?? {}) as { count?: number }).count;
  t.ok(figure(0, 'signed') === 4 && figure(0, 'started') === 6 && figure(0, 'commissioned') === 2, 'the history has figures to compare (衡水, 2025)');

  const csv = await source.app.inject({ url: `/v1/projects?regionCode=131100&minPosition=${head}`, headers: { accept: 'text/csv' } });
  const xlsx = await source.app.inject({ url: `/v1/projects?regionCode=131100&minPosition=${head}`, headers: { accept: XLSX } });
  t.strictSame(commissioningCells(csv.body), [['2026-03-01', '40.5', ''], ['2025-09-01', '60', '2025-11-15']], 'the export says which projects are commissioned in part');
  t.equal(xlsx.headers['content-type'], XLSX);
  t.match(xlsx.headers['content-disposition'], /filename="ledger-131100-2026-06-15\.xlsx"/);

  for (const [format, contentType, payload] of [['CSV', 'text/csv', csv.rawPayload], ['XLSX', XLSX, xlsx.rawPayload]] as const) {
    await t.test(format, async (t) => {
      const target = await buildExcelTestApp();
      t.teardown(async () => { await target.app.close(); await target.store.close(); });
      const res = await target.app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': contentType }, payload });
      t.equal(res.statusCode, 200, res.body.slice(0, 300));
      const answer = JSON.parse(res.body) as { summary: { accepted: number; refused: number }; position: number; rows: unknown[] };
      t.same(answer.summary, { ...answer.summary, accepted: 9, refused: 0 }, JSON.stringify(answer.rows.filter((r) => (r as { status: string }).status !== 'accepted')));
      await target.app.inject({ url: `/v1/projects?minPosition=${answer.position}` });
      t.strictSame(await ledgerOf(target.app), ledger, 'the same ledger');
      t.strictSame(await statisticsOf(target.app), statistics, 'the same statistics');
      const exported = await target.app.inject({ url: `/v1/projects?regionCode=131100&minPosition=${answer.position}`, headers: { accept: 'text/csv' } });
      t.strictSame(commissioningCells(exported.body), commissioningCells(csv.body), 'and the partial commissioning\'s capacity and full date, exported again');

      const again = await target.app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': contentType }, payload });
      t.equal((JSON.parse(again.body) as { summary: { unchanged: number } }).summary.unchanged, 9, 'and once only');
    });
  }
});
