/** How the dashboard writes the API's figures: units, precision and signs, never other numbers. */
import t from 'tap';
import { amountParts, formatAmount, formatCount, formatGrowth, formatMeasure, formatPoints, formatRatio, formatRecordTime, NO_VALUE } from '../../dashboard/src/format.js';

t.test('amounts arrive in 万元 and are written in 万元 below 1 亿, in 亿元 from 1 亿 up', async (t) => {
  t.same(amountParts(9_999.99), { value: '9,999.99', unit: '万元' });
  t.same(amountParts(10_000), { value: '1.00', unit: '亿元' }, '1 亿元 exactly');
  t.same(amountParts(24_298_598), { value: '2,429.86', unit: '亿元' });
  t.same(amountParts(5_440), { value: '5,440', unit: '万元' }, 'whole 万 without decimals');
  t.same(amountParts(0.5), { value: '0.5', unit: '万元' }, '100 元 precision kept');
  t.same(amountParts(-12_345), { value: '-1.23', unit: '亿元' }, 'a correction may be negative');
  t.equal(formatAmount(3_456.5), '3,456.5 万元');
  t.equal(formatAmount(null), NO_VALUE);
  t.equal(formatAmount(undefined), NO_VALUE);
});

t.test('counts, rates, points and growth', async (t) => {
  t.equal(formatCount(4_950), '4,950');
  t.equal(formatCount(null), NO_VALUE);
  t.equal(formatRatio(0.837), '83.7%');
  t.equal(formatRatio(1.8082), '180.8%');
  t.equal(formatRatio(null), NO_VALUE, 'a ratio over 0 is not a number');
  t.equal(formatPoints(19.99), '+19.99');
  t.equal(formatPoints(-16.3), '−16.30');
  t.equal(formatPoints(0), '±0.00');
  t.equal(formatPoints(null), NO_VALUE, 'a stock measure has no schedule, so no points');
  t.equal(formatGrowth(0.2099), '+21.0%');
  t.equal(formatGrowth(-0.257), '−25.7%');
  t.equal(formatGrowth(null), NO_VALUE, 'nothing last year');
  t.equal(formatMeasure('count', 12), '12 个');
  t.equal(formatMeasure('amount', 45_054_455), '4,505.45 亿元');
  t.equal(formatMeasure('ratio', 0.116), '11.6%');
  t.equal(formatMeasure('amount', null), NO_VALUE);
});

t.test('record times are written in China time', async (t) => {
  t.equal(formatRecordTime('2026-03-04T17:30:00.000Z'), '2026-03-05 01:30');
  t.equal(formatRecordTime('not a time'), 'not a time');
});
