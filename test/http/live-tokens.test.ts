/**
 * How a browser opens GET /v1/live: POST /v1/live/tokens with its key, then the stream with
 * `?token=` (an EventSource cannot send Authorization). Over real sockets, as a browser would:
 * the token opens the key's regions and no other, expires, dies with its key, works on
 * another server only with the same LIVE_TOKEN_SECRET, is no credential anywhere else, and
 * never reaches the logs.
 */
import t from 'tap';
import http from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/clock.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { ADMIN_SECRET, bearer, issue } from '../auth/auth-test-app.js';

const ZAOQIANG = '131121';
const HENGSHUI = '131100';
const LANKAO = '410225';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

async function listen(options: { env?: Record<string, string>; clock?: Clock; store?: EventStore; logs?: string[] } = {}) {
  const store = options.store ?? openEmbeddedStore({ path: ':memory:' });
  const config = loadConfig({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET, ...options.env });
  const logs = options.logs;
  const logger = logs === undefined ? undefined : pino({ level: 'info' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  }));
  const app = await buildApp({ store, config, ...(options.clock === undefined ? {} : { clock: options.clock }), ...(logger === undefined ? {} : { logger }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return { app, store, port: address.port };
}

interface Opened {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The first bytes of the answer: the first event, or the problem document. */
  readonly body: string;
}

/** Opens a stream as an EventSource would (GET, Accept: text/event-stream), reads its first event, closes it. */
function open(port: number, path: string, headers: Record<string, string> = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      const done = () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      };
      response.on('data', (chunk: string) => {
        body += chunk;
        if (response.statusCode === 200 && body.includes('event: pipeline')) done();
      });
      response.on('end', done);
    });
    request.on('error', reject);
    request.setTimeout(5_000, () => reject(new Error(`no answer to ${path} within 5 s`)));
  });
}

async function tokenFor(app: Awaited<ReturnType<typeof listen>>['app'], key: string): Promise<string> {
  const answer = await app.inject({ method: 'POST', url: '/v1/live/tokens', headers: bearer(key) });
  if (answer.statusCode !== 201) throw new Error(`POST /v1/live/tokens answered ${answer.statusCode}: ${answer.body}`);
  return String(answer.json().token);
}

t.test('a key gets a token saying who it is; no key, no token', async (t) => {
  const { app, store } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { name: '枣强县大屏', role: 'dashboard', regions: [ZAOQIANG] });
  const answer = await app.inject({ method: 'POST', url: '/v1/live/tokens', headers: bearer(dashboard.key) });
  t.equal(answer.statusCode, 201, answer.body);
  t.equal(answer.headers['cache-control'], 'no-store', 'never cached');
  const grant = answer.json();
  t.match(grant, { keyId: dashboard.id, name: '枣强县大屏', role: 'dashboard', regions: [ZAOQIANG], ttlSeconds: 60, token: String });
  t.ok(Date.parse(grant.expiresAt) - Date.now() <= 60_000 && Date.parse(grant.expiresAt) - Date.now() > 50_000, 'it expires in a minute');
  t.notMatch(grant.token, dashboard.key, 'the token is not the key');

  const anonymous = await app.inject({ method: 'POST', url: '/v1/live/tokens' });
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.json().code, 'PIPELINE_UNAUTHENTICATED');
});

t.test('the token opens the stream of a region its key covers, and of no other', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const token = await tokenFor(app, dashboard.key);

  const stream = await open(port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}`);
  t.equal(stream.status, 200, stream.body);
  t.match(stream.headers['content-type'], /^text\/event-stream/);
  t.match(stream.body, /event: pipeline\nid: \d+\ndata: \{"regionCode":"131121"/, 'the region\'s statistics');

  const city = await open(port, `/v1/live?regionCode=${HENGSHUI}&token=${encodeURIComponent(token)}`);
  t.equal(city.status, 403, 'not the city above the key\'s county');
  t.equal(JSON.parse(city.body).code, 'PIPELINE_FORBIDDEN');
  const elsewhere = await open(port, `/v1/live?regionCode=${LANKAO}&token=${encodeURIComponent(token)}`);
  t.equal(elsewhere.status, 403, 'nor another county');

  const auditor = await issue(app, { role: 'auditor', regions: [ZAOQIANG] });
  const auditorStream = await open(port, `/v1/live?regionCode=${LANKAO}&token=${encodeURIComponent(await tokenFor(app, auditor.key))}`);
  t.equal(auditorStream.status, 403, 'an auditor\'s token reads its key\'s regions only, as the auditor does');

  const withBearer = await open(port, `/v1/live?regionCode=${ZAOQIANG}`, bearer(dashboard.key));
  t.equal(withBearer.status, 200, 'a bearer key still opens it');
  const anonymous = await open(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.equal(anonymous.status, 401, 'nothing opens nothing');
});

t.test('a token expires: it opens streams until then, and not after', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-02T02:00:00Z'));
  const { app, store, port } = await listen({ clock, env: { LIVE_TOKEN_TTL_SECONDS: '30' } });
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const answer = await app.inject({ method: 'POST', url: '/v1/live/tokens', headers: bearer(dashboard.key) });
  t.equal(answer.json().expiresAt, '2026-03-02T02:00:30.000Z', 'LIVE_TOKEN_TTL_SECONDS from now');
  const path = `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(String(answer.json().token))}`;

  clock.advance(29_000);
  t.equal((await open(port, path)).status, 200, 'a second before it expires');
  clock.advance(1_000);
  const expired = await open(port, path);
  t.equal(expired.status, 401, 'at its expiry');
  t.equal(JSON.parse(expired.body).code, 'PIPELINE_UNAUTHENTICATED');
  t.match(JSON.parse(expired.body).detail, /stream token.*POST \/v1\/live\/tokens/, 'the answer says to get a new one');
  t.match(expired.headers['www-authenticate'], /error="invalid_token"/);
});

t.test('a revoked key\'s tokens open nothing, though they have not expired', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const token = await tokenFor(app, dashboard.key);
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${dashboard.id}`, headers: bearer(ADMIN_SECRET) });
  t.equal(revoked.statusCode, 204);
  t.equal((await open(port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}`)).status, 401);
  const again = await app.inject({ method: 'POST', url: '/v1/live/tokens', headers: bearer(dashboard.key) });
  t.equal(again.statusCode, 401, 'and the key gets no new one');
});

t.test('a token is checked, not trusted: tampered, foreign or misplaced, it is refused', async (t) => {
  const secret = 'a-shared-live-token-secret-0123456789';
  const a = await listen({ env: { LIVE_TOKEN_SECRET: secret } });
  t.teardown(async () => { await a.app.close(); await a.store.close(); });
  const dashboard = await issue(a.app, { role: 'dashboard', regions: [ZAOQIANG] });
  const token = await tokenFor(a.app, dashboard.key);
  const [payload = '', signature = ''] = token.split('.');

  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const longer = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400_000 })).toString('base64url');
  for (const [what, forged] of [
    ['a later expiry under the old signature', `${longer}.${signature}`],
    ['another signature', `${payload}.${Buffer.alloc(32, 1).toString('base64url')}`],
    ['no signature', payload],
    ['garbage', 'not-a-token'],
  ] as const) {
    t.equal((await open(a.port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(forged)}`)).status, 401, what);
  }

  const stats = await a.app.inject({ url: `/v1/stats/pipeline?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}` });
  t.equal(stats.statusCode, 401, 'a token is no key for any other route');

  // A second server on the same log (a replica): with the same secret it honours the token, with its own it does not.
  const replica = await listen({ store: a.store, env: { LIVE_TOKEN_SECRET: secret } });
  t.teardown(() => replica.app.close());
  await replica.app.readModels.caughtUp();
  t.equal((await open(replica.port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}`)).status, 200, 'a replica with the same LIVE_TOKEN_SECRET');
  const stranger = await listen({ store: a.store });
  t.teardown(() => stranger.app.close());
  t.equal((await open(stranger.port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}`)).status, 401, 'a server with a secret of its own');
});

t.test('the token never reaches the request logs', async (t) => {
  const logs: string[] = [];
  const { app, store, port } = await listen({ logs });
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const token = await tokenFor(app, dashboard.key);
  t.equal((await open(port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(token)}`)).status, 200);
  t.equal((await open(port, `/v1/live?regionCode=${LANKAO}&token=${encodeURIComponent(token)}`)).status, 403);
  const text = logs.join('');
  t.match(text, /\/v1\/live\?regionCode=131121&token=\[redacted\]/, 'the request is logged, its token hidden');
  t.notMatch(text, token.split('.')[1] ?? token, 'the signature appears nowhere');
  t.notMatch(text, dashboard.key, 'nor the key');
});

t.test('the OpenAPI document says how a browser opens the stream', async (t) => {
  const { app, store } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const spec = (await app.inject({ url: '/openapi.json' })).json();
  t.match(spec.components.securitySchemes.streamToken, { type: 'apiKey', in: 'query', name: 'token' });
  t.same(spec.paths['/v1/live'].get.security, [{ bearer: [] }, { streamToken: [] }], 'the stream takes a bearer key or a stream token');
  t.match(spec.paths['/v1/live'].get.description, /token=.*POST \/v1\/live\/tokens/, 'and says where the token comes from');
  t.match(spec.paths['/v1/live/tokens'].post.responses['201'], { content: { 'application/json': { schema: { properties: { token: {}, expiresAt: {}, regions: {} } } } } });
});
