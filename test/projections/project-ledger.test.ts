import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import {
  projectLedger, getProject, queryLedger, ledgerCsv, InvalidCursor, formatWan, csvCell,
} from '../../projections/project-ledger/index.js';
import { amountFromWan } from '../../commands/shared/money.js';
import { History } from './support/history.js';
import { compliance, complianceFlags, queryCompliance } from '../../projections/compliance/index.js';

/** For the tests of other columns: the flags are compliance's, tested below with it. */
const unjudged = () => [];

t.test('a row carries the registration fields as last corrected, every milestone date and the amounts', async (t) => {
  const h = new History();
  h.register('ZQ-1', { occurredOn: '2025-01-10', name: '复合材料产业园', regionCode: '131121', plannedInvestment: 50000, level: 'city' });
  h.project('ZQ-1', 'NegotiationOpened', { occurredOn: '2025-02-01', expectedInvestment: 60000 });
  h.project('ZQ-1', 'ProjectSigned', { occurredOn: '2025-03-01', contractInvestment: 80000, investor: '甲公司' });
  h.project('ZQ-1', 'ProjectApproved', { occurredOn: '2025-04-01', approvedInvestment: 75000.5, projectCode: '2504-131121-04-01-123456' });
  h.project('ZQ-1', 'LandAcquired', { occurredOn: '2025-04-15', areaMu: 120.5, agreedStartBy: '2025-06-30' });
  h.project('ZQ-1', 'Started', { occurredOn: '2025-05-20' }, { flags: ['late-report'] });
  h.project('ZQ-1', 'InvestmentReported', { occurredOn: '2025-06-05', period: '2025-05', amount: 1000.25 });
  h.project('ZQ-1', 'InvestmentReported', { occurredOn: '2025-07-05', period: '2025-06', amount: 2000 });
  h.project('ZQ-1', 'InvestmentCorrected', { occurredOn: '2025-07-06', period: '2025-05', amount: 1500, reason: '漏报' });
  h.project('ZQ-1', 'FundsArrived', { occurredOn: '2025-07-10', amount: 3000.1 });
  h.project('ZQ-1', 'FundsArrived', { occurredOn: '2025-08-10', amount: 0.2 });
  h.project('ZQ-1', 'FundingSecured', { occurredOn: '2025-08-11', amount: 800 });
  h.project('ZQ-1', 'DetailsCorrected', { occurredOn: '2025-08-12', name: '复合材料产业园（一期）', category: 'services', reason: '更名' });
  h.project('ZQ-1', 'MilestoneDateCorrected', { occurredOn: '2025-05-18', milestone: 'Started', reason: '以施工许可为准' });
  const state = foldAll(compliance, h.events);
  const row = getProject(state, 'ZQ-1', complianceFlags(state, '2025-09-01'));
  t.ok(row);
  if (!row) return;
  t.equal(row.name, '复合材料产业园（一期）');
  t.equal(row.category, 'services');
  t.equal(row.level, 'city');
  t.equal(row.stage, 'STARTED');
  t.same(row.milestones, {
    ProjectRegistered: '2025-01-10', NegotiationOpened: '2025-02-01', ProjectSigned: '2025-03-01',
    ProjectApproved: '2025-04-01', LandAcquired: '2025-04-15', Started: '2025-05-18',
  });
  // 总投资: approved 75000.5 once approved (not the contract's 80000)
  t.equal(row.totalInvestment, 75000.5);
  t.equal(row.contractInvestment, 80000);
  t.equal(row.plannedInvestment, 50000);
  // completed: May corrected to 1500 replaces 1000.25; + June 2000 = 3500
  t.equal(row.completedInvestment, 3500);
  // funds: 3000.1 + 0.2 = 3000.3, exactly (integer Amounts: 300010 + 20 = 300030)
  t.equal(row.fundsArrived, 3000.3);
  t.equal(row.fundingSecured, 800);
  // what compliance lists it under on 2025-09-01: started 05-18 and not entered (应统未统), reported late
  t.same(row.flags, ['statistics-not-entered', 'late-report']);
  t.same(row.land, { method: 'transfer', parcelNo: 'ZQ-2025-01', areaMu: 120.5, agreedStartBy: '2025-06-30' });
  t.same(row.approval, { kind: 'filing', authority: '县发改局', documentNo: '备案〔2025〕1号', projectCode: '2504-131121-04-01-123456' });
  t.equal(row.commissioning, null);
  t.equal(row.fullProduction, null);
  t.equal(row.withdrawApprovedBy, null);
  t.equal(row.revision, 13);
  t.equal(row.position, 14);
});

t.test('every milestone\'s fields: a partial commissioning then the full one, output and tax, the withdrawal\'s approval', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-01' });
  h.project('P', 'Started', { occurredOn: '2025-02-01' });
  h.project('P', 'Completed', { occurredOn: '2025-05-01' });
  h.project('P', 'Commissioned', { occurredOn: '2025-05-10', partial: true, capacityPct: 40 });
  const row = () => getProject(foldAll(projectLedger, h.events), 'P', unjudged);
  t.same(row()?.commissioning, { partial: true, capacityPct: 40, fullOn: null });
  h.project('P', 'Commissioned', { occurredOn: '2025-08-01', partial: false });
  t.same(row()?.commissioning, { partial: false, capacityPct: null, fullOn: '2025-08-01' });
  t.equal(row()?.milestones.Commissioned, '2025-05-10', 'commissioned once, on its first date');
  h.project('P', 'FullProductionReached', { occurredOn: '2025-10-01', outputValue: 12000.5, taxPaid: 800 });
  t.same(row()?.fullProduction, { outputValue: 12000.5, taxPaid: 800 });
  h.project('P', 'Withdrawn', { occurredOn: '2025-11-01', approvedBy: { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' } });
  t.same(row()?.withdrawApprovedBy, { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' });
  t.equal(row()?.withdrawReason, '投资方撤资');
});

t.test('the flags say what the compliance lists say of the project that day', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-01', plannedInvestment: 300 });
  h.project('P', 'Started', { occurredOn: '2025-03-01' }, { flags: ['started-without-approval'] });
  const flagsOn = (day: string) => {
    const state = foldAll(compliance, h.events);
    const listed = queryCompliance(state, { regionCode: '131121', asOfDate: day }).items.map((i) => i.kind);
    return { ledger: getProject(state, 'P', complianceFlags(state, day))?.flags, listed, csv: ledgerCsv(state, complianceFlags(state, day)).split('\r\n')[1]?.includes('未批先建') };
  };
  t.same(flagsOn('2025-04-01'), { ledger: ['started-without-approval'], listed: ['started-without-approval'], csv: true });
  // the approval, recorded late (May) but dated before the start, clears 未批先建 in both
  h.project('P', 'ProjectApproved', { occurredOn: '2025-02-20', approvedInvestment: 300 }, { recordedAt: '2025-05-10T02:00:00.000Z', flags: ['late-report'] });
  t.same(flagsOn('2025-05-10'), { ledger: ['late-report'], listed: ['late-report'], csv: false });
  t.same(flagsOn('2025-04-01'), { ledger: [], listed: [], csv: false }, 'judged on the business dates as now known (record time "as of" is the runner\'s)');
});

t.test('总投资 is planned, then contract once signed, then approved once approved', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-01', plannedInvestment: 100 });
  const total = () => getProject(foldAll(projectLedger, h.events), 'P', unjudged)?.totalInvestment;
  t.equal(total(), 100);
  h.project('P', 'DetailsCorrected', { occurredOn: '2025-01-02', plannedInvestment: 120 });
  t.equal(total(), 120, 'planned as last corrected');
  h.project('P', 'ProjectSigned', { occurredOn: '2025-01-03', contractInvestment: 150 });
  t.equal(total(), 150);
  h.project('P', 'DetailsCorrected', { occurredOn: '2025-01-04', plannedInvestment: 999 });
  t.equal(total(), 150, 'a later planned figure does not override the contract');
  h.project('P', 'ProjectApproved', { occurredOn: '2025-01-05', approvedInvestment: 140 });
  t.equal(total(), 140);
});

t.test('stalled and resumed return to the stage before; withdrawn is final', async (t) => {
  const h = new History();
  h.register('P', { occurredOn: '2025-01-01' });
  h.project('P', 'Started', { occurredOn: '2025-02-01' });
  h.project('P', 'Stalled', { occurredOn: '2025-03-01', reason: 'land' });
  t.equal(getProject(foldAll(projectLedger, h.events), 'P', unjudged)?.stage, 'STALLED');
  h.project('P', 'Resumed', { occurredOn: '2025-04-01', reason: 'land' });
  t.equal(getProject(foldAll(projectLedger, h.events), 'P', unjudged)?.stage, 'STARTED');
  h.project('P', 'Withdrawn', { occurredOn: '2025-05-01' });
  t.equal(getProject(foldAll(projectLedger, h.events), 'P', unjudged)?.stage, 'WITHDRAWN');
});

t.test('batch membership comes from the batch, whether scheduled before or after registration', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01' });
  h.batch({ batchId: 'B1', regionCode: '131121', occurredOn: '2025-02-01', ceremonyOn: '2025-03-01', mustStartBy: '2025-03-31', projectIds: ['A', 'LATE'] });
  h.register('LATE', { occurredOn: '2025-02-02' });
  h.register('C', { occurredOn: '2025-02-03' });
  h.project('C', 'Started', { occurredOn: '2025-03-01', batchId: 'B2' });
  const state = foldAll(projectLedger, h.events);
  t.equal(getProject(state, 'A', unjudged)?.batchId, 'B1');
  t.equal(getProject(state, 'LATE', unjudged)?.batchId, 'B1');
  t.equal(getProject(state, 'C', unjudged)?.batchId, 'B2');
});

t.test('the ledger filters by region roll-up, stage, category and minimum 总投资, and pages by cursor', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', regionCode: '131121', plannedInvestment: 20000 });
  h.register('B', { occurredOn: '2025-01-02', regionCode: '131102', plannedInvestment: 5000 });
  h.register('C', { occurredOn: '2025-01-03', regionCode: '131121001', plannedInvestment: 30000, category: 'infrastructure' });
  h.register('D', { occurredOn: '2025-01-04', regionCode: '410225', plannedInvestment: 90000 });
  h.register('E', { occurredOn: '2025-01-05', regionCode: '131121-KFQ', plannedInvestment: 10000 });
  h.project('A', 'Started', { occurredOn: '2025-02-01' });
  const state = foldAll(projectLedger, h.events);
  const ids = (rows: readonly { projectId: string }[]) => rows.map((r) => r.projectId);

  t.same(ids(queryLedger(state, { regionCode: '131121' }, unjudged).rows), ['A', 'C', 'E'], 'county with its township and 开发区');
  t.same(ids(queryLedger(state, { regionCode: '131100' }, unjudged).rows), ['A', 'B', 'C', 'E'], 'city');
  t.same(ids(queryLedger(state, { stage: 'STARTED' }, unjudged).rows), ['A']);
  t.same(ids(queryLedger(state, { category: 'infrastructure' }, unjudged).rows), ['C']);
  t.same(ids(queryLedger(state, { minInvestment: amountFromWan(20000) }, unjudged).rows), ['A', 'C', 'D']);

  const first = queryLedger(state, { regionCode: '130000', limit: 2 }, unjudged);
  t.same(ids(first.rows), ['A', 'B']);
  t.type(first.nextCursor, 'string');
  h.register('F', { occurredOn: '2025-03-01', regionCode: '131121' }); // registered while paging
  const later = foldAll(projectLedger, h.events);
  const second = queryLedger(later, { regionCode: '130000', limit: 2, cursor: first.nextCursor ?? '' }, unjudged);
  t.same(ids(second.rows), ['C', 'E']);
  const third = queryLedger(later, { regionCode: '130000', limit: 2, cursor: second.nextCursor ?? '' }, unjudged);
  t.same(ids(third.rows), ['F'], 'a project registered while paging comes at the end');
  t.equal(third.nextCursor, null);
  t.equal(queryLedger(state, { regionCode: '131121', limit: 3 }, unjudged).nextCursor, null, 'no cursor when nothing follows');

  t.throws(() => queryLedger(state, { cursor: 'garbage!' }, unjudged), InvalidCursor);
  t.throws(() => queryLedger(state, { cursor: Buffer.from('other.v1.3').toString('base64url') }, unjudged), InvalidCursor);
});

t.test('CSV: BOM, CRLF, Chinese headers, 万元 with 2 decimals, quoting and formula injection', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', name: '=HYPERLINK("http://x")', plannedInvestment: 1234.5 });
  h.register('B', { occurredOn: '2025-01-02', name: '园区, "二期"\n配套', plannedInvestment: 0.07 });
  h.project('B', 'ProjectSigned', { occurredOn: '2025-02-01', contractInvestment: 100000, investor: '@某公司' });
  const csv = ledgerCsv(foldAll(projectLedger, h.events), unjudged);
  t.ok(csv.startsWith('\uFEFF项目编号,项目名称,区划代码,'), 'BOM then headers');
  const lines = csv.slice(1).split('\r\n');
  t.equal(lines.length, 4, 'header, two rows, and the final CRLF');
  t.equal(lines[3], '');
  const header = lines[0]?.split(',') ?? [];
  t.ok(header.includes('阶段') && header.includes('总投资（万元）') && header.includes('签约日期') && header.includes('开工日期'));
  t.match(lines[1], /^A,"'=HYPERLINK\(""http:\/\/x""\)",131121,/, 'formula neutralised, then quoted');
  t.match(lines[1], /,1234\.50,1234\.50,/, '总投资 and planned with 2 decimals');
  t.match(lines[2], /^B,"园区, ""二期""\n配套",/, 'comma, quotes and newline quoted');
  t.match(lines[2], /,签约,100000\.00,0\.07,100000\.00,/);
  t.match(lines[2], /,'@某公司,/);
  t.equal(formatWan(0), '0.00');
  t.equal(formatWan(5), '0.05');
  t.equal(formatWan(123456789012), '1234567890.12');
  t.equal(csvCell('-1+1'), "'-1+1");
  t.equal(csvCell('\tx'), "'\tx");
  t.equal(csvCell('plain'), 'plain');
});
