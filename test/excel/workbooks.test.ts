/**
 * The workbooks as a bureau opens them: the ledger with typed cells (dates as dates, 万元 as
 * numbers with two decimals), a frozen header row, filters and widths; the monthly report whose
 * every figure equals the API's for the same region and month.
 */
import t from 'tap';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { buildExcelTestApp, XLSX } from './excel-test-app.js';
import { messyLedger } from './support/messy-ledger.js';

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return book;
}

async function importMessy(app: FastifyInstance): Promise<number> {
  const ledger = await messyLedger({ rows: 150, seed: 3, today: '2026-06-15' });
  const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': XLSX }, payload: ledger.bytes });
  return (JSON.parse(res.body) as { position: number }).position;
}

t.test('the ledger as XLSX: typed cells, frozen header, filters, widths', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const position = await importMessy(app);
  const res = await app.inject({ url: `/v1/projects?regionCode=131121&minPosition=${position}`, headers: { accept: XLSX } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], XLSX);
  t.equal(res.headers['x-position'], String(position));
  const sheet = (await load(res.rawPayload)).worksheets[0];
  if (sheet === undefined) throw new Error('no sheet');
  const headers = (sheet.getRow(1).values as unknown[]).slice(1);
  const col = (header: string) => headers.indexOf(header) + 1;
  const json = await app.inject({ url: '/v1/projects?regionCode=131121&limit=1000' });
  const rows = (JSON.parse(json.body) as { rows: { name: string; plannedInvestment: number; milestones: { Started?: string } }[] }).rows;
  t.equal(sheet.rowCount, rows.length + 1, 'a row per project under the header');
  t.ok(rows.length > 10);
  const started = rows.findIndex((r) => r.milestones.Started !== undefined);
  const row = sheet.getRow(started + 2);
  t.equal(row.getCell(col('项目名称')).value, rows[started]?.name);
  const date = row.getCell(col('开工日期'));
  t.ok(date.value instanceof Date, 'a date is a date');
  t.equal((date.value as Date).toISOString().slice(0, 10), rows[started]?.milestones.Started);
  t.equal(date.numFmt, 'yyyy-mm-dd');
  const planned = row.getCell(col('计划总投资（万元）'));
  t.equal(typeof planned.value, 'number', '万元 is a number');
  t.equal(planned.value, rows[started]?.plannedInvestment);
  t.equal(planned.numFmt, '#,##0.00', 'shown with two decimals');
  t.same(sheet.views[0], { ...sheet.views[0], state: 'frozen', ySplit: 1 }, 'the header row is frozen');
  t.ok(sheet.autoFilter, 'filters on the header');
  t.ok((sheet.getColumn(col('项目名称')).width ?? 0) >= 20, 'the name column is wide enough to read');
});

interface Stats { signed: { count: number; investment: number; over1e8: { count: number } }; started: { count: number; investment: number }; commissioned: { count: number }; reserve: { count: number; investment: number }; completedInvestment: { period: number; ytd: number }; targets: { label: string; target: number; actual: number; ratio: number | null; aheadPoints: number | null }[] }

t.test('the monthly report equals the API for the region and month', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const position = await importMessy(app);
  const targets = await app.inject({ method: 'PUT', url: '/v1/regions/131100/targets/2025', payload: { signedCount: 40, startedInvestment: 500_000, reserveCount: 30, completedInvestment: 100_000 } });
  t.equal(targets.statusCode, 200, targets.body);
  const last = Math.max(position, (JSON.parse(targets.body) as { position: number }).position);

  const month = '2025-05';
  const res = await app.inject({ url: `/v1/reports/monthly?regionCode=131100&month=${month}&minPosition=${last}` });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  t.equal(res.headers['content-type'], XLSX);
  t.match(res.headers['content-disposition'], /monthly-report-131100-2025-05\.xlsx/);
  const book = await load(res.rawPayload);
  t.same(book.worksheets.map((s) => s.name), ['三个一批', '目标进度', '红黑榜', '问题清单']);

  const api = async <T>(url: string): Promise<T> => JSON.parse((await app.inject({ url })).body) as T;
  const batches = book.getWorksheet('三个一批');
  if (batches === undefined) throw new Error('no sheet');
  const byCode = new Map<string, unknown[]>();
  batches.eachRow((row, n) => { if (n > 4) byCode.set(String(row.getCell(2).value), (row.values as unknown[]).slice(1)); });
  for (const code of ['131121', '131122', '131102', '131100']) {
    const s = await api<Stats>(`/v1/stats/pipeline?regionCode=${code}&year=2025&month=5`);
    const cells = byCode.get(code);
    t.same(cells?.slice(2), [
      s.signed.count, s.signed.investment, s.signed.over1e8.count, (s.signed as unknown as { over1e8: { investment: number } }).over1e8.investment,
      s.started.count, s.started.investment, (s.started as unknown as { over1e8: { count: number } }).over1e8.count,
      s.commissioned.count, (s.commissioned as unknown as { investment: number }).investment,
      s.reserve.count, s.reserve.investment,
      s.completedInvestment.period, s.completedInvestment.ytd,
    ], `三个一批 of ${code} equals /v1/stats/pipeline`);
  }
  t.ok(byCode.size >= 4, 'every child region and the whole');

  const county = await api<Stats>('/v1/stats/pipeline?regionCode=131100&year=2025&month=5');
  const targetSheet = book.getWorksheet('目标进度');
  const targetRows: unknown[][] = [];
  targetSheet?.eachRow((row, n) => { if (n > 4) targetRows.push((row.values as unknown[]).slice(1)); });
  t.equal(targetRows.length, 4, 'a row per target set');
  t.same(targetRows, county.targets.map((r) => [r.label, r.target, r.actual, r.ratio, (r as unknown as { schedule: number | null }).schedule, r.aheadPoints].map((v) => v ?? undefined)).map((r) => r.slice(0, lastDefined(r) + 1)), 'targets against 序时进度 as the API has them');

  const redBlack = book.getWorksheet('红黑榜');
  const marks: string[] = [];
  redBlack?.eachRow((row, n) => { if (n > 4) marks.push(`${String(row.getCell(1).value)} ${String(row.getCell(4).value)} ${String(row.getCell(2).value)} ${String(row.getCell(5).value)} ${String(row.getCell(6).value ?? '')}`); });
  const expected: string[] = [];
  for (const [measure, label] of [['signedInvestment', '签约项目合同投资'], ['startedInvestment', '开工项目总投资'], ['completedInvestment', '完成投资'], ['signedOver1e8Count', '亿元以上签约项目数'], ['startedCount', '开工项目数']] as const) {
    const r = await api<{ rows: { regionCode: string; rank: number | null; value: number | null; mark: string | null }[] }>(`/v1/stats/rankings?regionCode=131100&year=2025&month=5&measure=${measure}`);
    for (const row of r.rows) expected.push(`${label} ${row.regionCode} ${String(row.rank)} ${String(row.value)} ${row.mark === 'red' ? '红榜' : row.mark === 'black' ? '黑榜' : ''}`);
  }
  t.same(marks, expected, '红黑榜 as /v1/stats/rankings ranks and marks');

  const compliance = await api<{ counts: Record<string, number> }>('/v1/stats/compliance?regionCode=131100');
  const counts: Record<string, number> = {};
  book.getWorksheet('问题清单')?.eachRow((row, n) => { if (n > 4) counts[String(row.getCell(2).value)] = Number(row.getCell(3).value); });
  t.same(counts, compliance.counts, 'compliance counts as /v1/stats/compliance counts them');
  t.ok(Object.values(counts).some((n) => n > 0), 'and there is something to count');
});

t.test('the monthly report refuses a month to come and a region of no one\'s', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ url: '/v1/reports/monthly?regionCode=131121&month=2026-07' })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/reports/monthly?regionCode=131121&month=2026-13' })).statusCode, 400);
  t.equal((await app.inject({ url: '/v1/reports/monthly?regionCode=131121' })).statusCode, 400);
  const empty = await app.inject({ url: '/v1/reports/monthly?regionCode=131121&month=2026-06' });
  t.equal(empty.statusCode, 200, 'an empty region still reports (zeros)');
});

function lastDefined(row: readonly unknown[]): number {
  for (let i = row.length - 1; i >= 0; i--) if (row[i] !== undefined) return i;
  return -1;
}
