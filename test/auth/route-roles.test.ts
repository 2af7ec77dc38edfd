import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildApp } from '../../src/http/app.js';
import { assertCovers, requireRole } from '../../src/http/auth/index.js';
import { covers } from '../../src/http/auth/region-scope.js';
import { ADMIN_SECRET, bearer, issue } from './auth-test-app.js';

t.test('a route declares its roles with requireRole; the actor and its scope are at hand', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET }) });
  app.post('/v1/probe/:region', { preHandler: requireRole('bureau', 'admin') }, async (request) => {
    const params: unknown = request.params;
    const region = typeof params === 'object' && params !== null ? String(Reflect.get(params, 'region')) : '';
    assertCovers(request.actor, region);
    return { actor: request.actor };
  });
  app.get('/v1/read/:region', { config: { roles: ['auditor', 'dashboard'] } }, async (request) => {
    const params: unknown = request.params;
    const region = typeof params === 'object' && params !== null ? String(Reflect.get(params, 'region')) : '';
    assertCovers(request.actor, region, 'read');
    return { ok: true };
  });
  app.get('/public-probe', async (request) => ({ actor: request.actor }));
  await app.ready();
  t.teardown(async () => { await app.close(); await store.close(); });

  const bureau = await issue(app, { role: 'bureau', regions: ['131100'] });
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const auditor = await issue(app, { role: 'auditor', regions: ['131121'] });

  const ok = await app.inject({ method: 'POST', url: '/v1/probe/131121', headers: bearer(bureau.key) });
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { actor: { keyId: bureau.id, role: 'bureau', regions: ['131100'] } }, 'request.actor is the key');
  t.equal((await app.inject({ method: 'POST', url: '/v1/probe/131121', headers: bearer(dashboard.key) })).statusCode, 403, 'a role not admitted');
  t.equal((await app.inject({ method: 'POST', url: '/v1/probe/131121' })).statusCode, 401, 'requireRole authenticates too');
  t.equal((await app.inject({ method: 'POST', url: '/v1/probe/330326', headers: bearer(bureau.key) })).statusCode, 403, 'outside the key\'s regions');

  t.equal((await app.inject({ url: '/v1/read/520500', headers: bearer(dashboard.key) })).statusCode, 403, 'a dashboard reads its regions only');
  t.equal((await app.inject({ url: '/v1/read/520500', headers: bearer(auditor.key) })).statusCode, 403, 'an auditor reads its regions only');
  t.equal((await app.inject({ url: '/v1/read/131121', headers: bearer(auditor.key) })).statusCode, 200);

  const publicProbe = await app.inject({ url: '/public-probe' });
  t.equal(publicProbe.statusCode, 401, 'request.actor on a public route is not an actor');
});

t.test('a /v1 route without roles stops the app at start', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'off' }) });
  t.teardown(() => app.close());
  t.throws(() => app.get('/v1/open-by-mistake', async () => ({})), /declares no roles/);
});

t.test('covers: roll-up for every role, auditors included', async (t) => {
  const city = { keyId: 'k', role: 'dashboard' as const, regions: ['520500'] };
  t.ok(covers(city, '520502'));
  t.ok(covers(city, '520500-JHH'));
  t.notOk(covers(city, '520000'));
  t.notOk(covers({ ...city, role: 'auditor' }, '131121'), 'an auditor writes nowhere outside its regions');
  t.notOk(covers({ ...city, role: 'auditor' }, '131121', 'read'), 'nor reads outside them (API.md: "read everything in its regions")');
  t.ok(covers({ ...city, role: 'auditor' }, '520502', 'read'));
  t.ok(covers({ ...city, regions: ['000000'] }, '131121001'));
});
