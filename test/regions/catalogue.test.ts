import t from 'tap';
import { RegionCatalogue, UnknownRegion } from '../../src/regions/catalogue.js';
import { regionCovers } from '../../src/regions/coverage.js';
import { DomainRuleBroken } from '../../commands/decider.js';
import { REGION_CODE_PATTERN } from '../../commands/shared/region-code.js';

const catalogue = new RegionCatalogue();

t.test('the seed regions of DOMAIN.md are known, with their full names', async (t) => {
  const seeds: Array<[string, string, string]> = [
    ['410225', '兰考县', '河南省开封市兰考县'],
    ['330326', '平阳县', '浙江省温州市平阳县'],
    ['510904', '安居区', '四川省遂宁市安居区'],
    ['131121', '枣强县', '河北省衡水市枣强县'],
    ['520500', '毕节市', '贵州省毕节市'],
  ];
  for (const [code, name, fullName] of seeds) {
    t.ok(catalogue.isKnown(code), `${code} is known`);
    t.equal(catalogue.nameOf(code), name);
    t.equal(catalogue.fullName(code), fullName);
  }
  t.match(catalogue.get('131121'), { level: 'county', parent: '131100', custom: false });
  t.match(catalogue.get('520500'), { level: 'city', parent: '520000' });
});

t.test('the tree: provinces, cities, counties and 9-digit townships', async (t) => {
  t.equal(catalogue.nameOf('000000'), '全国');
  t.equal(catalogue.childrenOf('000000').length, 31, '31 provincial regions (台湾, 香港, 澳门 carry no codes here)');
  t.ok(catalogue.childrenOf('131100').some((r) => r.code === '131121'), '衡水市 lists 枣强县');
  const townships = catalogue.childrenOf('131121');
  t.ok(townships.length > 5, '枣强县 has its townships');
  t.ok(townships.every((r) => r.level === 'township' && r.code.length === 9 && r.code.startsWith('131121')));
  const first = townships[0];
  t.ok(first && catalogue.fullName(first.code)?.startsWith('河北省衡水市枣强县'));
});

t.test('直辖市 and 省直辖县级行政区划: the grouping rows are known but skipped in the tree', async (t) => {
  t.equal(catalogue.fullName('110101'), '北京市东城区', 'no 市辖区 in the name');
  t.equal(catalogue.get('110101')?.parent, '110000');
  t.ok(catalogue.childrenOf('110000').some((r) => r.code === '110101'), '北京市 lists its districts');
  t.notOk(catalogue.childrenOf('110000').some((r) => r.grouping), 'and not 市辖区');
  t.ok(catalogue.isKnown('110100'), '110100 市辖区 is still a known code');
  t.ok(catalogue.childrenOf('110100').some((r) => r.code === '110101'));
  t.equal(catalogue.fullName('500230'), '重庆市丰都县', '重庆\'s 县 grouping skipped');
  t.equal(catalogue.fullName('419001'), '河南省济源市', '省直辖县级行政区划 skipped');
  t.ok(catalogue.childrenOf('410000').some((r) => r.code === '419001'), '河南省 lists 济源市');
  t.match(catalogue.get('441900'), { level: 'city', name: '东莞市' }, '不设区的地级市');
  t.ok(catalogue.childrenOf('441900').every((r) => r.level === 'township'), '东莞\'s children are townships');
});

t.test('an unknown code is refused with the rule region-unknown', async (t) => {
  t.notOk(catalogue.isKnown('999999'));
  t.notOk(catalogue.isKnown('131199'));
  t.equal(catalogue.nameOf('131199'), undefined);
  t.same(catalogue.childrenOf('131199'), []);
  t.throws(() => catalogue.assertKnown('131199'), UnknownRegion);
  const refused = (() => { try { catalogue.assertKnown('131199'); } catch (error) { return error; } return undefined; })();
  t.ok(refused instanceof DomainRuleBroken, 'a DomainRuleBroken: the error handler answers 409');
  t.match(refused, { rule: 'region-unknown', message: /131199/ });
  t.throws(() => catalogue.assertKnown('520500-JHH'), /520500-JHH is not known/, 'a custom region is unknown until registered');
});

t.test('a registered custom child region joins the tree', async (t) => {
  const regions = new RegionCatalogue();
  const registered = { type: 'CustomRegionRegistered', data: { code: '520500-JHH', parentCode: '520500', name: '金海湖新区', occurredOn: '2024-05-01' } };
  regions.apply(registered);
  regions.apply(registered);
  t.match(regions.assertKnown('520500-JHH'), { name: '金海湖新区', level: 'custom', parent: '520500', custom: true });
  t.equal(regions.fullName('520500-JHH'), '贵州省毕节市金海湖新区');
  t.equal(regions.childrenOf('520500').filter((r) => r.code === '520500-JHH').length, 1, 'listed once among 毕节\'s children');
  t.equal(regions.childrenOf('520500').at(-1)?.code, '520500-JHH', 'after the official children');
  t.notOk(catalogue.isKnown('520500-JHH'), 'each catalogue folds its own store');
});

t.test('roll-up by prefix, and a custom region covers only itself', async (t) => {
  t.ok(REGION_CODE_PATTERN.test('520500-JHH'), 'a custom code is a region code');
  t.ok(regionCovers('000000', '131121'));
  t.ok(regionCovers('130000', '131121001'));
  t.ok(regionCovers('131100', '131121'), 'a city covers its counties');
  t.ok(regionCovers('131100', '131121001'), 'and their townships');
  t.ok(regionCovers('520500', '520500-JHH'), 'and its custom children');
  t.ok(regionCovers('131121', '131121-KFQ'), 'a county covers its custom children');
  t.notOk(regionCovers('131121', '131122'));
  t.notOk(regionCovers('131121', '131100'), 'a county does not cover its city');
  t.ok(regionCovers('520500-JHH', '520500-JHH'));
  t.notOk(regionCovers('520500-JH', '520500-JHH'), 'custom codes are not prefixes of each other');
  t.notOk(regionCovers('520500-JHH', '520500'));
});
