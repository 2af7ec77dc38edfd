/**
 * Idempotency-Key after a crash and after refusals (src/http/idempotency.ts):
 * - a request claimed and never answered because its process died is retried at once after
 *   the restart (it used to be held "in flight" for 30 s), and runs exactly once;
 * - a request still running in this process is in flight (409) for a second request with its key;
 * - a refused request retried with its key appends nothing, each time: a stale If-Match (412)
 *   claims nothing, a broken rule (409) is answered from its first answer.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { claimOf, fingerprintOf, IDEMPOTENCY_STREAM_PREFIX } from '../../src/http/idempotency.js';
import { buildTestApp } from './build-test-app.js';

const registration = {
  projectId: 'IDEM-1', name: '幂等项目', regionCode: '131121', industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 5200, occurredOn: '2025-01-06',
};
const started = { type: 'Started', occurredOn: '2025-03-01' };

t.test('a claim whose process died is taken over at once after the restart, and the command runs once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');
  let { app, store } = await buildTestApp({}, openEmbeddedStore({ path }));
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: registration })).statusCode, 201);
  await app.close();
  await store.close();

  // What a process killed between its claim and its command leaves behind: a claim, no answer.
  // (AUTH=off: every request acts as the key auth-off.)
  const dead = openEmbeddedStore({ path });
  const url = '/v1/projects/IDEM-1/milestones';
  const claim = claimOf({ keyId: 'auth-off', idempotencyKey: 'start-1' });
  await dead.appendToStream(`${IDEMPOTENCY_STREAM_PREFIX}${claim}`, [{
    type: 'IdempotentRequestClaimed',
    data: { fingerprint: fingerprintOf('POST', url, started), streamId: 'project-IDEM-1', owner: 'a-process-that-died' },
  }], { expectedRevision: 'no_stream' });
  await dead.close();

  ({ app, store } = await buildTestApp({}, openEmbeddedStore({ path })));
  t.teardown(async () => { await app.close(); await store.close(); });
  const retried = await app.inject({ method: 'POST', url, payload: started, headers: { 'idempotency-key': 'start-1' } });
  t.equal(retried.statusCode, 201, `answered at once, not held in flight: ${retried.body}`);
  const again = await app.inject({ method: 'POST', url, payload: started, headers: { 'idempotency-key': 'start-1' } });
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.same((await store.readStream('project-IDEM-1')).map((e) => e.type), ['ProjectRegistered', 'Started'], 'the command ran once');
});

t.test('a request still running here is in flight for a second one with its key', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: registration })).statusCode, 201);
  const headers = { 'idempotency-key': 'together' };
  const [first, second] = await Promise.all([
    app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: started, headers }),
    app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: started, headers }),
  ]);
  const statuses = [first.statusCode, second.statusCode].sort();
  t.ok(statuses[0] === 201 && (statuses[1] === 201 || statuses[1] === 409), `one runs, the other waits its answer or is told it is in flight: ${statuses.join(', ')}`);
  t.same((await store.readStream('project-IDEM-1')).map((e) => e.type), ['ProjectRegistered', 'Started'], 'the command ran once');
});

t.test('a refused request retried with its key appends nothing each time', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: registration })).statusCode, 201);
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: { type: 'ProjectApproved', occurredOn: '2025-02-01', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕1号', approvedInvestment: 5200 } })).statusCode, 201);

  const head = await store.headPosition();
  for (let i = 0; i < 3; i += 1) {
    const stale = await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: started, headers: { 'if-match': '"0"', 'idempotency-key': 'stale-1' } });
    t.equal(stale.statusCode, 412, stale.body);
    t.match(stale.json(), { code: 'PIPELINE_STALE_REVISION' });
    t.equal(await store.headPosition(), head, `412, try ${i + 1}: nothing appended, not even a claim`);
  }

  const refusal = { type: 'StatisticsEntered', occurredOn: '2025-02-01', month: '2025-02', plannedInvestment: 600 };
  const first = await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: refusal, headers: { 'idempotency-key': 'rule-1' } });
  t.equal(first.statusCode, 409);
  const afterFirst = await store.headPosition();
  for (let i = 0; i < 3; i += 1) {
    const again = await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: refusal, headers: { 'idempotency-key': 'rule-1' } });
    t.equal(again.statusCode, 409);
    t.same(again.json(), first.json(), 'the first answer');
    t.equal(await store.headPosition(), afterFirst, `409, retry ${i + 1}: nothing appended`);
  }

  // The key that was refused 412 still works once the client decides on the current revision.
  const current = await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: started, headers: { 'if-match': '"1"', 'idempotency-key': 'stale-2' } });
  t.equal(current.statusCode, 201, current.body);
  const replay = await app.inject({ method: 'POST', url: '/v1/projects/IDEM-1/milestones', payload: started, headers: { 'if-match': '"1"', 'idempotency-key': 'stale-2' } });
  t.equal(replay.statusCode, 201, 'a replay after success answers the success, though If-Match is stale by now');
  t.equal(replay.headers['idempotent-replayed'], 'true');
});
