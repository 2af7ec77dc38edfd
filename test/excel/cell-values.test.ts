/** Cells as bureaus write them, read into event values or a problem with what to fix. */
import t from 'tap';
import { readAmount, readAmountsByMonth, readDate, readMonth } from '../../src/excel/import/cell-values.js';
import { matchHeader } from '../../src/excel/import/ledger-headers.js';

t.test('dates in every style a 台账 holds them', async (t) => {
  for (const written of ['2026-03-05', '2026/3/5', '2026年3月5日', '2026.3.5', '20260305', ' 2026 年 3 月 5 日 ', '２０２６－０３－０５', '2026-03-05T00:00:00.000Z']) {
    t.same(readDate(written), { ok: true, value: '2026-03-05' }, written);
  }
  t.same(readDate(new Date('2026-03-05T00:00:00Z')), { ok: true, value: '2026-03-05' }, 'an Excel date');
  t.same(readDate(46086), { ok: true, value: '2026-03-05' }, 'an Excel serial in a cell formatted as a number');
  for (const bad of ['2026-02-30', '2026/13/1', '3月5日', 'soon', '12345']) t.equal(readDate(bad).ok, false, bad);
  t.same(readMonth('2025年3月'), { ok: true, value: '2025-03' });
});

t.test('amounts in 万元, or 亿元 when the header or the cell says so, with thousands separators', async (t) => {
  t.same(readAmount('12,345.67', '万元'), { ok: true, value: 1_234_567 });
  t.same(readAmount(1250.5, '万元'), { ok: true, value: 125_050 });
  t.same(readAmount('3.5', '亿元'), { ok: true, value: 3_500_000 }, '3.5 亿 = 35,000 万');
  t.same(readAmount('3.5亿', '万元'), { ok: true, value: 3_500_000 }, 'the cell\'s unit wins');
  t.same(readAmount('１，２００万元', '万元'), { ok: true, value: 120_000 }, 'full-width');
  for (const bad of ['约三千', '-5', '1,2,3', '12.345', '']) t.equal(readAmount(bad, '万元').ok, false, bad);
  t.same(readAmountsByMonth('2025-03 1500.00；2025-04 2,600.00', '万元'), { ok: true, value: [{ month: '2025-03', amount: 150_000 }, { month: '2025-04', amount: 260_000 }] });
});

t.test('headers in their usual variants', async (t) => {
  t.same(matchHeader('计划总投资（万元）'), { field: 'plannedInvestment', unit: '万元' });
  t.same(matchHeader('总投资(亿元)'), { field: 'totalInvestment', unit: '亿元' });
  t.same(matchHeader(' 项目 名称 '), { field: 'name', unit: '万元' });
  t.same(matchHeader('*签约时间'), { field: 'signedOn', unit: '万元' });
  t.equal(matchHeader('入库时间')?.field, 'statisticsOn');
  t.equal(matchHeader('行政区划代码')?.field, 'region');
  t.equal(matchHeader('合同投资额')?.field, 'contractInvestment');
  t.equal(matchHeader('联系人'), undefined);
});
