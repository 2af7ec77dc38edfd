/**
 * Ids that are also names of Object.prototype's members (`constructor`, `toString`, …) are ids
 * like any other: on every route that takes a project, batch, key or region id they register,
 * show in the ledger, the statistics and the batch list, and are never a 500. A read model
 * keeping a plain object as a map of ids would find `constructor` "already there".
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';
import { allReadModels } from '../../projections/all-read-models.js';
import { foldAll } from '../../projections/projection.js';
import { getProject } from '../../projections/project-ledger/query.js';
import { getBatch, queryBatches } from '../../projections/batches/query.js';
import { toJsonValue } from '../../commands/shared/json.js';

const IDS = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'];
/** Ids the project and batch patterns refuse (they start with `_`), still never a 500. */
const REFUSED = ['__proto__', '__defineGetter__'];

const project = (projectId: string, regionCode = '131121') => ({
  projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 12000, occurredOn: '2025-01-06',
});

t.test('projects and batches named like Object.prototype members are ordinary ids on every route', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  for (const id of IDS) {
    t.equal((await app.inject({ url: `/v1/projects/${id}` })).statusCode, 404, `GET /v1/projects/${id} before it exists`);
    t.equal((await app.inject({ url: `/v1/projects/${id}/history` })).statusCode, 404, `history of ${id} before it exists`);
    t.equal((await app.inject({ url: `/v1/batches/${id}` })).statusCode, 404, `GET /v1/batches/${id} before it exists`);
    const posted = await app.inject({ method: 'POST', url: `/v1/projects/${id}/milestones`, payload: { type: 'Started', occurredOn: '2025-02-01' } });
    t.equal(posted.statusCode, 404, `a milestone of ${id} before it exists: ${posted.body}`);
  }

  for (const id of IDS) {
    const registered = await app.inject({ method: 'POST', url: '/v1/projects', payload: project(id) });
    t.equal(registered.statusCode, 201, `${id}: ${registered.body}`);
    const signed = await app.inject({ method: 'POST', url: `/v1/projects/${id}/milestones`, payload: { type: 'ProjectSigned', occurredOn: '2025-02-18', agreementType: 'formal', contractInvestment: 11000, investor: '某公司', investorOrigin: 'local' } });
    t.equal(signed.statusCode, 201, `${id} signed: ${signed.body}`);
    const again = await app.inject({ method: 'POST', url: '/v1/projects', payload: project(id) });
    t.equal(again.statusCode, 409, `${id} registered twice is a rule, not a 500`);
  }
  const batch = await app.inject({ method: 'POST', url: '/v1/batches', payload: {
    batchId: 'toString', regionCode: '131121', name: '集中开工 toString', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['constructor', 'valueOf'],
  } });
  t.equal(batch.statusCode, 201, batch.body);
  const second = await app.inject({ method: 'POST', url: '/v1/batches', payload: {
    batchId: 'constructor', regionCode: '131121', name: '集中开工 constructor', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['hasOwnProperty'],
  } });
  t.equal(second.statusCode, 201, second.body);
  const head = await store.headPosition();

  for (const id of IDS) {
    const one = await app.inject({ url: `/v1/projects/${id}?minPosition=${head}` });
    t.equal(one.statusCode, 200, `GET /v1/projects/${id}: ${one.body}`);
    t.match(one.json(), { projectId: id, stage: 'SIGNED' });
    const history = await app.inject({ url: `/v1/projects/${id}/history` });
    t.equal(history.statusCode, 200, `history of ${id}`);
    t.equal(history.json().events.length, 2);
    const verify = await app.inject({ url: `/v1/audit/verify?projectId=${id}` });
    t.equal(verify.statusCode, 200, `verify ${id}: ${verify.body}`);
    t.match(verify.json(), { ok: true });
  }

  const ledger = await app.inject({ url: `/v1/projects?regionCode=131121&limit=100&minPosition=${head}` });
  t.equal(ledger.statusCode, 200, ledger.body);
  const listed: unknown[] = ledger.json().rows.map((row: { projectId: string }) => row.projectId);
  t.same([...listed].sort(), [...IDS].sort(), 'every project is in the ledger');
  const csv = await app.inject({ url: '/v1/projects?regionCode=131121', headers: { accept: 'text/csv' } });
  t.equal(csv.statusCode, 200);
  for (const id of IDS) t.match(csv.body, id, `${id} in the CSV`);

  for (const regionCode of ['131121', '131100', '130000', '000000']) {
    const stats = await app.inject({ url: `/v1/stats/pipeline?regionCode=${regionCode}&year=2025` });
    t.equal(stats.statusCode, 200, `statistics of ${regionCode}: ${stats.body}`);
    t.match(stats.json(), { signed: { count: IDS.length, investment: 11000 * IDS.length } }, `every project counts in ${regionCode}`);
    const batches = await app.inject({ url: `/v1/batches?regionCode=${regionCode}` });
    t.equal(batches.statusCode, 200, `batches of ${regionCode}: ${batches.body}`);
    t.same(batches.json().batches.map((b: { batchId: string }) => b.batchId).sort(), ['constructor', 'toString']);
    const compliance = await app.inject({ url: `/v1/stats/compliance?regionCode=${regionCode}` });
    t.equal(compliance.statusCode, 200, `compliance of ${regionCode}: ${compliance.body}`);
    const rankings = await app.inject({ url: `/v1/stats/rankings?regionCode=${regionCode === '131121' ? '131100' : regionCode}&year=2025&measure=signedCount` });
    t.equal(rankings.statusCode, 200, `rankings under ${regionCode}: ${rankings.body}`);
  }
  const toString = await app.inject({ url: '/v1/batches/toString' });
  t.equal(toString.statusCode, 200, toString.body);
  t.same(toString.json().members.map((m: { projectId: string }) => m.projectId).sort(), ['constructor', 'valueOf']);
  const rejoin = await app.inject({ method: 'POST', url: '/v1/batches', payload: {
    batchId: 'valueOf', regionCode: '131121', name: '集中开工 valueOf', occurredOn: '2025-03-01',
    ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['constructor'],
  } });
  t.equal(rejoin.statusCode, 409, `a project already in a batch: ${rejoin.body}`);

  const audit = await app.inject({ url: '/v1/audit/events?regionCode=131121&limit=1000' });
  t.equal(audit.statusCode, 200, audit.body);
  const audited = new Set(audit.json().events.map((e: { data: { projectId?: string } }) => e.data.projectId));
  for (const id of IDS) t.ok(audited.has(id), `${id}'s events are in its region's audit feed`);

  // The read models resumed from a snapshot (a restart) still hold them, and nothing else.
  const resumed = allReadModels.deserialise(allReadModels.serialise(foldAll(allReadModels, await store.readAll())));
  for (const id of IDS) t.equal(getProject(resumed['project-ledger'], id, () => [])?.projectId, id, `${id} after a snapshot`);
  t.same(queryBatches(resumed.batches).batches.map((b) => b.batchId).sort(), ['constructor', 'toString'], 'batches after a snapshot');
  t.equal(getBatch(resumed.batches, 'valueOf'), undefined, 'no batch valueOf after a snapshot');
  t.equal(getProject(resumed['project-ledger'], 'toJSON', () => []), undefined, 'no project toJSON');

  for (const id of REFUSED) {
    for (const url of [`/v1/projects/${id}`, `/v1/projects/${id}/history`, `/v1/batches/${id}`, `/v1/audit/verify?projectId=${id}`]) {
      t.equal((await app.inject({ url })).statusCode, 400, url);
    }
    t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: project(id) })).statusCode, 400, `register ${id}`);
  }
});

t.test('key ids named like Object.prototype members are unknown keys, not a 500', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  for (const id of [...IDS, ...REFUSED]) {
    t.equal((await app.inject({ url: `/v1/keys/${id}` })).statusCode, 404, `GET /v1/keys/${id}`);
    t.equal((await app.inject({ method: 'DELETE', url: `/v1/keys/${id}` })).statusCode, 404, `DELETE /v1/keys/${id}`);
  }
  const issued = await app.inject({ method: 'POST', url: '/v1/keys', payload: { name: 'constructor', role: 'bureau', regions: ['131121'] } });
  t.equal(issued.statusCode, 201, issued.body);
  t.equal((await app.inject({ url: '/v1/keys' })).json().keys.length, 1);
  for (const code of ['131121-CONSTRUCTOR', '131121-TOSTRING']) {
    t.equal((await app.inject({ url: `/v1/regions/${code}` })).statusCode, 404, `GET /v1/regions/${code}`);
    const made = await app.inject({ method: 'POST', url: '/v1/regions', payload: { code, name: `开发区 ${code}` } });
    t.equal(made.statusCode, 201, made.body);
    t.equal((await app.inject({ url: `/v1/regions/${code}` })).statusCode, 200);
    t.equal((await app.inject({ method: 'PUT', url: `/v1/regions/${code}/targets/2025`, payload: { reserveCount: 3 } })).statusCode, 200);
    const stats = await app.inject({ url: `/v1/stats/pipeline?regionCode=${code}&year=2025` });
    t.equal(stats.statusCode, 200, stats.body);
  }
});

t.test('a body with a __proto__ key is refused, and JSON data keeps such a key as a key', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const poisoned = await app.inject({
    method: 'POST', url: '/v1/projects', headers: { 'content-type': 'application/json' },
    payload: `{"__proto__":{"regionCode":"410225"},${JSON.stringify(project('P-1')).slice(1)}`,
  });
  t.equal(poisoned.statusCode, 400, poisoned.body);
  t.match(poisoned.headers['content-type'], /application\/problem\+json/);
  t.equal(await store.headPosition(), 0, 'nothing appended');

  const data = toJsonValue(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
  t.equal(Object.getPrototypeOf(data), Object.prototype, 'the prototype is left alone');
  t.same(Object.keys(data ?? {}), ['__proto__', 'a'], '__proto__ stays an own key');
});
