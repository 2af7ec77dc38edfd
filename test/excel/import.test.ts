/**
 * POST /v1/imports with the 500-row messy ledger (generated, seeded): the dry run names every
 * planted error by row and column, and no other, and writes nothing; the real run imports
 * exactly the good rows; the same file again appends nothing; a project that exists gets only
 * the milestones it has not recorded.
 */
import t from 'tap';
import { buildExcelTestApp, XLSX } from './excel-test-app.js';
import { messyLedger } from './support/messy-ledger.js';

interface Problem { column: string; cell: string; value: string; problem: string; fix: string; rule?: string }
interface Row {
  row: number;
  status: 'accepted' | 'unchanged' | 'refused' | 'skipped';
  projectId?: string | null;
  name?: string | null;
  existing?: boolean;
  events?: { type: string; occurredOn: string | null; data: Record<string, unknown> }[];
  notes?: string[];
  problems?: Problem[];
}
interface Answer {
  dryRun: boolean;
  headerRow: number;
  summary: { rows: number; accepted: number; unchanged: number; refused: number; skipped: number; events: number };
  position: number;
  rows: Row[];
}

const TODAY = '2026-06-15';

t.test('the messy ledger: the dry run names every planted error and no other, the real run imports the good rows once', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const ledger = await messyLedger({ rows: 500, seed: 14, today: TODAY, errorEvery: 20 });
  t.equal(ledger.planted.length, 25);

  const post = async (dryRun: boolean): Promise<Answer> => {
    const res = await app.inject({ method: 'POST', url: `/v1/imports?dryRun=${dryRun}`, headers: { 'content-type': XLSX }, payload: ledger.bytes });
    t.equal(res.statusCode, 200, res.body.slice(0, 300));
    return JSON.parse(res.body) as Answer;
  };

  const dry = await post(true);
  t.equal(dry.headerRow, ledger.headerRow, 'the header row is found below the merged title rows');
  t.equal(await store.headPosition(), 0, 'a dry run writes nothing');
  const refused = dry.rows.filter((row) => row.status === 'refused');
  const named = refused.flatMap((row) => (row.problems ?? []).map((p) => ({ row: row.row, column: p.column, rule: p.rule })));
  t.same(
    named.map((p) => `${p.row} ${p.column}`).sort(),
    ledger.planted.map((p) => `${p.row} ${p.column}`).sort(),
    'exactly the planted errors, by row and column',
  );
  for (const planted of ledger.planted.filter((p) => p.rule !== undefined)) {
    t.equal(named.find((p) => p.row === planted.row)?.rule, planted.rule, `row ${planted.row} (${planted.kind}) names the rule ${planted.rule}`);
  }
  for (const problem of refused.flatMap((row) => row.problems ?? [])) {
    t.ok(problem.cell !== '' && problem.fix !== '' && problem.problem !== '', `${problem.cell}: cell, problem and fix (${problem.problem})`);
  }
  t.same(dry.rows.filter((row) => row.status === 'accepted').map((row) => row.row), ledger.goodRows, 'every good row is accepted');
  t.equal(dry.summary.events, ledger.goodEvents, 'with the events its columns imply');
  t.same(dry.rows.filter((row) => row.status === 'skipped').map((row) => row.row), [ledger.totalRow], 'the 合计 row is skipped');

  const real = await post(false);
  t.same(real.rows.map((row) => [row.row, row.status]), dry.rows.map((row) => [row.row, row.status]), 'the real run answers as the dry run did');
  t.equal(real.summary.events, ledger.goodEvents);
  t.ok(real.position > 0, 'the answer carries the position of the import');
  const ledgerRows = await app.inject({ url: `/v1/projects?limit=1000&minPosition=${real.position}` });
  const imported = (JSON.parse(ledgerRows.body) as { rows: { name: string }[] }).rows.map((r) => r.name).sort();
  const goodNames = real.rows.filter((row) => row.status === 'accepted').map((row) => row.name ?? '').sort();
  t.same(imported, goodNames, 'the ledger holds exactly the good rows');

  const verify = JSON.parse((await app.inject({ url: '/v1/audit/verify' })).body) as { streams: number; intact: number; events: number };
  t.same([verify.streams, verify.intact, verify.events], [ledger.goodRows.length, ledger.goodRows.length, ledger.goodEvents], 'every imported stream\'s hash chain is intact');
  const history = JSON.parse((await app.inject({ url: `/v1/projects/${real.rows.find((r) => r.status === 'accepted')?.projectId ?? ''}/history` })).body) as { events: { actor: { keyId: string } }[] };
  t.ok(history.events.length > 0 && history.events.every((e) => e.actor.keyId !== ''), 'stamped with the importing actor, as commands are');

  const head = await store.headPosition();
  const again = await post(false);
  t.equal(await store.headPosition(), head, 'the same file again appends nothing');
  t.equal(again.summary.accepted, 0);
  t.equal(again.summary.unchanged, ledger.goodRows.length, 'every good row is unchanged');
  t.equal(again.summary.refused, ledger.planted.length, 'the broken rows are still refused');
});

t.test('the same ledger as CSV imports the same rows', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const ledger = await messyLedger({ rows: 120, seed: 7, today: TODAY, errorEvery: 12, format: 'csv' });
  const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: ledger.bytes });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const answer = JSON.parse(res.body) as Answer;
  t.same(answer.rows.filter((row) => row.status === 'accepted').map((row) => row.row), ledger.goodRows);
  t.same(answer.rows.filter((row) => row.status === 'refused').map((row) => `${row.row} ${row.problems?.[0]?.column ?? ''}`).sort(), ledger.planted.map((p) => `${p.row} ${p.column}`).sort());
});

t.test('a project that exists (by name and region, or by id) gets only what it has not recorded', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const registered = await app.inject({
    method: 'POST', url: '/v1/projects',
    payload: { name: '枣强县玻璃钢产业园', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 20_000, occurredOn: '2025-01-10' },
  });
  t.equal(registered.statusCode, 201, registered.body);
  const { projectId } = JSON.parse(registered.body) as { projectId: string };
  const signed = await app.inject({
    method: 'POST', url: `/v1/projects/${projectId}/milestones`,
    payload: { type: 'ProjectSigned', occurredOn: '2025-02-01', agreementType: 'formal', contractInvestment: 25_000, investor: '某复材公司', investorOrigin: 'out_of_province' },
  });
  t.equal(signed.statusCode, 201, signed.body);
  const csv = '项目名称,所在地区,行业,项目类型,计划总投资(万元),签约日期,签约金额,开工日期\r\n'
    + '枣强县玻璃钢产业园,枣强县,制造业,工业,"20,000",2025-02-03,25000,2025-03-01\r\n';
  const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: csv });
  t.equal(res.statusCode, 200, res.body);
  const [row] = (JSON.parse(res.body) as Answer).rows;
  t.equal(row?.status, 'accepted');
  t.equal(row?.projectId, projectId, 'matched by name and region (枣强县 is 131121)');
  t.equal(row?.existing, true);
  t.same(row?.events?.map((e) => e.type), ['Started'], 'only the start: the signing is recorded');
  t.match(row?.notes?.join(' '), /recorded on 2025-02-01, the file says 2025-02-03/, 'a different date is said, not changed');

  const byId = `项目编号,项目名称,所在地区,行业,项目类型,计划总投资(万元),开工日期,竣工日期\r\n${projectId},改了名字,131121,C,工业,20000,2025-03-01,2025-09-30\r\n`;
  const second = JSON.parse((await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: byId })).body) as Answer;
  t.same(second.rows[0]?.events?.map((e) => e.type), ['Completed'], 'by its id: only the completion');
  t.match(second.rows[0]?.notes?.join(' '), /项目名称: recorded as 「枣强县玻璃钢产业园」/, 'the name is not changed by an import');

  const funds = (amount: string) => `项目编号,项目名称,所在地区,行业,项目类型,计划总投资(万元),签约日期,到位资金\r\n${projectId},枣强县玻璃钢产业园,131121,C,工业,20000,2025-02-01,${amount}\r\n`;
  const third = JSON.parse((await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: funds('5000') })).body) as Answer;
  t.same(third.rows[0]?.events?.map((e) => [e.type, e.data['amount']]), [['FundsArrived', 5000]], 'funds it has none of');
  const fourth = JSON.parse((await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: funds('6000') })).body) as Answer;
  t.equal(fourth.rows[0]?.status, 'unchanged', 'funds are a sum: never counted twice');
  t.match(fourth.rows[0]?.notes?.join(' '), /到位资金: recorded as 5000 万元, the file says 6000/);
});

t.test('a commissioning in part: in the bureau\'s words, its full one later, and once only', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = async (csv: string): Promise<Answer> =>
    JSON.parse((await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: csv })).body) as Answer;
  const header = '项目名称,所在地区,行业,项目类型,计划总投资(万元),开工日期,竣工日期,投产日期,投产比例,全部投产时间\r\n';
  const commissionings = (row: Row | undefined) => row?.events?.filter((e) => e.type === 'Commissioned').map((e) => [e.occurredOn, e.data['partial'], e.data['capacityPct']]);

  const first = await post(header + '武邑县装备制造项目,131122,C,工业,9000,2025-03-01,2025-10-01,2025-10-20,60%,\r\n');
  t.same(commissionings(first.rows[0]), [['2025-10-20', true, 60]], '投产比例 makes 投产日期 a commissioning in part');
  const second = await post(header + '武邑县装备制造项目,131122,C,工业,9000,2025-03-01,2025-10-01,2025-10-20,60%,2026-01-05\r\n');
  t.equal(second.rows[0]?.status, 'accepted', JSON.stringify(second.rows[0]));
  t.same(commissionings(second.rows[0]), [['2026-01-05', false, undefined]], 'a later file appends the full commissioning');
  const third = await post(header + '武邑县装备制造项目,131122,C,工业,9000,2025-03-01,2025-10-01,2025-10-20,60%,2026-01-05\r\n');
  t.equal(third.rows[0]?.status, 'unchanged', 'and once only');

  const before = await store.headPosition();
  const refused = await post(header + '武邑县金属制品项目,131122,C,工业,9000,2025-03-01,2025-10-01,2025-10-20,,2025-10-10\r\n');
  t.same(refused.rows[0]?.problems?.map((p) => [p.column, p.rule]), [['全部投产时间', 'milestone-dates-in-order']], 'the full commissioning cannot precede the partial one');
  const orphan = await post(header + '武邑县金属制品项目,131122,C,工业,9000,2025-03-01,2025-10-01,,40,\r\n');
  t.same(orphan.rows[0]?.problems?.map((p) => p.column), ['投产比例'], 'a capacity without a commissioning date is named');
  t.equal(await store.headPosition(), before, 'neither lands');
});

t.test('a row is refused whole: none of its events land', async (t) => {
  const { app, store } = await buildExcelTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const csv = '项目名称,所在地区,行业,项目类型,计划总投资(万元),开工日期,入库时间,竣工日期,投产日期,达产日期\r\n'
    + '武邑县装备制造项目,131122,C,工业,9000,2025-03-01,2025-03-20,2025-10-01,2025-10-01,2025-10-01\r\n';
  const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': 'text/csv' }, payload: csv });
  const [row] = (JSON.parse(res.body) as Answer).rows;
  t.equal(row?.status, 'refused');
  t.same(row?.problems?.map((p) => [p.column, p.cell, p.rule]), [['达产日期', 'J2', 'milestone-dates-in-order']], 'full production cannot share the commissioning\'s date');
  t.equal(await store.headPosition(), 0, 'not even its registration');
});

t.test('the import is for bureaus and admins, within their regions', async (t) => {
  const { app, store } = await buildExcelTestApp({ AUTH: 'on', ADMIN_KEY: 'an-admin-key-of-at-least-24-chars' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const admin = { authorization: 'Bearer an-admin-key-of-at-least-24-chars' };
  const issue = async (role: string, regions: string[]) => JSON.parse((await app.inject({ method: 'POST', url: '/v1/keys', headers: admin, payload: { name: role, role, regions } })).body) as { key: string };
  const dashboard = await issue('dashboard', ['131121']);
  const bureau = await issue('bureau', ['131121']);
  const csv = '项目名称,所在地区,行业,项目类型,计划总投资(万元)\r\n枣强县项目,,C,工业,800\r\n武邑县项目,武邑县,C,工业,800\r\n';
  const forbidden = await app.inject({ method: 'POST', url: '/v1/imports', headers: { authorization: `Bearer ${dashboard.key}`, 'content-type': 'text/csv' }, payload: csv });
  t.equal(forbidden.statusCode, 403);
  const res = await app.inject({ method: 'POST', url: '/v1/imports', headers: { authorization: `Bearer ${bureau.key}`, 'content-type': 'text/csv' }, payload: csv });
  t.equal(res.statusCode, 200, res.body);
  const rows = (JSON.parse(res.body) as Answer).rows;
  t.equal(rows[0]?.status, 'accepted', 'a blank region is the key\'s own county');
  t.equal((rows[0]?.events?.[0]?.data as { regionCode?: string } | undefined)?.regionCode, '131121');
  t.equal(rows[1]?.status, 'refused', 'another county is not the key\'s to write');
  t.equal(rows[1]?.problems?.[0]?.column, '所在地区');
});
