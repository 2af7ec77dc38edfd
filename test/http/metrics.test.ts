/**
 * /metrics counts what API.md names: the events appended (`appends_total`), and how many
 * appends each of the embedded store's group commits held (`store_group_commit_appends`).
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';

function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in:\n${text}`);
  return Number(line.slice(name.length + 1));
}

const project = (projectId: string) => ({
  projectId, name: `项目 ${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial',
  origin: 'local', plannedInvestment: 12000, occurredOn: '2025-01-06',
});

t.test('appended events and group-commit sizes', async (t) => {
  const { app, store } = await buildTestApp({}, openEmbeddedStore({ path: ':memory:' }));
  t.teardown(async () => { await app.close(); await store.close(); });
  const scrape = async () => (await app.inject({ url: '/metrics' })).body;
  const before = await scrape();
  t.match(before, /# TYPE appends_total counter/);
  t.match(before, /# TYPE store_group_commit_appends histogram/);
  const head = await store.headPosition();
  const appendedBefore = sample(before, 'appends_total');
  const groupsBefore = sample(before, 'store_group_commit_appends_count');

  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: project('M-0') })).statusCode, 201);
  // Twenty commands at once: their appends share group commits.
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => app.inject({ method: 'POST', url: '/v1/projects', payload: project(`M-${i + 1}`) })));
  t.ok(answers.every((answer) => answer.statusCode === 201));

  const after = await scrape();
  const written = (await store.headPosition()) - head;
  t.equal(sample(after, 'appends_total') - appendedBefore, written, `appends_total counts the ${written} events appended`);
  const groups = sample(after, 'store_group_commit_appends_count') - groupsBefore;
  const appends = sample(after, 'store_group_commit_appends_sum') - sample(before, 'store_group_commit_appends_sum');
  t.equal(appends, 21, 'every append is in a group commit');
  t.ok(groups < appends, `the appends were committed in ${groups} groups, fewer than the appends`);
  t.equal(sample(after, 'store_group_commit_appends_bucket{le="+Inf"}'), sample(after, 'store_group_commit_appends_count'), 'the +Inf bucket holds every commit');
});
