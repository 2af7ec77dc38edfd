/**
 * GET /v1/live through real HTTP connections (the app listening on loopback, node:http
 * clients parsing the event stream): the first event on connect, events after changes in the
 * region and none after changes elsewhere, coalescing under a burst, Last-Event-ID, auth,
 * shutdown with clients connected; and a slow client, on a socket that never drains.
 */
import t from 'tap';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { chinaDateOf } from '../../commands/shared/dates.js';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildApp } from '../../src/http/app.js';
import { SseClient } from '../../src/http/sse/sse-client.js';
import type { LiveSettings } from '../../src/http/sse/live-hub.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import { ADMIN_SECRET, bearer, issue } from '../auth/auth-test-app.js';

const ZAOQIANG = '131121';
const HENGSHUI = '131100';
const LANKAO = '410225';
const today = chinaDateOf(new Date());

interface StreamEvent {
  readonly event: string;
  readonly id: number;
  readonly data: Record<string, unknown>;
}

interface Stream {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: StreamEvent[];
  readonly comments: string[];
  retry: number | undefined;
  ended: boolean;
  /** Resolves with the first event (from index `from`) that passes `test`. */
  next(test: (event: StreamEvent) => boolean, timeoutMs?: number, from?: number): Promise<StreamEvent>;
  close(): void;
}

async function listen(env: Record<string, string> = {}, live: Partial<LiveSettings> = {}) {
  const store = openEmbeddedStore({ path: ':memory:' });
  const config = loadConfig({ AUTH: 'off', ADMIN_KEY: ADMIN_SECRET, ...env });
  const app = await buildApp({ store, config, live: { windowMs: 100, ...live } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return { app, store, port: address.port };
}

/** Opens an event stream and parses it as it arrives. */
function connect(port: number, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers }, agent: false }, (response) => {
      const waiters = new Set<() => void>();
      let buffer = '';
      const stream: Stream = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        events: [],
        comments: [],
        retry: undefined,
        ended: false,
        next: (test, timeoutMs = 3000, from = 0) => new Promise((found, failed) => {
          const check = () => {
            const event = stream.events.slice(from).find(test);
            if (event === undefined) return false;
            clearTimeout(timer);
            waiters.delete(waiter);
            found(event);
            return true;
          };
          const waiter = () => { check(); };
          const timer = setTimeout(() => {
            waiters.delete(waiter);
            failed(new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(stream.events.map((e) => e.id))}`));
          }, timeoutMs);
          if (!check()) waiters.add(waiter);
        }),
        close: () => request.destroy(),
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parseBlock(stream, buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        for (const waiter of [...waiters]) waiter();
      });
      response.on('end', () => { stream.ended = true; });
      response.on('error', () => { stream.ended = true; });
      resolve(stream);
    });
    request.on('error', reject);
  });
}

function parseBlock(stream: Stream, block: string): void {
  let event = 'message';
  let id: number | undefined;
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('id: ')) id = Number(line.slice(4));
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('retry: ')) stream.retry = Number(line.slice(7));
  }
  if (data.length > 0 && id !== undefined) stream.events.push({ event, id, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
}

function project(projectId: string, regionCode: string) {
  return {
    projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial',
    origin: 'local', plannedInvestment: 12000, occurredOn: today,
  };
}

async function register(app: ZodApp, projectId: string, regionCode: string, headers: Record<string, string> = {}): Promise<number> {
  const answer = await app.inject({ method: 'POST', url: '/v1/projects', payload: project(projectId, regionCode), headers });
  if (answer.statusCode !== 201) throw new Error(`registering ${projectId}: ${answer.statusCode} ${answer.body}`);
  const position: unknown = answer.json().position;
  if (typeof position !== 'number') throw new Error('no position in the answer');
  return position;
}

const reserveCount = (event: StreamEvent | undefined): unknown => {
  const reserve = event?.data['reserve'];
  return typeof reserve === 'object' && reserve !== null ? Reflect.get(reserve, 'count') : undefined;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a dashboard gets the statistics on connect, after each change in its region, and none for other regions', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  await register(app, 'ZQ-0', ZAOQIANG);
  await app.readModels.caughtUp();

  const stream = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.teardown(() => stream.close());
  t.equal(stream.status, 200);
  t.match(stream.headers['content-type'], /^text\/event-stream/);
  t.equal(stream.headers['x-accel-buffering'], 'no');
  t.notOk(stream.headers['content-encoding'], 'not compressed');
  const first = await stream.next(() => true);
  t.equal(first.event, 'pipeline');
  t.equal(stream.retry, 3000, 'a retry hint');
  t.match(first.data, { regionCode: ZAOQIANG, period: { year: Number(today.slice(0, 4)) } });
  t.equal(reserveCount(first), 1, 'the reserve as it stands');
  t.equal(first.data['position'], first.id, 'id is the position the statistics reflect');

  const position = await register(app, 'ZQ-1', ZAOQIANG);
  const changed = await stream.next((e) => e.id >= position);
  t.equal(reserveCount(changed), 2, 'the new numbers');
  t.equal(stream.events.length, 2, 'one event for one command');

  const city = await connect(port, `/v1/live?regionCode=${HENGSHUI}`);
  t.teardown(() => city.close());
  t.equal(reserveCount(await city.next(() => true)), 2, 'a city rolls its counties up');

  await register(app, 'LK-1', LANKAO);
  await sleep(400);
  t.equal(stream.events.length, 2, 'a command in another region sends nothing');
  t.equal(city.events.length, 1, 'nor to the other region\'s city');

  const targets = await app.inject({ method: 'PUT', url: `/v1/regions/${ZAOQIANG}/targets/${today.slice(0, 4)}`, payload: { reserveCount: 100 } });
  t.equal(targets.statusCode, 200, targets.body);
  const withTargets = await stream.next((e) => e.id >= Number(targets.json().position));
  t.match(withTargets.data['targets'], [{ measure: 'reserveCount', target: 100, actual: 2 }], 'targets set for the region');
  await city.next((e) => e.id >= Number(targets.json().position));
  t.pass('the city hears of its county\'s targets too');
});

t.test('a project moved to another region: both regions hear of it, though the event names only the new one', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  await register(app, 'ZQ-1', ZAOQIANG);
  await register(app, 'ZQ-2', ZAOQIANG);
  const left = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  const joined = await connect(port, `/v1/live?regionCode=${LANKAO}`);
  const elsewhere = await connect(port, '/v1/live?regionCode=330326');
  t.teardown(() => { left.close(); joined.close(); elsewhere.close(); });
  t.equal(reserveCount(await left.next(() => true)), 2);
  t.equal(reserveCount(await joined.next(() => true)), 0);
  await elsewhere.next(() => true);

  const moved = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2/milestones', payload: { type: 'DetailsCorrected', occurredOn: today, regionCode: LANKAO, reason: '登记区划有误' } });
  t.equal(moved.statusCode, 201, moved.body);
  const position = Number(moved.json().position);
  t.equal(reserveCount(await left.next((e) => e.id >= position)), 1, 'the region it left');
  t.equal(reserveCount(await joined.next((e) => e.id >= position)), 1, 'the region it joined');
  await sleep(300);
  t.equal(elsewhere.events.length, 1, 'a region whose figures did not move hears nothing');
});

t.test('a burst of 50 commands is coalesced and ends with the final state', async (t) => {
  const { app, store, port } = await listen({}, { windowMs: 150 });
  t.teardown(async () => { await app.close(); await store.close(); });
  const stream = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.teardown(() => stream.close());
  await stream.next(() => true);

  let last = 0;
  const started = Date.now();
  for (let i = 0; i < 50; i++) last = await register(app, `B-${i}`, ZAOQIANG); // one burst of the runner each
  t.comment(`50 commands in ${Date.now() - started} ms`);
  const final = await stream.next((e) => e.id >= last);
  await sleep(400);
  const received = stream.events.length - 1;
  t.ok(received >= 1 && received <= 10, `${received} events for 50 commands`);
  t.equal(stream.events.at(-1), final, 'the last event is the final state');
  t.equal(reserveCount(final), 50);
  const ids = stream.events.map((e) => e.id);
  t.same(ids, [...ids].sort((a, b) => a - b), 'ids only go forward');
});

t.test('1,000 dashboards on a region: one computation per change, and the gauge counts them', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const computed = async () => Number(/sse_statistics_computed_total (\d+)/.exec((await app.inject({ url: '/metrics' })).body)?.[1] ?? 0);
  const streams = await Promise.all(Array.from({ length: 50 }, () => connect(port, `/v1/live?regionCode=${ZAOQIANG}`)));
  t.teardown(() => { for (const s of streams) s.close(); });
  await Promise.all(streams.map((s) => s.next(() => true)));
  t.equal(await computed(), 1, 'one computation for 50 subscribers connecting');
  t.match((await app.inject({ url: '/metrics' })).body, /sse_clients 50/);

  const position = await register(app, 'ZQ-1', ZAOQIANG);
  await Promise.all(streams.map((s) => s.next((e) => e.id >= position)));
  t.equal(await computed(), 2, 'one more for the change, shared by all 50');

  for (const s of streams) s.close();
  await sleep(100);
  t.match((await app.inject({ url: '/metrics' })).body, /sse_clients 0/, 'closed streams leave the gauge');
});

t.test('Last-Event-ID: a client behind gets the current state at once, one up to date gets nothing until a change', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const first = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  const seen = await first.next(() => true);
  first.close();
  for (let i = 0; i < 3; i++) await register(app, `ZQ-${i}`, ZAOQIANG);
  await app.readModels.waitFor(await store.headPosition(), 2000);

  const behind = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, { 'last-event-id': String(seen.id) });
  t.teardown(() => behind.close());
  const resumed = await behind.next(() => true);
  t.ok(resumed.id > seen.id, 'one fresh event');
  t.equal(reserveCount(resumed), 3, 'with the current statistics, not the missed ones');
  await sleep(200);
  t.equal(behind.events.length, 1, 'never the older states');

  const upToDate = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, { 'last-event-id': String(resumed.id) });
  t.teardown(() => upToDate.close());
  await sleep(300);
  t.equal(upToDate.events.length, 0, 'nothing to resend');
  t.equal(upToDate.retry, 3000, 'but the stream is open');
  const position = await register(app, 'ZQ-9', ZAOQIANG);
  t.equal(reserveCount(await upToDate.next((e) => e.id >= position)), 4);

  const foreign = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, { 'last-event-id': '999999999' });
  t.teardown(() => foreign.close());
  t.equal(reserveCount(await foreign.next(() => true)), 4, 'an id beyond the log (another store) gets the current state');
});

t.test('heartbeats keep an idle stream open', async (t) => {
  const { app, store, port } = await listen({}, { heartbeatMs: 50 });
  t.teardown(async () => { await app.close(); await store.close(); });
  const stream = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.teardown(() => stream.close());
  await sleep(300);
  t.ok(stream.comments.length >= 3, `${stream.comments.length} comment lines`);
});

t.test('AUTH on: 401 without a key, 403 for a region the key does not cover, 409 for an unknown region', async (t) => {
  const { app, store, port } = await listen({ AUTH: 'on' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });

  const missing = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.equal(missing.status, 401);
  const outside = await connect(port, `/v1/live?regionCode=${LANKAO}`, bearer(dashboard.key));
  t.equal(outside.status, 403);
  const city = await connect(port, `/v1/live?regionCode=${HENGSHUI}`, bearer(dashboard.key));
  t.equal(city.status, 403, 'a county key does not read its city');
  const unknown = await connect(port, '/v1/live?regionCode=999999', bearer(dashboard.key));
  t.equal(unknown.status, 409);
  const malformed = await connect(port, '/v1/live?regionCode=13112', bearer(dashboard.key));
  t.equal(malformed.status, 400);

  const allowed = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, bearer(dashboard.key));
  t.teardown(() => allowed.close());
  t.equal(allowed.status, 200);
  t.equal((await allowed.next(() => true)).event, 'pipeline');
  const auditor = await issue(app, { role: 'auditor', regions: [ZAOQIANG] });
  const anywhere = await connect(port, `/v1/live?regionCode=${LANKAO}`, bearer(auditor.key));
  t.teardown(() => anywhere.close());
  t.equal(anywhere.status, 403, 'an auditor reads its key\'s regions only');
});

t.test('the app closes with clients connected, without hanging', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await store.close(); });
  const streams = await Promise.all([ZAOQIANG, ZAOQIANG, LANKAO].map((code) => connect(port, `/v1/live?regionCode=${code}`)));
  await Promise.all(streams.map((s) => s.next(() => true)));
  const started = Date.now();
  await app.close();
  const took = Date.now() - started;
  t.ok(took < 2000, `closed in ${took} ms`);
  await sleep(50);
  t.ok(streams.every((s) => s.ended), 'every stream was ended');
});

t.test('the stream\'s body ends with its connection: each event is written to the socket as built; HEAD gets no body', async (t) => {
  const { app, store, port } = await listen();
  t.teardown(async () => { await app.close(); await store.close(); });
  const stream = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`);
  t.teardown(() => stream.close());
  await stream.next(() => true);
  t.equal(stream.headers['transfer-encoding'], undefined, 'not chunked');
  t.equal(stream.headers['connection'], 'close');
  const position = await register(app, 'ZQ-WIRE', ZAOQIANG);
  t.ok(await stream.next((event) => event.id >= position), 'events arrive as before');

  // Raw bytes: after the head of a HEAD answer nothing may follow, not even after a change.
  const socket = net.connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  let received = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk; });
  socket.write(`HEAD /v1/live?regionCode=${ZAOQIANG} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await sleep(200);
  await register(app, 'ZQ-HEAD', ZAOQIANG);
  await sleep(300);
  t.match(received, /^HTTP\/1\.1 200 /, 'the head');
  t.equal(received.slice(received.indexOf('\r\n\r\n') + 4), '', 'and no body');
});

/** A socket whose buffer fills at `highWaterMark` and never drains. */
function stuckSocket(highWaterMark: number) {
  const sink = new Writable({ highWaterMark, write: () => undefined });
  return sink;
}

t.test('a slow client: events coalesced to the newest while its buffer is full, dropped when it stays full', async (t) => {
  const drops: string[] = [];
  let coalesced = 0;
  const sink = stuckSocket(64);
  const client = new SseClient(sink, { stallMs: 100, maxBufferedBytes: 1024 * 1024, onDropped: (_c, reason) => drops.push(reason), onCoalesced: () => { coalesced += 1; } });
  client.sendEvent(Buffer.alloc(100, 'a'), 1);
  t.ok(client.slow, 'the first write filled the buffer');
  for (let id = 2; id <= 50; id++) client.sendEvent(Buffer.alloc(100, 'b'), id);
  t.equal(sink.writableLength, 100, 'nothing more is queued while it is full');
  t.equal(coalesced, 48, 'the pending events replaced one another');
  await sleep(200);
  t.same(drops, ['stalled'], 'dropped when the buffer stayed full');
  t.ok(sink.destroyed, 'its socket destroyed');

  const draining: Array<(error?: Error) => void> = [];
  const chunks: string[] = [];
  const slow = new Writable({ highWaterMark: 64, write: (chunk: Buffer, _encoding, done) => { chunks.push(chunk.toString()); draining.push(done); } });
  const recovering = new SseClient(slow, { stallMs: 1000, maxBufferedBytes: 1024 * 1024 });
  recovering.sendEvent(Buffer.alloc(100, 'x'), 1);
  for (let id = 2; id <= 10; id++) recovering.sendEvent(Buffer.from(`event ${id}`), id);
  draining.shift()?.();
  await sleep(10);
  t.same(chunks.slice(1), ['event 10'], 'once it drains it gets only the newest');
  t.notOk(recovering.slow, 'and it is no longer slow');

  const big = stuckSocket(16);
  const overflowing = new SseClient(big, { stallMs: 10_000, maxBufferedBytes: 1000, onDropped: (_c, reason) => drops.push(reason) });
  overflowing.sendEvent(Buffer.alloc(2000), 1);
  t.same(drops, ['stalled', 'overflow'], 'a frame beyond the cap drops it at once');
});

t.test('a revoked key\'s open streams end at once, with no more statistics; other keys\' streams go on', async (t) => {
  const { app, store, port } = await listen({ AUTH: 'on' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const revoked = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const kept = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const token = await app.inject({ method: 'POST', url: '/v1/live/tokens', headers: bearer(revoked.key) });
  const byToken: unknown = token.json().token;
  if (typeof byToken !== 'string') throw new Error(`no stream token: ${token.body}`);

  const first = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, bearer(revoked.key));
  const second = await connect(port, `/v1/live?regionCode=${ZAOQIANG}&token=${encodeURIComponent(byToken)}`);
  const other = await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, bearer(kept.key));
  t.teardown(() => { first.close(); second.close(); other.close(); });
  for (const stream of [first, second, other]) {
    t.equal(stream.status, 200);
    await stream.next(() => true);
  }

  const revocation = await app.inject({ method: 'DELETE', url: `/v1/keys/${revoked.id}`, headers: bearer(ADMIN_SECRET) });
  t.equal(revocation.statusCode, 204);
  const deadline = Date.now() + 2000;
  while (!(first.ended && second.ended) && Date.now() < deadline) await sleep(10);
  t.ok(first.ended, 'the stream opened with the key ended');
  t.ok(second.ended, 'the stream opened with its stream token ended');

  const seen = [first.events.length, second.events.length];
  const position = await register(app, 'ZQ-REVOKED', ZAOQIANG, bearer(ADMIN_SECRET));
  await other.next((event) => event.id >= position);
  t.same([first.events.length, second.events.length], seen, 'no statistics after the revocation');
  t.equal(other.ended, false, 'another key\'s stream is still open');
  t.equal((await connect(port, `/v1/live?regionCode=${ZAOQIANG}`, bearer(revoked.key))).status, 401, 'and it cannot reopen one');
});
