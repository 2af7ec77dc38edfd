/**
 * Who may post commands where (API.md, "Authentication" and "Commands"), with AUTH on:
 * a bureau writes in its regions only (a county code covers the county, a city code its
 * counties), dashboards and auditors never write, no key is 401, an admin covers 000000.
 * Every refusal appends nothing, not even an Idempotency-Key's bookkeeping.
 */
import t, { type Test } from 'tap';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { EventStore } from '../../src/event-store/port.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import { ADMIN_SECRET, bearer, buildAuthApp, issue } from '../auth/auth-test-app.js';

const ZAOQIANG = '131121'; // 枣强县, 衡水市
const HENGSHUI = '131100'; // 衡水市
const WUYI = '131122'; // 武邑县, 衡水市: another county of the same city
const LANKAO = '410225'; // 兰考县, 开封市, 河南省

const registration = (projectId: string, regionCode: string) => ({
  projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 12000, occurredOn: '2025-01-06',
});
const negotiation = { type: 'NegotiationOpened', occurredOn: '2025-01-20', investor: '某新材料公司', investorOrigin: 'out_of_city', expectedInvestment: 10000 };
const batch = (batchId: string, regionCode: string, projectIds: string[]) => ({
  batchId, regionCode, name: `${regionCode} 集中开工`, occurredOn: '2025-02-01',
  ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds,
});
const targets = { reserveCount: 100, reserveInvestment: 3_000_000, occurredOn: '2025-01-10' };

async function setup() {
  const { app, store } = await buildAuthApp();
  const admin = bearer(ADMIN_SECRET);
  for (const [id, region] of [['LK-1', LANKAO], ['ZQ-1', ZAOQIANG], ['WY-1', WUYI]] as const) {
    const created = await app.inject({ method: 'POST', url: '/v1/projects', headers: admin, payload: registration(id, region) });
    if (created.statusCode !== 201) throw new Error(`seeding ${id}: ${created.body}`);
  }
  return { app, store, admin };
}

/** Sends the request and checks it was refused with `status` as problem+json, appending nothing. */
async function refused(t: Test, app: ZodApp, store: EventStore, status: 401 | 403, why: string, request: InjectOptions): Promise<LightMyRequestResponse> {
  const head = await store.headPosition();
  const headers = { ...request.headers, 'idempotency-key': `refused-${Math.random().toString(36).slice(2)}` };
  const answer = await app.inject({ ...request, headers });
  t.equal(answer.statusCode, status, why, { body: answer.body });
  t.match(answer.headers['content-type'], /^application\/problem\+json/, `${why}: problem+json`);
  t.match(answer.json(), { status, code: status === 401 ? 'PIPELINE_UNAUTHENTICATED' : 'PIPELINE_FORBIDDEN', detail: /\S/ }, why);
  t.equal(await store.headPosition(), head, `${why}: nothing appended`);
  return answer;
}

async function accepted(t: Test, app: ZodApp, why: string, request: InjectOptions, status: 200 | 201): Promise<void> {
  const answer = await app.inject(request);
  t.equal(answer.statusCode, status, why, { body: answer.body });
  const events: unknown = Reflect.get(answer.json<object>(), 'events');
  t.ok(Array.isArray(events) && events.length > 0, `${why}: appended`);
}

t.test('a county bureau (枣强县 131121) writes in 枣强 and nowhere else', async (t) => {
  const { app, store } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const bureau = bearer((await issue(app, { role: 'bureau', regions: [ZAOQIANG] })).key);

  await accepted(t, app, 'registers in its county', { method: 'POST', url: '/v1/projects', headers: bureau, payload: registration('ZQ-2', ZAOQIANG) }, 201);
  await accepted(t, app, 'posts a milestone on its project', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: bureau, payload: negotiation }, 201);
  await accepted(t, app, 'sets its targets', { method: 'PUT', url: `/v1/regions/${ZAOQIANG}/targets/2025`, headers: bureau, payload: targets }, 200);
  await accepted(t, app, 'schedules its batch', { method: 'POST', url: '/v1/batches', headers: bureau, payload: batch('ZQ-B1', ZAOQIANG, ['ZQ-2']) }, 201);

  await refused(t, app, store, 403, 'registers in 兰考', { method: 'POST', url: '/v1/projects', headers: bureau, payload: registration('LK-2', LANKAO) });
  await refused(t, app, store, 403, 'a milestone on a 兰考 project an admin registered', { method: 'POST', url: '/v1/projects/LK-1/milestones', headers: bureau, payload: negotiation });
  await refused(t, app, store, 403, '兰考\'s targets', { method: 'PUT', url: `/v1/regions/${LANKAO}/targets/2025`, headers: bureau, payload: targets });
  await refused(t, app, store, 403, 'a 兰考 batch', { method: 'POST', url: '/v1/batches', headers: bureau, payload: batch('LK-B1', LANKAO, ['LK-1']) });
  await refused(t, app, store, 403, 'a county does not cover its city', { method: 'PUT', url: `/v1/regions/${HENGSHUI}/targets/2025`, headers: bureau, payload: targets });
  await refused(t, app, store, 403, 'nor a sibling county', { method: 'POST', url: '/v1/projects/WY-1/milestones', headers: bureau, payload: negotiation });

  const lankao = await app.inject({ url: '/v1/projects/LK-1/history', headers: bearer(ADMIN_SECRET) });
  t.same(lankao.json<{ events: Array<{ type: string }> }>().events.map((e) => e.type), ['ProjectRegistered'], 'the 兰考 project is as the admin left it');
  t.equal((await app.inject({ url: '/v1/projects/LK-2', headers: bearer(ADMIN_SECRET) })).statusCode, 404, 'the refused registration exists nowhere');
});

t.test('DetailsCorrected cannot move a project out of the key\'s regions', async (t) => {
  const { app, store } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const county = bearer((await issue(app, { role: 'bureau', regions: [ZAOQIANG] })).key);
  const city = bearer((await issue(app, { role: 'bureau', regions: [HENGSHUI] })).key);
  const moveTo = (regionCode: string) => ({ type: 'DetailsCorrected', occurredOn: '2025-02-01', regionCode, reason: '登记错误' });

  await refused(t, app, store, 403, 'a county key moves its project to 兰考', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: county, payload: moveTo(LANKAO) });
  await refused(t, app, store, 403, 'a county key moves its project to a sibling county', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: county, payload: moveTo(WUYI) });
  await refused(t, app, store, 403, 'a city key moves a project out of the province', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: city, payload: moveTo(LANKAO) });
  const stayed = await app.inject({ url: '/v1/projects/ZQ-1', headers: county });
  t.match(stayed.json(), { regionCode: ZAOQIANG }, 'the project stayed in 枣强');

  await accepted(t, app, 'a city key moves a project between its counties', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: city, payload: moveTo(WUYI) }, 201);
  const moved = await app.inject({ url: '/v1/projects/ZQ-1', headers: city });
  t.match(moved.json(), { regionCode: WUYI });
  await refused(t, app, store, 403, 'once moved, the county key no longer writes to it', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: county, payload: negotiation });
});

t.test('a city bureau (衡水市 131100) covers its counties', async (t) => {
  const { app, store } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const city = bearer((await issue(app, { role: 'bureau', regions: [HENGSHUI] })).key);

  await accepted(t, app, 'registers in 枣强', { method: 'POST', url: '/v1/projects', headers: city, payload: registration('ZQ-3', ZAOQIANG) }, 201);
  await accepted(t, app, 'posts on a 武邑 project', { method: 'POST', url: '/v1/projects/WY-1/milestones', headers: city, payload: negotiation }, 201);
  await accepted(t, app, 'sets 枣强\'s targets', { method: 'PUT', url: `/v1/regions/${ZAOQIANG}/targets/2025`, headers: city, payload: targets }, 200);
  await accepted(t, app, 'sets the city\'s targets', { method: 'PUT', url: `/v1/regions/${HENGSHUI}/targets/2025`, headers: city, payload: targets }, 200);
  await accepted(t, app, 'schedules a city batch across counties', { method: 'POST', url: '/v1/batches', headers: city, payload: batch('HS-B1', HENGSHUI, ['ZQ-1', 'WY-1']) }, 201);
  await refused(t, app, store, 403, 'but not 兰考', { method: 'POST', url: '/v1/projects', headers: city, payload: registration('LK-3', LANKAO) });
  await refused(t, app, store, 403, 'nor 兰考\'s projects', { method: 'POST', url: '/v1/projects/LK-1/milestones', headers: city, payload: negotiation });
});

t.test('dashboards and auditors never post commands; no key is 401', async (t) => {
  const { app, store } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const dashboard = bearer((await issue(app, { role: 'dashboard', regions: [ZAOQIANG] })).key);
  const auditor = bearer((await issue(app, { role: 'auditor', regions: ['000000'] })).key);
  const commands: Array<[string, InjectOptions]> = [
    ['register', { method: 'POST', url: '/v1/projects', payload: registration('ZQ-9', ZAOQIANG) }],
    ['milestone', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', payload: negotiation }],
    ['targets', { method: 'PUT', url: `/v1/regions/${ZAOQIANG}/targets/2025`, payload: targets }],
    ['batch', { method: 'POST', url: '/v1/batches', payload: batch('ZQ-B9', ZAOQIANG, ['ZQ-1']) }],
  ];
  for (const [what, request] of commands) {
    const forDashboard = await refused(t, app, store, 403, `a dashboard key: ${what}`, { ...request, headers: dashboard });
    t.match(forDashboard.json(), { detail: /bureau, admin/ }, 'the problem says who may');
    await refused(t, app, store, 403, `an auditor key covering 000000: ${what}`, { ...request, headers: auditor });
    const missing = await refused(t, app, store, 401, `no key: ${what}`, request);
    t.match(missing.headers['www-authenticate'], /^Bearer/, 'the 401 names the Bearer scheme');
    await refused(t, app, store, 401, `an unknown key: ${what}`, { ...request, headers: bearer('xmk_nobody-was-ever-given-this-key-000000') });
  }
  const readable = await app.inject({ url: '/v1/projects/ZQ-1', headers: dashboard });
  t.equal(readable.statusCode, 200, 'the dashboard still reads its region');
});

t.test('an admin (000000) writes everywhere', async (t) => {
  const { app, store, admin } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  await accepted(t, app, 'registers in 兰考', { method: 'POST', url: '/v1/projects', headers: admin, payload: registration('LK-4', LANKAO) }, 201);
  await accepted(t, app, 'posts on a 兰考 project', { method: 'POST', url: '/v1/projects/LK-1/milestones', headers: admin, payload: negotiation }, 201);
  await accepted(t, app, 'sets 兰考\'s targets', { method: 'PUT', url: `/v1/regions/${LANKAO}/targets/2025`, headers: admin, payload: targets }, 200);
  await accepted(t, app, 'schedules a 兰考 batch', { method: 'POST', url: '/v1/batches', headers: admin, payload: batch('LK-B2', LANKAO, ['LK-4']) }, 201);
  await accepted(t, app, 'moves a project across provinces', { method: 'POST', url: '/v1/projects/ZQ-1/milestones', headers: admin, payload: { type: 'DetailsCorrected', occurredOn: '2025-02-01', regionCode: LANKAO, reason: '登记错误' } }, 201);
});
