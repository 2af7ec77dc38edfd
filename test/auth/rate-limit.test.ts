import t from 'tap';
import { ADMIN_SECRET, bearer, buildAuthApp, issue } from './auth-test-app.js';

t.test('each key has RATE_LIMIT_PER_MINUTE requests; then 429 problem+json with Retry-After', async (t) => {
  const { app, store } = await buildAuthApp({ RATE_LIMIT_PER_MINUTE: '5' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const get = (key: string) => app.inject({ url: '/v1/regions/131121', headers: bearer(key) });
  for (let i = 0; i < 5; i += 1) t.equal((await get(dashboard.key)).statusCode, 200, `request ${i + 1}`);
  const limited = await get(dashboard.key);
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], /^application\/problem\+json/);
  t.match(limited.json(), { status: 429, code: 'PIPELINE_RATE_LIMITED', title: 'Too many requests', detail: /retry in/ });
  t.ok(limited.headers['retry-after'], 'Retry-After says when');

  const other = await issue(app, { role: 'dashboard', regions: ['131121'] });
  t.equal((await get(other.key)).statusCode, 200, 'another key has its own budget');
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'probes are not counted');
  t.equal((await app.inject({ url: '/v1/keys', headers: bearer(ADMIN_SECRET) })).statusCode, 200);
});
