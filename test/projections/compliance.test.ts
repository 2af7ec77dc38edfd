import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import { compliance, lateReportsOf, queryCompliance, type ComplianceKind } from '../../projections/compliance/index.js';
import { History } from './support/history.js';

const list = (h: History, kind: ComplianceKind, asOfDate: string, regionCode = '131121') =>
  queryCompliance(foldAll(compliance, h.events), { regionCode, kind, asOfDate }).items;
const brief = (items: readonly { projectId: string; open: boolean; days: number; since: string; resolvedOn: string | null }[]) =>
  items.map(({ projectId, open, days, since, resolvedOn }) => ({ projectId, open, days, since, resolvedOn }));

t.test('应统未统: started, planned ≥ 500 万元, not entered within 30 days', async (t) => {
  const h = new History();
  const started = (id: string, planned: number, on: string) => {
    h.register(id, { occurredOn: '2024-12-01', plannedInvestment: planned });
    h.project(id, 'Started', { occurredOn: on });
  };
  started('P1', 600, '2025-03-01'); // due 2025-03-31, not entered
  started('P2', 400, '2025-03-01'); // below 500 万元: never due
  started('P3', 600, '2025-03-01');
  h.project('P3', 'StatisticsEntered', { occurredOn: '2025-03-20', month: '2025-03', plannedInvestment: 600 }); // in time
  started('P4', 500, '2025-01-01'); // due 2025-01-31, entered 2025-02-15: 15 days late
  h.project('P4', 'StatisticsEntered', { occurredOn: '2025-02-15', month: '2025-02', plannedInvestment: 500 });
  // as of 2025-04-15: P1 open, 15 days past 2025-03-31; P4 resolved 15 days late
  t.same(brief(list(h, 'statistics-not-entered', '2025-04-15')), [
    { projectId: 'P1', open: true, days: 15, since: '2025-03-31', resolvedOn: null },
    { projectId: 'P4', open: false, days: 15, since: '2025-01-31', resolvedOn: '2025-02-15' },
  ]);
  t.same(brief(list(h, 'statistics-not-entered', '2025-03-31')).map((i) => i.projectId), ['P4'], 'not overdue on its due day');
  const open = queryCompliance(foldAll(compliance, h.events), { regionCode: '131121', kind: 'statistics-not-entered', asOfDate: '2025-04-15', includeResolved: false });
  t.same(open.items.map((i) => i.projectId), ['P1']);
});

t.test('应统未统 reads 总投资, not the plan: approved up over 500 万元 is due, approved down under it is not', async (t) => {
  const h = new History();
  h.register('UP', { occurredOn: '2024-12-01', plannedInvestment: 400 });
  h.project('UP', 'ProjectApproved', { occurredOn: '2025-02-20', approvedInvestment: 800 });
  h.project('UP', 'Started', { occurredOn: '2025-03-01' });
  h.register('DOWN', { occurredOn: '2024-12-01', plannedInvestment: 600 });
  h.project('DOWN', 'ProjectApproved', { occurredOn: '2025-02-20', approvedInvestment: 300 });
  h.project('DOWN', 'Started', { occurredOn: '2025-03-01' });
  // UP: 总投资 800 ≥ 500, due 2025-03-31, open 15 days at 2025-04-15; DOWN: 总投资 300, never due
  t.same(brief(list(h, 'statistics-not-entered', '2025-04-15')), [
    { projectId: 'UP', open: true, days: 15, since: '2025-03-31', resolvedOn: null },
  ]);
});

t.test('入统数据不一致: a declared figure more than 10 % off 总投资 on the entry date', async (t) => {
  const h = new History();
  const entered = (id: string, planned: number, declared: number, approved?: number, flagged = false) => {
    h.register(id, { occurredOn: '2025-01-02', plannedInvestment: planned });
    h.project(id, 'Started', { occurredOn: '2025-03-01' });
    h.project(id, 'StatisticsEntered', { occurredOn: '2025-03-10', month: '2025-03', plannedInvestment: declared }, flagged ? { flags: ['statistics-inconsistent'] } : {});
    // an approval recorded after the entry but dated before it: 总投资 on 2025-03-10 is the approval
    if (approved !== undefined) h.project(id, 'ProjectApproved', { occurredOn: '2025-02-20', approvedInvestment: approved });
  };
  entered('I1', 1000, 1200, undefined, true); // |1200 − 1000| = 200 > 10 % of 1000 = 100: listed
  entered('I2', 1000, 1100); //        100, exactly 10 %: consistent
  entered('I3', 1000, 1200, 1150); //  总投资 1150: |1200 − 1150| = 50 ≤ 115: consistent
  entered('I4', 1000, 880, 1000); //   |880 − 1000| = 120 > 100: listed (not flagged by the decider in this log)
  const all = queryCompliance(foldAll(compliance, h.events), { regionCode: '131121', asOfDate: '2025-04-15' });
  const items = all.items.filter((i) => i.kind === 'statistics-inconsistent');
  // both open since their entry on 2025-03-10: 36 days at 2025-04-15
  t.same(brief(items), [
    { projectId: 'I1', open: true, days: 36, since: '2025-03-10', resolvedOn: null },
    { projectId: 'I4', open: true, days: 36, since: '2025-03-10', resolvedOn: null },
  ]);
  t.same(items.map((i) => [i.flagged, i.detail]), [[true, '申报 1200 万元，总投资 1000 万元'], [false, '申报 880 万元，总投资 1000 万元']]);
  t.same(all.counts['statistics-inconsistent'], { open: 2, resolved: 0 });
  t.same(list(h, 'statistics-inconsistent', '2025-03-09'), [], 'not yet entered on 2025-03-09');
});

t.test('未批先建: started with no approval dated on or before the start', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01' });
  h.project('A', 'Started', { occurredOn: '2025-03-01' }, { flags: ['started-without-approval'] });
  h.register('B', { occurredOn: '2025-01-01' });
  h.project('B', 'ProjectApproved', { occurredOn: '2025-02-01', approvedInvestment: 1000 });
  h.project('B', 'Started', { occurredOn: '2025-03-01' });
  h.register('C', { occurredOn: '2025-01-01' });
  h.project('C', 'Started', { occurredOn: '2025-03-01' }, { flags: ['started-without-approval'] });
  h.project('C', 'ProjectApproved', { occurredOn: '2025-03-10', approvedInvestment: 1000 });
  const items = list(h, 'started-without-approval', '2025-04-01');
  // A: open since 2025-03-01, 31 days at 2025-04-01; C: approved 9 days after its start
  t.same(brief(items), [
    { projectId: 'A', open: true, days: 31, since: '2025-03-01', resolvedOn: null },
    { projectId: 'C', open: false, days: 9, since: '2025-03-01', resolvedOn: '2025-03-10' },
  ]);
  t.ok(items.every((i) => i.flagged));
});

t.test('idle land: not started one year after the agreed start', async (t) => {
  const h = new History();
  for (const id of ['L1', 'L2', 'L3', 'L4']) {
    h.register(id, { occurredOn: '2024-01-01' });
    h.project(id, 'LandAcquired', { occurredOn: '2024-01-10', parcelNo: `ZQ-${id}`, ...(id === 'L4' ? {} : { agreedStartBy: '2024-03-01' }) });
  }
  h.project('L2', 'Started', { occurredOn: '2025-02-01' }); // within the year's grace
  h.project('L3', 'Started', { occurredOn: '2025-04-01' }); // 31 days after 2025-03-01
  // L4 has no agreed start date: cannot be judged
  const items = list(h, 'idle-land', '2025-03-02');
  // as of 2025-03-02 (due 2025-03-01): L1 and L3 open for 1 day (L3's start of 04-01 is still ahead)
  t.same(brief(items), [
    { projectId: 'L1', open: true, days: 1, since: '2025-03-01', resolvedOn: null },
    { projectId: 'L3', open: true, days: 1, since: '2025-03-01', resolvedOn: null },
  ]);
  t.equal(items[0]?.detail, 'ZQ-L1');
  // as of 2025-05-01: L1 open 61 days (March 30 + April 31); L3 started 31 days after its due date
  t.same(brief(list(h, 'idle-land', '2025-05-01')).map((i) => [i.projectId, i.open, i.days]), [['L1', true, 61], ['L3', false, 31]]);
});

t.test('overdue batch starts', async (t) => {
  const h = new History();
  for (const id of ['X', 'Y', 'Z']) h.register(id, { occurredOn: '2025-01-01' });
  h.batch({ batchId: 'Q2', regionCode: '131121', occurredOn: '2025-03-01', ceremonyOn: '2025-04-10', mustStartBy: '2025-04-30', projectIds: ['X', 'Y', 'Z'] });
  h.project('X', 'Started', { occurredOn: '2025-04-20' });
  h.project('Z', 'Started', { occurredOn: '2025-05-10' });
  // as of 2025-05-15: Y open 15 days past 2025-04-30; Z started 10 days late
  t.same(brief(list(h, 'overdue-batch-start', '2025-05-15')), [
    { projectId: 'Y', open: true, days: 15, since: '2025-04-30', resolvedOn: null },
    { projectId: 'Z', open: false, days: 10, since: '2025-04-30', resolvedOn: '2025-05-10' },
  ]);
});

t.test('stalled projects, with the days since the stall and its reason', async (t) => {
  const h = new History();
  h.register('S', { occurredOn: '2025-01-01' });
  h.project('S', 'Started', { occurredOn: '2025-02-01' });
  h.project('S', 'Stalled', { occurredOn: '2025-03-01', reason: 'compensation' });
  h.register('R', { occurredOn: '2025-01-01' });
  h.project('R', 'Stalled', { occurredOn: '2025-02-01', reason: 'land' });
  h.project('R', 'Resumed', { occurredOn: '2025-02-15', reason: 'land' });
  const items = list(h, 'stalled', '2025-04-01');
  t.same(brief(items), [{ projectId: 'S', open: true, days: 31, since: '2025-03-01', resolvedOn: null }]);
  t.equal(items[0]?.detail, 'compensation');
});

t.test('late reports: recorded more than 30 days (China time) after occurredOn, or flagged', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01' }, { recordedAt: '2025-02-15T01:00:00.000Z', flags: ['late-report'] }); // 45 days
  h.project('A', 'Started', { occurredOn: '2025-01-01' }, { recordedAt: '2025-01-31T17:00:00.000Z' }); // China 02-01: 31 days
  h.project('A', 'ProjectApproved', { occurredOn: '2025-01-01', approvedInvestment: 100 }, { recordedAt: '2025-01-31T15:00:00.000Z' }); // China 01-31: 30 days
  h.project('A', 'MilestoneDateCorrected', { occurredOn: '2024-12-20', milestone: 'Started' }, { recordedAt: '2025-03-01T02:00:00.000Z' });
  h.register('B', { occurredOn: '2025-01-01', regionCode: '410225' }, { recordedAt: '2025-06-01T02:00:00.000Z' });
  const items = list(h, 'late-report', '2025-07-01');
  // one item per project, for its latest late report; every late event is kept for auditors
  t.same(items.map((i) => [i.projectId, i.days, i.flagged, i.since, i.resolvedOn, i.detail]), [
    ['A', 31, true, '2025-01-01', null, 'ProjectRegistered #0 (45 天); Started #1 (31 天)'],
  ]);
  t.ok(items.every((i) => i.open), 'a late report stays open: it is never resolved');
  const counted = queryCompliance(foldAll(compliance, h.events), { regionCode: '131121', asOfDate: '2025-07-01', includeResolved: false });
  t.same(counted.counts['late-report'], { open: 1, resolved: 0 }, 'counted open, and kept without the resolved items');
  t.same(list(h, 'late-report', '2025-02-10').map((i) => [i.projectId, i.detail]), [['A', 'Started #1 (31 天)']],
    'as of 2025-02-10 the registration had not been reported yet');
  const state = foldAll(compliance, h.events);
  t.same(lateReportsOf(state, 'A').map((r) => [r.type, r.daysLate, r.flagged, r.recordedOn]), [
    ['ProjectRegistered', 45, true, '2025-02-15'],
    ['Started', 31, false, '2025-02-01'],
  ]);
  t.equal(list(h, 'late-report', '2025-07-01', '410000').length, 1, 'by region');
});

t.test('all kinds at once, open items first and most overdue first', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', plannedInvestment: 800 });
  h.project('A', 'Started', { occurredOn: '2025-02-01' });
  h.register('B', { occurredOn: '2025-01-01', plannedInvestment: 800 });
  h.project('B', 'ProjectApproved', { occurredOn: '2025-01-20', approvedInvestment: 800 });
  h.project('B', 'Started', { occurredOn: '2025-01-25' });
  h.project('B', 'StatisticsEntered', { occurredOn: '2025-03-20', month: '2025-03', plannedInvestment: 800 });
  const all = queryCompliance(foldAll(compliance, h.events), { regionCode: '131121', asOfDate: '2025-04-02' });
  // A: 未批先建 open since 02-01 (60 days), 应统未统 due 03-03 (30 days);
  // B: 应统未统 due 02-24, entered 03-20 → resolved 24 days late
  t.same(all.items.map((i) => [i.projectId, i.kind, i.open, i.days]), [
    ['A', 'started-without-approval', true, 60], ['A', 'statistics-not-entered', true, 30], ['B', 'statistics-not-entered', false, 24],
  ]);
  t.same(all.counts, { 'started-without-approval': { open: 1, resolved: 0 }, 'statistics-not-entered': { open: 1, resolved: 1 } });
  const first = queryCompliance(foldAll(compliance, h.events), { regionCode: '131121', asOfDate: '2025-04-02', limit: 1 });
  t.equal(first.total, 3);
  t.same(first.items.map((i) => i.kind), ['started-without-approval']);
});

t.test('counts count every kind whichever kind the items are filtered to', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', plannedInvestment: 800 });
  h.project('A', 'Started', { occurredOn: '2025-02-01' }, { recordedAt: '2025-03-20T02:00:00.000Z', flags: ['late-report'] });
  h.register('B', { occurredOn: '2025-01-01' });
  h.project('B', 'Stalled', { occurredOn: '2025-02-01', reason: 'funds' });
  const state = foldAll(compliance, h.events);
  const all = queryCompliance(state, { regionCode: '131121', asOfDate: '2025-04-02' });
  const expected = {
    'started-without-approval': { open: 1, resolved: 0 },
    'statistics-not-entered': { open: 1, resolved: 0 },
    stalled: { open: 1, resolved: 0 },
    'late-report': { open: 1, resolved: 0 },
  };
  t.same(all.counts, expected);
  for (const kind of ['stalled', 'late-report', 'idle-land'] as const) {
    const filtered = queryCompliance(state, { regionCode: '131121', kind, asOfDate: '2025-04-02' });
    t.same(filtered.counts, expected, `counts with kind=${kind}`);
    t.ok(filtered.items.every((i) => i.kind === kind), `items of ${kind} only`);
  }
});
