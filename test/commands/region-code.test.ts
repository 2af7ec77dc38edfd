import t from 'tap';
import { ancestorsOf, contains, levelOf } from '../../commands/shared/region-code.js';

t.test('roll-up by GB/T 2260 prefix', async (t) => {
  t.ok(contains('000000', '131121'), 'the country holds every county');
  t.ok(contains('130000', '131121'), 'Hebei holds 枣强');
  t.ok(contains('131100', '131121'), '衡水 holds 枣强');
  t.ok(contains('131121', '131121001'), 'a county holds its townships');
  t.ok(contains('520500', '520500-JHH'), '毕节 holds 金海湖新区');
  t.ok(contains('131121', '131121'), 'a region holds itself');
  t.notOk(contains('131121', '131122'), 'not a neighbour');
  t.notOk(contains('131100', '130100'), 'not another city');
  t.notOk(contains('520500-JH', '520500-JHH'), 'a custom region holds only itself, not a longer name');
  t.same(ancestorsOf('520500-JHH'), ['520500-JHH', '520500', '520000', '000000']);
  t.same(ancestorsOf('131121001'), ['131121001', '131121', '131100', '130000', '000000']);
  t.equal(levelOf('410225'), 'county');
});
