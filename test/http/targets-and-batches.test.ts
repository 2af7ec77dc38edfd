import t from 'tap';
import { buildTestApp } from './build-test-app.js';

const project = (projectId: string) => ({
  projectId, name: `项目 ${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial',
  origin: 'local', plannedInvestment: 12000, occurredOn: '2025-01-06',
});

t.test('annual targets: set, replaced, the same again appends nothing', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const url = '/v1/regions/131121/targets/2025';
  const set = await app.inject({ method: 'PUT', url, payload: { reserveCount: 100, reserveInvestment: 3_000_000, fundingSecured: 80_000, occurredOn: '2025-01-10' } });
  t.equal(set.statusCode, 200, set.body);
  t.match(set.json(), { revision: 0, events: ['AnnualTargetsSet'] });
  const head = await store.headPosition();
  const same = await app.inject({ method: 'PUT', url, payload: { reserveCount: 100, reserveInvestment: 3_000_000, fundingSecured: 80_000, occurredOn: '2025-01-10' } });
  t.equal(same.statusCode, 200);
  t.same(same.json().events, [], 'the same targets: nothing appended');
  t.equal(await store.headPosition(), head);
  const replaced = await app.inject({ method: 'PUT', url, payload: { startedInvestment: 2_000_000 } });
  t.match(replaced.json(), { revision: 1, events: ['AnnualTargetsSet'] });

  t.equal((await app.inject({ method: 'PUT', url, payload: {} })).statusCode, 400, 'no measure at all');
  t.equal((await app.inject({ method: 'PUT', url, payload: { reserveCount: -1 } })).statusCode, 400, 'a negative count');
  t.equal((await app.inject({ method: 'PUT', url, payload: { speed: 3 } })).statusCode, 400, 'an unknown measure');
  t.equal((await app.inject({ method: 'PUT', url: '/v1/regions/13112/targets/2025', payload: { reserveCount: 1 } })).statusCode, 400, 'a malformed region code');
  const unknown = await app.inject({ method: 'PUT', url: '/v1/regions/999999/targets/2025', payload: { reserveCount: 1 } });
  t.equal(unknown.statusCode, 409, 'a region code that names no region');
  t.match(unknown.json(), { rule: 'region-unknown' });
});

t.test('集中开工 batches: a project joins one batch, before it started', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  for (const id of ['B-1', 'B-2', 'B-3']) {
    t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: project(id) })).statusCode, 201);
  }
  await app.inject({ method: 'POST', url: '/v1/projects/B-3/milestones', payload: { type: 'Started', occurredOn: '2025-02-01' } });
  const batch = {
    batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '枣强县2025年第二季度集中开工', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['B-1', 'B-2'],
  };
  const scheduled = await app.inject({ method: 'POST', url: '/v1/batches', payload: batch });
  t.equal(scheduled.statusCode, 201, scheduled.body);
  t.equal(scheduled.headers['location'], '/v1/batches/ZQ-2025-Q2');
  t.match(scheduled.json(), { batchId: 'ZQ-2025-Q2', events: ['GroundbreakingBatchScheduled'] });

  const twice = await app.inject({ method: 'POST', url: '/v1/batches', payload: { ...batch, batchId: 'ZQ-2025-Q3', projectIds: ['B-2'] } });
  t.equal(twice.statusCode, 409);
  t.match(twice.json(), { rule: 'project-already-in-batch' });
  const started = await app.inject({ method: 'POST', url: '/v1/batches', payload: { ...batch, batchId: 'ZQ-2025-Q4', projectIds: ['B-3'] } });
  t.equal(started.statusCode, 409);
  t.match(started.json(), { rule: 'batch-project-already-started' });
  const backwards = await app.inject({ method: 'POST', url: '/v1/batches', payload: { ...batch, batchId: 'ZQ-X', mustStartBy: '2025-01-01' } });
  t.equal(backwards.statusCode, 400, 'mustStartBy before the ceremony');
});

t.test('Started.batchId names the batch that holds the project, else 409', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
  t.equal((await post('/v1/projects', project('ZQ-1'))).statusCode, 201);
  t.equal((await post('/v1/projects', { ...project('WY-1'), regionCode: '131122' })).statusCode, 201);
  const wuyi = await post('/v1/batches', {
    batchId: 'WY-2025-Q2', regionCode: '131122', name: '武邑县2025年第二季度集中开工', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['WY-1'],
  });
  t.equal(wuyi.statusCode, 201, wuyi.body);

  // A 枣强 project naming 武邑's batch would change 武邑's batch figures and be shown to 武邑.
  const foreign = await post('/v1/projects/ZQ-1/milestones', { type: 'Started', occurredOn: '2025-04-08', batchId: 'WY-2025-Q2' });
  t.equal(foreign.statusCode, 409, foreign.body);
  t.match(foreign.json(), { rule: 'started-batch-must-hold-project' });
  const unknown = await post('/v1/projects/ZQ-1/milestones', { type: 'Started', occurredOn: '2025-04-08', batchId: 'NO-SUCH-BATCH' });
  t.match(unknown.json(), { rule: 'started-batch-must-hold-project' });
  const history = await app.inject({ method: 'GET', url: '/v1/projects/ZQ-1/history' });
  t.same(history.json().events.map((e: { type: string }) => e.type), ['ProjectRegistered'], 'nothing appended');

  const own = await post('/v1/projects/WY-1/milestones', { type: 'Started', occurredOn: '2025-04-08', batchId: 'WY-2025-Q2' });
  t.equal(own.statusCode, 201, own.body);
  const batch = await app.inject({ method: 'GET', url: '/v1/batches/WY-2025-Q2' });
  t.equal(batch.statusCode, 200);
});

t.test('a batch project not started by its deadline is flagged on its state and its ledger row, as compliance lists it', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: project('L-1') })).statusCode, 201);
  const scheduled = await app.inject({ method: 'POST', url: '/v1/batches', payload: {
    batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '枣强县2025年第二季度集中开工', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['L-1'],
  } });
  t.equal(scheduled.statusCode, 201, scheduled.body);
  const listed = await app.inject({ url: '/v1/stats/compliance?regionCode=131121&minPosition=2' });
  // (registered in 2025 and recorded today: a late report too)
  const kinds = ['overdue-batch-start', 'late-report'];
  t.same(listed.json().items.map((i: { kind: string }) => i.kind).sort(), [...kinds].sort());
  const state = await app.inject({ url: '/v1/projects/L-1' });
  t.same(state.json().flags, kinds, 'the project state judges the batch that holds it');
  const ledger = await app.inject({ url: '/v1/projects?regionCode=131121&minPosition=2' });
  t.same(ledger.json().rows.map((r: { flags: string[] }) => r.flags), [kinds]);
});
