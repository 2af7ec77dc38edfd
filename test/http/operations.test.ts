import t from 'tap';
import { buildTestApp } from './build-test-app.js';
import { ConfigError, loadConfig } from '../../src/config.js';

t.test('health, readiness, metrics, OpenAPI and the docs page', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  const health = await app.inject({ url: '/healthz' });
  t.equal(health.statusCode, 200);
  t.same(health.json(), { status: 'ok' });
  t.ok(health.headers['x-request-id'], 'every answer carries its request id');

  const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bureau-sys-42' } });
  t.equal(given.headers['x-request-id'], 'bureau-sys-42', 'a client\'s request id is kept');

  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { ready: true, checks: [{ name: 'event-store', ok: true }] });

  const openapi = await app.inject({ url: '/openapi.json' });
  t.equal(openapi.statusCode, 200);
  t.match(openapi.json(), { openapi: /^3\./, paths: { '/healthz': {}, '/readyz': {} } });

  const docs = await app.inject({ url: '/docs' });
  t.equal(docs.statusCode, 200, 'the docs page answers');
  t.match(docs.body, /swagger-ui/i, 'a browsable Swagger UI page');

  const metrics = await app.inject({ url: '/metrics' });
  t.match(metrics.headers['content-type'], /^text\/plain/);
  t.match(metrics.body, /http_requests_total\{method="GET",route="\/healthz",status="200"\} 2/);
});

t.test('unknown routes and a closed store answer problem+json', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); });
  const missing = await app.inject({ url: '/v1/nothing-here' });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
  t.match(missing.json(), { status: 404, code: 'PIPELINE_NOT_FOUND', type: /problem/, title: 'Not found' });

  await store.close();
  const notReady = await app.inject({ url: '/readyz' });
  t.equal(notReady.statusCode, 503);
  t.match(notReady.json(), { code: 'PIPELINE_NOT_READY', detail: /event-store/ });
});

t.test('configuration is checked at start, naming the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), ConfigError);
  t.throws(() => loadConfig({ EVENT_STORE: 'kurrentdb' }), /ESDB_CONNECTION_STRING/);
  t.throws(() => loadConfig({ EVENT_STORE: 'postgres' }), /EVENT_STORE/);
  const defaults = loadConfig({});
  t.match(defaults, { PORT: 3000, HOST: '127.0.0.1', DATA_DIR: './data', EVENT_STORE: 'embedded', AUTH: 'on', STORE_SYNCHRONOUS: 'FULL' });
  t.equal(loadConfig({ PORT: '' }).PORT, 3000, 'an empty variable is the default');
});

t.test('the app\'s own 503 leaves as a 503 problem, not a 500', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const behind = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&minPosition=999999999' });
  t.equal(behind.statusCode, 503, 'a position the read models never reach');
  t.match(behind.json(), { code: 'PIPELINE_NOT_READY' });
});
