/**
 * The 500 万 threshold and 入统数据不一致 over HTTP: a 300 万 project declared as 600 万 is refused
 * with the rule's name; a declared figure more than 10 % off 总投资 is recorded, flagged and
 * listed in the compliance list with its count.
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';

const FAST = { RATE_LIMIT_PER_MINUTE: '100000' };

t.test('StatisticsEntered: refused under 500 万 of 总投资, flagged and listed when more than 10 % off it', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const send = (method: 'POST', url: string, payload: object) => app.inject({ method, url, payload });
  const project = (projectId: string, plannedInvestment: number) => send('POST', '/v1/projects', {
    projectId, name: `项目${projectId}`, regionCode: '131121', industry: 'C', category: 'public', origin: 'government',
    plannedInvestment, occurredOn: '2025-01-06',
  });
  const milestone = (projectId: string, body: object) => send('POST', `/v1/projects/${projectId}/milestones`, body);

  t.equal((await project('SMALL', 300)).statusCode, 201);
  t.equal((await milestone('SMALL', { type: 'Started', occurredOn: '2025-03-01' })).statusCode, 201);
  const refused = await milestone('SMALL', { type: 'StatisticsEntered', occurredOn: '2025-03-10', month: '2025-03', plannedInvestment: 600 });
  t.equal(refused.statusCode, 409, '300 万 of 总投资 declared as 600 万');
  t.match(refused.json(), { rule: 'statistics-threshold-500wan' });

  t.equal((await project('OFF', 1000)).statusCode, 201);
  t.equal((await milestone('OFF', { type: 'Started', occurredOn: '2025-03-01' })).statusCode, 201);
  // 1200 against 总投资 1000: 200 off, more than 10 % (100)
  const entered = await milestone('OFF', { type: 'StatisticsEntered', occurredOn: '2025-03-10', month: '2025-03', plannedInvestment: 1200 });
  t.equal(entered.statusCode, 201);
  const last: number = entered.json().position;

  const list = (await app.inject({ url: `/v1/stats/compliance?regionCode=131121&kind=statistics-inconsistent&minPosition=${last}` })).json();
  t.match(list.items, [{ kind: 'statistics-inconsistent', projectId: 'OFF', since: '2025-03-10', open: true, flagged: true, detail: '申报 1200 万元，总投资 1000 万元' }]);
  t.equal(list.items.length, 1, 'SMALL was never entered');
  t.equal(list.counts['statistics-inconsistent'], 1);
  const all = (await app.inject({ url: `/v1/stats/compliance?regionCode=131121&minPosition=${last}` })).json();
  t.equal(all.counts['statistics-inconsistent'], 1, 'counted in the unfiltered list too');
});
