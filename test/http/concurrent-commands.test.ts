/**
 * 200 valid commands posted at once on one project, over HTTP: every one answers 201 (they
 * used to race each other to 193 × 409 PIPELINE_CONCURRENT_WRITES), each with its own
 * revision, and the project's chain holds.
 */
import t from 'tap';
import { verifyChain } from '../../commands/hash-chain.js';
import { buildTestApp } from './build-test-app.js';

t.test('200 concurrent valid commands on one project all succeed', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const registered = await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'HOT-1', name: '热门项目', regionCode: '131121', industry: 'C', category: 'industrial',
    origin: 'attracted', plannedInvestment: 52000, occurredOn: '2025-01-06',
  } });
  t.equal(registered.statusCode, 201, registered.body);

  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => app.inject({
    method: 'POST', url: '/v1/projects/HOT-1/milestones',
    payload: { type: 'FundsArrived', occurredOn: '2025-02-01', amount: 10 + i, source: 'own', sourceRegion: 'in_city' },
  })));
  const statuses = new Map<number, number>();
  for (const answer of answers) statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
  t.same([...statuses], [[201, 200]], 'every one 201');
  t.same(answers.map((a) => a.json().revision).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), 'each its own revision');
  const stored = await store.readStream('project-HOT-1');
  t.equal(stored.length, 201);
  t.same(verifyChain(stored), { intact: true });
});
