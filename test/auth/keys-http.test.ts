import t from 'tap';
import { ADMIN_SECRET, bearer, buildAuthApp, issue } from './auth-test-app.js';

t.test('no key, a bad key, a malformed header: 401 problem+json with WWW-Authenticate', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  const missing = await app.inject({ url: '/v1/keys' });
  t.equal(missing.statusCode, 401);
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
  t.match(missing.headers['www-authenticate'], /^Bearer/);
  t.match(missing.json(), { status: 401, code: 'PIPELINE_UNAUTHENTICATED', detail: /Bearer/ });

  const unknown = await app.inject({ url: '/v1/keys', headers: bearer('xmk_not-a-key-anyone-was-given') });
  t.equal(unknown.statusCode, 401);
  t.match(unknown.headers['www-authenticate'], /invalid_token/);

  const basic = await app.inject({ url: '/v1/keys', headers: { authorization: `Basic ${ADMIN_SECRET}` } });
  t.equal(basic.statusCode, 401, 'only the Bearer scheme');

  const health = await app.inject({ url: '/healthz' });
  t.equal(health.statusCode, 200, 'probes stay public');
  for (const url of ['/readyz', '/metrics', '/openapi.json', '/docs']) {
    t.not((await app.inject({ url })).statusCode, 401, `${url} is public`);
  }
});

t.test('an admin issues, lists and revokes keys; the secret is shown once and stored nowhere', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  const created = await app.inject({
    method: 'POST', url: '/v1/keys', headers: bearer(ADMIN_SECRET),
    payload: { name: '枣强县招商局', role: 'bureau', regions: ['131121'] },
  });
  t.equal(created.statusCode, 201);
  const { id, key } = created.json<{ id: string; key: string }>();
  t.match(key, /^xmk_[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url, prefixed');
  t.equal(created.headers.location, `/v1/keys/${id}`);
  t.equal(created.headers['cache-control'], 'no-store');

  const works = await app.inject({ url: '/v1/regions/131121', headers: bearer(key) });
  t.equal(works.statusCode, 200, 'the new key works at once');

  const list = await app.inject({ url: '/v1/keys', headers: bearer(ADMIN_SECRET) });
  t.equal(list.statusCode, 200);
  const { keys } = list.json<{ keys: Array<Record<string, unknown>> }>();
  t.equal(keys.length, 2, 'the first admin key and the new one');
  t.match(keys.find((k) => k.id === id), { name: '枣强县招商局', role: 'bureau', regions: ['131121'], issuedAt: /^\d{4}-\d\d-\d\dT/, revokedAt: null });
  t.match(keys.find((k) => k.id !== id), { role: 'admin', regions: ['000000'], issuedBy: 'system' });
  t.notMatch(list.body, key, 'no secret in the list');
  t.notMatch(list.body, /secretHash/, 'nor its hash');

  const stored = JSON.stringify(await store.readAll());
  t.notMatch(stored, key, 'the new secret is in no stored event');
  t.notMatch(stored, ADMIN_SECRET, 'nor is the admin secret');
  t.match(stored, /"secretHash":"[0-9a-f]{64}"/, 'only hashes are');

  const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${id}?reason=left`, headers: bearer(ADMIN_SECRET) });
  t.equal(revoked.statusCode, 204);
  const after = await app.inject({ url: '/v1/regions/131121', headers: bearer(key) });
  t.equal(after.statusCode, 401, 'the revoked key fails on the very next request');

  const again = await app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: bearer(ADMIN_SECRET) });
  t.equal(again.statusCode, 204, 'revoking twice is idempotent');
  const events = await store.readStream(`key-${id}`);
  t.same(events.map((e) => e.type), ['KeyIssued', 'KeyRevoked'], 'one issue, one revocation');
  t.match(events[1], { data: { keyId: id, reason: 'left' }, metadata: { actor: { role: 'admin' }, hash: /^[0-9a-f]{64}$/ } });

  const one = await app.inject({ url: `/v1/keys/${id}`, headers: bearer(ADMIN_SECRET) });
  t.match(one.json(), { id, revokedAt: /^\d{4}-/, revocationReason: 'left' });

  const missing = await app.inject({ method: 'DELETE', url: '/v1/keys/k_nobody', headers: bearer(ADMIN_SECRET) });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { code: 'PIPELINE_NOT_FOUND' });
});

t.test('the registry follows keys issued elsewhere (another instance on the same store)', async (t) => {
  const first = await buildAuthApp();
  const second = await buildAuthApp({}, first.store);
  t.teardown(async () => { await first.app.close(); await second.app.close(); await first.store.close(); });
  const { id, key } = await issue(first.app, { role: 'dashboard', regions: ['520500'] });
  const waitFor = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await waitFor(async () => (await second.app.inject({ url: '/v1/regions/520500', headers: bearer(key) })).statusCode === 200);
  t.equal((await second.app.inject({ url: '/v1/regions/520500', headers: bearer(key) })).statusCode, 200, 'issued on one, works on the other');
  await first.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: bearer(ADMIN_SECRET) });
  await waitFor(async () => (await second.app.inject({ url: '/v1/regions/520500', headers: bearer(key) })).statusCode === 401);
  t.equal((await second.app.inject({ url: '/v1/regions/520500', headers: bearer(key) })).statusCode, 401, 'revoked on one, refused by the other');
});

t.test('roles and region scope: 403', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const bureau = await issue(app, { role: 'bureau', regions: ['131121'] });

  const wrongRole = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(dashboard.key), payload: { name: 'x', role: 'admin', regions: ['000000'] } });
  t.equal(wrongRole.statusCode, 403);
  t.match(wrongRole.json(), { code: 'PIPELINE_FORBIDDEN', detail: /admin/ });
  t.equal((await app.inject({ url: '/v1/keys', headers: bearer(bureau.key) })).statusCode, 403, 'a bureau does not list keys');
  t.equal((await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(bureau.key), payload: 'not json', })).statusCode, 403,
    'the role is checked before the body is read');

  const outside = await app.inject({ method: 'POST', url: '/v1/regions', headers: bearer(bureau.key), payload: { code: '520500-JHH', name: '金海湖新区' } });
  t.equal(outside.statusCode, 403, 'a bureau of 枣强县 does not register regions in 毕节市');
  t.match(outside.json(), { code: 'PIPELINE_FORBIDDEN', detail: /520500/ });

  const cityAdmin = await issue(app, { role: 'admin', regions: ['131100'] });
  const beyond = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(cityAdmin.key), payload: { name: 'x', role: 'bureau', regions: ['520500'] } });
  t.equal(beyond.statusCode, 403, 'an admin of 衡水市 issues keys only within 衡水市');
  const within = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(cityAdmin.key), payload: { name: 'x', role: 'bureau', regions: ['131121'] } });
  t.equal(within.statusCode, 201);
});

t.test('an admin of a county issues, lists and reads keys of its county only, and the keys it issues read that county only', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const admin = bearer(ADMIN_SECRET);
  const registration = (projectId: string, regionCode: string) => ({
    projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 100, occurredOn: '2025-01-06',
  });
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', headers: admin, payload: registration('ZQ-1', '131121') })).statusCode, 201);
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', headers: admin, payload: registration('LK-1', '410225') })).statusCode, 201);
  const lankaoBureau = await issue(app, { role: 'bureau', regions: ['410225'] });

  const countyAdmin = await issue(app, { role: 'admin', regions: ['131121'] });
  const asCounty = bearer(countyAdmin.key);
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/keys', headers: asCounty, payload });
  t.equal((await post({ name: 'x', role: 'auditor', regions: ['410225'] })).statusCode, 403, 'not for another county');
  t.equal((await post({ name: 'x', role: 'auditor', regions: ['131100'] })).statusCode, 403, 'not for the city above it');
  t.equal((await post({ name: 'x', role: 'admin', regions: ['000000'] })).statusCode, 403, 'not for the whole country');
  const issued = await post({ name: '枣强县审计', role: 'auditor', regions: ['131121'] });
  t.equal(issued.statusCode, 201, issued.body);
  const auditor = bearer(issued.json().key);

  t.equal((await app.inject({ url: '/v1/projects/LK-1/history', headers: auditor })).statusCode, 403, 'its auditor: not another county\'s history');
  t.equal((await app.inject({ url: '/v1/projects/LK-1/history', headers: asCounty })).statusCode, 403, 'the admin itself neither');
  t.equal((await app.inject({ url: '/v1/projects/ZQ-1/history', headers: auditor })).statusCode, 200, 'its own county\'s history');
  for (const headers of [auditor, asCounty]) {
    t.equal((await app.inject({ url: '/v1/audit/events?regionCode=000000', headers })).statusCode, 403, 'not the whole feed');
    const feed = await app.inject({ url: '/v1/audit/events?limit=1000', headers });
    t.equal(feed.statusCode, 200);
    const streams = new Set<string>(feed.json().events.map((e: { streamId: string }) => e.streamId));
    t.same([...streams], ['project-ZQ-1'], 'its own feed: the county\'s project, no key issuances');
  }

  const listed = await app.inject({ url: '/v1/keys', headers: asCounty });
  t.same(listed.json().keys.map((k: { id: string }) => k.id).sort(), [countyAdmin.id, issued.json().id].sort(), 'it lists the keys of its county only');
  t.equal((await app.inject({ url: `/v1/keys/${lankaoBureau.id}`, headers: asCounty })).statusCode, 403, 'nor reads another county\'s key');
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${lankaoBureau.id}`, headers: asCounty })).statusCode, 403, 'nor revokes it');
  t.equal((await app.inject({ url: '/v1/projects/LK-1', headers: bearer(lankaoBureau.key) })).statusCode, 200, 'which still works');
});

t.test('key bodies are validated: bad input 400, unknown regions 409 region-unknown', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(ADMIN_SECRET), payload });
  t.equal((await post({ name: 'x', role: 'mayor', regions: ['131121'] })).statusCode, 400);
  t.equal((await post({ name: 'x', role: 'bureau', regions: [] })).statusCode, 400, 'at least one region');
  t.equal((await post({ name: 'x', role: 'bureau', regions: ['13112'] })).statusCode, 400, 'a malformed code');
  const unknown = await post({ name: 'x', role: 'bureau', regions: ['131121', '139999'] });
  t.equal(unknown.statusCode, 409);
  t.match(unknown.json(), { code: 'PIPELINE_RULE_BROKEN', rule: 'region-unknown', detail: /139999/ });
  const twice = await post({ name: 'x', role: 'bureau', regions: ['131121', '131121'] });
  t.match(twice.json(), { status: 409, rule: 'key-regions-distinct' });
  t.equal((await store.readAll({ filter: { streamPrefixes: ['key-'] } })).length, 1, 'nothing appended but the first admin key');
});
