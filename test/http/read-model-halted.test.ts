/**
 * A read model that cannot fold an event stops before it, loudly: /readyz 503 naming the event,
 * its reads 503 problem+json (never figures missing the event, never a 500), the metric set,
 * and commands still recorded. Here the event is one written behind the deciders' back (as a
 * hand edit of the store or a broken upcaster would leave it).
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';

t.test('an event the read models cannot fold halts them before it, and every read says so', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const registered = await app.inject({
    method: 'POST', url: '/v1/projects',
    payload: { projectId: 'ZQ-1', name: '枣强 玻璃钢产业园', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 80000, occurredOn: '2026-03-01' },
  });
  t.equal(registered.statusCode, 201, registered.body);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200);

  const { position } = await store.appendToStream('project-broken', [{ type: 'ProjectRegistered', data: {} }]);
  let ready = await app.inject({ url: '/readyz' });
  for (let i = 0; i < 50 && ready.statusCode === 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ready = await app.inject({ url: '/readyz' });
  }
  t.equal(ready.statusCode, 503, 'not ready');
  t.match(ready.json(), { code: 'PIPELINE_NOT_READY', detail: new RegExp(`stopped at position ${position} \\(ProjectRegistered project-broken@0\\)`) }, 'naming the event it stopped at');

  // (A project's own state, GET /v1/projects/{id}, is its stream's fold and still answers.)
  for (const url of ['/v1/projects', '/v1/stats/pipeline?regionCode=131121&year=2026', '/v1/stats/compliance?regionCode=131121', '/v1/stats/rankings?regionCode=131100&year=2026&measure=completedInvestment']) {
    const read = await app.inject({ url });
    t.equal(read.statusCode, 503, `${url} answers 503`);
    t.equal(read.headers['content-type'], 'application/problem+json; charset=utf-8', `${url} as problem+json`);
  }
  t.match((await app.inject({ url: '/metrics' })).body, /projection_halted\{projection="project-ledger"\} 1/, 'the metric says which read model halted');

  const milestone = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-1/milestones', payload: { type: 'FundsArrived', occurredOn: '2026-03-05', amount: 100, source: 'own', sourceRegion: 'in_city' } });
  t.equal(milestone.statusCode, 201, 'commands are still recorded: the log is the truth, the read model follows once fixed');
});
