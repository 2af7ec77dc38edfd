/**
 * GET /v1/regions/{code}/targets/{year}: a region's targets read back as the last PUT set
 * them (the whole set: a PUT replaces it), amounts in 万元, with the revision as ETag, for
 * the roles and regions that may read them.
 */
import t from 'tap';
import { buildAuthApp, bearer, issue, ADMIN_SECRET } from '../auth/auth-test-app.js';

t.test('targets are read back whole, as the last PUT set them', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const url = '/v1/regions/131121/targets/2025';
  const admin = bearer(ADMIN_SECRET);

  const none = await app.inject({ url, headers: admin });
  t.equal(none.statusCode, 404, 'no targets set yet');
  t.equal(none.json().code, 'PIPELINE_NOT_FOUND');

  const first = await app.inject({ method: 'PUT', url, headers: admin, payload: { reserveCount: 100, reserveInvestment: 3_000_000.5, occurredOn: '2025-01-10' } });
  t.equal(first.statusCode, 200, first.body);
  const read = await app.inject({ url, headers: admin });
  t.equal(read.statusCode, 200, read.body);
  t.same(read.json(), { regionCode: '131121', year: 2025, setOn: '2025-01-10', targets: { reserveCount: 100, reserveInvestment: 3_000_000.5 }, revision: 0, position: first.json().position });
  t.equal(read.headers['etag'], '"0"');

  // A PUT replaces the whole set: reserveCount is gone.
  const replaced = await app.inject({ method: 'PUT', url, headers: { ...admin, 'if-match': read.headers['etag'] ?? '' }, payload: { startedInvestment: 2_000_000, occurredOn: '2025-02-01' } });
  t.equal(replaced.statusCode, 200, replaced.body);
  const again = await app.inject({ url, headers: admin });
  t.same(again.json().targets, { startedInvestment: 2_000_000 }, 'the set the last PUT gave, nothing merged');
  t.equal(again.headers['etag'], '"1"');

  t.equal((await app.inject({ url: '/v1/regions/999999/targets/2025', headers: admin })).statusCode, 409, 'a region that does not exist');
  const early = await app.inject({ url: '/v1/regions/131121/targets/1948', headers: admin });
  t.equal(early.statusCode, 400);
  t.match(early.json().detail, /1949/, 'a year before 1949 names the rule');
});

t.test('who may read a region\'s targets', async (t) => {
  const { app, store } = await buildAuthApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const url = '/v1/regions/131121/targets/2025';
  await app.inject({ method: 'PUT', url, headers: bearer(ADMIN_SECRET), payload: { reserveCount: 5 } });
  const bureau = await issue(app, { role: 'bureau', regions: ['131121'] });
  const auditor = await issue(app, { role: 'auditor', regions: ['131100'] });
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const elsewhere = await issue(app, { role: 'bureau', regions: ['131122'] });
  t.equal((await app.inject({ url, headers: bearer(bureau.key) })).statusCode, 200, 'the bureau that sets them');
  t.equal((await app.inject({ url, headers: bearer(auditor.key) })).statusCode, 200, 'an auditor of the city');
  t.equal((await app.inject({ url, headers: bearer(dashboard.key) })).statusCode, 403, 'a dashboard key reads them in the statistics');
  t.equal((await app.inject({ url, headers: bearer(elsewhere.key) })).statusCode, 403, 'a bureau of another county');
  t.equal((await app.inject({ url })).statusCode, 401, 'no key');
});
