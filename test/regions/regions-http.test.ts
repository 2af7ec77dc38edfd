import t from 'tap';
import { buildTestApp } from '../http/build-test-app.js';
import { ADMIN_SECRET, bearer, buildAuthApp, issue } from '../auth/auth-test-app.js';

t.test('GET /v1/regions/{code}: name, level, parent and children', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const county = await app.inject({ url: '/v1/regions/131121' });
  t.equal(county.statusCode, 200);
  t.match(county.json(), {
    code: '131121', name: '枣强县', fullName: '河北省衡水市枣强县', level: 'county', custom: false,
    parent: { code: '131100', name: '衡水市', level: 'city' },
    children: [{ code: /^131121\d{3}$/, level: 'township' }],
  });
  const country = await app.inject({ url: '/v1/regions/000000' });
  t.match(country.json(), { name: '全国', level: 'country', parent: null });
  t.equal(country.json<{ children: unknown[] }>().children.length, 31);
  const unknown = await app.inject({ url: '/v1/regions/139999' });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'PIPELINE_NOT_FOUND', detail: /139999/ });
  t.equal((await app.inject({ url: '/v1/regions/abc' })).statusCode, 400, 'a malformed code');
});

t.test('金海湖新区 registered by the bureau of 毕节市, then used in a key', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const bijie = await issue(app, { name: '毕节市投资促进局', role: 'bureau', regions: ['520500'] });

  const early = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(ADMIN_SECRET), payload: { name: '金海湖新区招商局', role: 'bureau', regions: ['520500-JHH'] } });
  t.equal(early.statusCode, 409, 'a custom region is unknown until registered');
  t.match(early.json(), { rule: 'region-unknown' });

  const registered = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(bijie.key), payload: { code: '520500-JHH', name: '金海湖新区', occurredOn: '2016-05-20' } });
  t.equal(registered.statusCode, 201);
  t.equal(registered.headers.location, '/v1/regions/520500-JHH');
  t.same(registered.json(), { code: '520500-JHH', parentCode: '520500', name: '金海湖新区', revision: 0, position: registered.json<{ position: number }>().position, events: ['CustomRegionRegistered'] });
  t.equal(registered.headers.etag, '"0"');
  const read = await app.inject({ url: '/v1/regions/520500-JHH', headers: bearer(bijie.key) });
  t.match(read.json(), {
    code: '520500-JHH', name: '金海湖新区', fullName: '贵州省毕节市金海湖新区', level: 'custom', custom: true,
    parent: { code: '520500', name: '毕节市', level: 'city' }, children: [],
  });
  const [event] = await store.readStream('region-520500-JHH');
  t.match(event, {
    type: 'CustomRegionRegistered',
    data: { code: '520500-JHH', parentCode: '520500', name: '金海湖新区', occurredOn: '2016-05-20' },
    metadata: { actor: { keyId: bijie.id, role: 'bureau', regions: ['520500'] }, hash: /^[0-9a-f]{64}$/ },
  });

  const city = await app.inject({ url: '/v1/regions/520500', headers: bearer(bijie.key) });
  t.match(city.json<{ children: Array<{ code: string }> }>().children.at(-1), { code: '520500-JHH', custom: true }, '毕节市 lists its new child');

  const jhh = await issue(app, { name: '金海湖新区招商局', role: 'bureau', regions: ['520500-JHH'] });
  const own = await app.inject({ url: '/v1/regions/520500-JHH', headers: bearer(jhh.key) });
  t.equal(own.statusCode, 200, 'the custom region is usable in a key');
  const nested = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(jhh.key), payload: { code: '520502-X', name: '七星关某园区' } });
  t.equal(nested.statusCode, 403, 'a custom region\'s key covers only itself');

  const again = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(ADMIN_SECRET), payload: { code: '520500-JHH', name: '金海湖新区' } });
  t.equal(again.statusCode, 409);
  t.match(again.json(), { code: 'PIPELINE_RULE_BROKEN', rule: 'region-already-registered' });

  const once = { method: 'POST' as const, url: '/v1/regions', headers: { ...bearer(bijie.key), 'idempotency-key': 'reg-qxg-1' }, payload: { code: '520502-KFQ', name: '七星关经济开发区' } };
  const firstTry = await app.inject(once);
  const retry = await app.inject(once);
  t.equal(firstTry.statusCode, 201);
  t.equal(retry.statusCode, 201, 'a retried command with its Idempotency-Key answers the same');
  t.same(retry.json(), firstTry.json());
  t.equal((await store.readStream('region-520502-KFQ')).length, 1, 'and appends nothing more');
});

t.test('a city key covers its counties and their custom children', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const hengshui = await issue(app, { name: '衡水市发改委', role: 'bureau', regions: ['131100'] });
  const kfq = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(hengshui.key), payload: { code: '131121-KFQ', name: '枣强经济开发区' } });
  t.equal(kfq.statusCode, 201, 'the city key covers 枣强县, so it registers a child of it');
  const zaoqiang = await issue(app, { name: '枣强县招商局', role: 'bureau', regions: ['131121'] });
  const township = (await app.inject({ url: '/v1/regions/131121', headers: bearer(zaoqiang.key) })).json<{ children: Array<{ code: string }> }>().children[0];
  t.ok(township);
  const underTownship = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(hengshui.key), payload: { code: `${township?.code ?? ''}-YQ`, name: '某镇园区' } });
  t.equal(underTownship.statusCode, 201, 'and a child of one of its townships');
  t.match((await app.inject({ url: '/v1/regions/131121', headers: bearer(zaoqiang.key) })).json(), { children: [{}, {}] });
});

t.test('registering a region under an unknown or unofficial parent: 409 with the rule', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/regions', payload });
  const unknown = await post({ code: '131199-X', name: '不存在' });
  t.equal(unknown.statusCode, 409);
  t.match(unknown.json(), { rule: 'region-unknown', detail: /131199/ });
  t.match((await post({ code: '110100-X', name: '某区' })).json(), { rule: 'region-parent-not-official' });
  t.match((await post({ code: '000000-X', name: '某区' })).json(), { rule: 'region-parent-not-official' });
  t.equal((await post({ code: '131121', name: '枣强县' })).statusCode, 400, 'an official code is not a custom code');
  t.equal((await post({ code: '131121-kfq', name: '开发区' })).statusCode, 400, 'suffixes are capitals and digits');
  t.equal((await post({ code: '131121-KFQ', name: '开发区', occurredOn: '2999-01-01' })).statusCode, 409, 'not in the future');
  t.equal((await store.readAll()).length, 0, 'nothing appended');
});
