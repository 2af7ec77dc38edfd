/**
 * A full /v1/audit/verify runs in slices that let commands through (issue 10, item 4): over a
 * log of 20,000 events, a command posted after the verification began is answered before it
 * ends, and the verification still covers the whole log.
 */
import t from 'tap';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildTestApp } from './build-test-app.js';

t.test('commands are answered while the whole log is verified', async (t) => {
  // The embedded store whatever TEST_EVENT_STORE says: the slicing is the route's, and 20,000
  // events through the KurrentDB stand-in would only measure the stand-in.
  const { app, store } = await buildTestApp({}, openEmbeddedStore({ path: ':memory:' }));
  t.teardown(async () => { await app.close(); await store.close(); });
  const batch = Array.from({ length: 500 }, (_, i) => ({ type: 'IdempotentRequestReleased', data: { fingerprint: `f${i}` } }));
  for (let i = 0; i < 40; i += 1) await store.appendToStream(`idempotency-bench-${i}`, batch);
  const head = await store.headPosition();
  t.ok(await app.readModels.waitFor(head, 60_000), 'the read models have caught up');

  const order: string[] = [];
  const verifying = app.inject({ url: '/v1/audit/verify' }).then((answer) => { order.push('verify'); return answer; });
  await new Promise((resolve) => setImmediate(resolve));
  const command = await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'DURING-1', name: '核验期间', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 100, occurredOn: '2025-01-06',
  } });
  order.push('command');
  t.equal(command.statusCode, 201, command.body);
  const verified = (await verifying).json<{ ok: boolean; events: number }>();
  t.strictSame(order, ['command', 'verify'], 'the command did not wait for the verification');
  t.equal(verified.ok, true);
  t.ok(verified.events >= 20_000, `the whole log was verified (${verified.events} events)`);
});
