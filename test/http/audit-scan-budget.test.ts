/**
 * No request scans the log unbounded on the event loop (issue 10, item 4): over a log of
 * 50,000 events, `GET /v1/audit/events?type=` that matches nothing answers a short page with
 * the position to go on from (its scan budget), a command posted while it scans is answered
 * first, and following `nextPosition` reaches the one matching event at the end of the log.
 */
import t from 'tap';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildTestApp } from './build-test-app.js';

const EVENTS = 50_000;

interface Page { events: Array<{ type: string; position: number }>; nextPosition: number | null; headPosition: number }

t.test('a filtered read of a large log is bounded per request and lets commands through', async (t) => {
  // The embedded store whatever TEST_EVENT_STORE says: its filtered reads are the synchronous ones.
  const { app, store } = await buildTestApp({}, openEmbeddedStore({ path: ':memory:' }));
  t.teardown(async () => { await app.close(); await store.close(); });
  const batch = Array.from({ length: 500 }, (_, i) => ({ type: 'IdempotentRequestReleased', data: { fingerprint: `f${i}` } }));
  for (let i = 0; i < EVENTS / 500; i += 1) await store.appendToStream(`idempotency-scan-${i}`, batch);
  const planted = await store.appendToStream('idempotency-scan-last', [{ type: 'RarelySeen', data: {} }]);
  t.ok(await app.readModels.waitFor(planted.position, 60_000), 'the read models have caught up');

  const order: string[] = [];
  const reading = app.inject({ url: '/v1/audit/events?type=NeverWritten' }).then((answer) => { order.push('read'); return answer; });
  await new Promise((resolve) => setImmediate(resolve));
  const command = await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'SCAN-1', name: '扫描期间', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 100, occurredOn: '2025-01-06',
  } });
  order.push('command');
  t.equal(command.statusCode, 201, command.body);
  const read = await reading;
  t.equal(read.statusCode, 200, read.body);
  const page = read.json<Page>();
  t.strictSame(order, ['command', 'read'], 'the command did not wait for the scan');
  t.strictSame(page.events, [], 'nothing matched');
  t.type(page.nextPosition, 'number', 'the answer says where to go on from');
  t.ok((page.nextPosition ?? 0) < planted.position, 'before the end of the log: the scan stopped at its budget');

  // Following the cursor reaches the end of the log, each page bounded, and finds the rare event.
  const seen: string[] = [];
  let next: number | null = 0;
  let requests = 0;
  while (next !== null && requests < 100) {
    const answer = await app.inject({ url: `/v1/audit/events?type=RarelySeen&fromPosition=${next}` });
    t.equal(answer.statusCode, 200, answer.body);
    const body: Page = answer.json<Page>();
    seen.push(...body.events.map((event) => event.type));
    next = body.nextPosition;
    requests += 1;
  }
  t.strictSame(seen, ['RarelySeen'], 'the one matching event, once');
  t.ok(requests > 1, `the log was read in ${requests} bounded requests`);
});
