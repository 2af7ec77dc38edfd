/**
 * CORS_ORIGINS: off unless set; then the listed origins (or any, with `*`) may call the API
 * from a page, read its refusals, and open the live stream.
 */
import t from 'tap';
import http from 'node:http';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildApp } from '../../src/http/app.js';
import { buildTestApp } from './build-test-app.js';

const DASHBOARD_ORIGIN = 'https://dashboard.example.gov.cn';
const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/v1/stats/pipeline?regionCode=131121',
  headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
});

t.test('off by default: no CORS header on any answer', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const read = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121', headers: { origin: DASHBOARD_ORIGIN } });
  t.equal(read.statusCode, 200);
  t.notOk(read.headers['access-control-allow-origin'], 'a page elsewhere cannot read it');
  const asked = await app.inject(preflight(DASHBOARD_ORIGIN));
  t.notOk(asked.headers['access-control-allow-origin'], 'nor get a preflight through');
});

t.test('the configured origins may call the API with a key and read every answer', async (t) => {
  const { app, store } = await buildTestApp({ AUTH: 'on', ADMIN_KEY: 'cors-admin-key-0123456789-abcdef', CORS_ORIGINS: `${DASHBOARD_ORIGIN}, http://localhost:5173` });
  t.teardown(async () => { await app.close(); await store.close(); });
  const asked = await app.inject(preflight(DASHBOARD_ORIGIN));
  t.equal(asked.statusCode, 204);
  t.equal(asked.headers['access-control-allow-origin'], DASHBOARD_ORIGIN);
  t.match(asked.headers['access-control-allow-headers'], /Authorization/);
  t.match(asked.headers['access-control-allow-methods'], /POST/);
  t.notOk(asked.headers['access-control-allow-credentials'], 'no credentials: keys never ride in cookies');

  const refused = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121', headers: { origin: 'http://localhost:5173' } });
  t.equal(refused.statusCode, 401);
  t.equal(refused.headers['access-control-allow-origin'], 'http://localhost:5173', 'a 401 is readable by the page, so it can say why');
  t.match(refused.headers['access-control-expose-headers'], /WWW-Authenticate/);

  const read = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121', headers: { origin: DASHBOARD_ORIGIN, authorization: 'Bearer cors-admin-key-0123456789-abcdef' } });
  t.equal(read.statusCode, 200);
  t.equal(read.headers['access-control-allow-origin'], DASHBOARD_ORIGIN);

  const stranger = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121', headers: { origin: 'https://elsewhere.example.com', authorization: 'Bearer cors-admin-key-0123456789-abcdef' } });
  t.notOk(stranger.headers['access-control-allow-origin'], 'another origin is not allowed');
});

t.test('CORS_ORIGINS=* lets any origin in', async (t) => {
  const { app, store } = await buildTestApp({ CORS_ORIGINS: '*' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const read = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121', headers: { origin: 'https://anywhere.example.org' } });
  t.equal(read.headers['access-control-allow-origin'], '*');
});

t.test('the live stream carries the CORS headers too (its head is written by hand)', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'off', CORS_ORIGINS: DASHBOARD_ORIGIN }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: address.port, path: '/v1/live?regionCode=131121', headers: { origin: DASHBOARD_ORIGIN, accept: 'text/event-stream' }, agent: false }, (response) => {
      resolve(response.headers);
      request.destroy();
    });
    request.on('error', reject);
  });
  t.match(headers['content-type'], /^text\/event-stream/);
  t.equal(headers['access-control-allow-origin'], DASHBOARD_ORIGIN);
});

t.test('a malformed CORS_ORIGINS stops the start, naming the variable', async (t) => {
  for (const value of ['https://dashboard.example.gov.cn/', 'dashboard.example.gov.cn', 'ftp://files.example.gov.cn', 'https://a.example/path', ',']) {
    let problem: unknown;
    try {
      loadConfig({ CORS_ORIGINS: value });
    } catch (error) {
      problem = error;
    }
    t.ok(problem instanceof ConfigError && /CORS_ORIGINS/.test(problem.message), `${value}: refused, naming CORS_ORIGINS`);
  }
  t.same(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:8080' }).CORS_ORIGINS, ['https://a.example', 'http://localhost:8080']);
  t.equal(loadConfig({}).CORS_ORIGINS, undefined, 'off when unset');
});
