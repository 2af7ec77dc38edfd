/**
 * The project commands over HTTP (app.inject, in-memory or file store, AUTH=off: an admin):
 * every status of API.md's commands, idempotency, If-Match, history and ETags.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildTestApp } from './build-test-app.js';

const registration = {
  projectId: 'ZQ-2025-0001',
  name: '枣强县复合材料产业园',
  regionCode: '131121',
  industry: 'C',
  category: 'industrial',
  origin: 'attracted',
  plannedInvestment: 52000.5,
  occurredOn: '2025-01-06',
};

const lifecycle = [
  { type: 'NegotiationOpened', occurredOn: '2025-01-20', investor: '河北某新材料公司', investorOrigin: 'out_of_city', expectedInvestment: 50000 },
  { type: 'ProjectSigned', occurredOn: '2025-02-18', agreementType: 'formal', contractInvestment: 55000, investor: '河北某新材料公司', investorOrigin: 'out_of_city', signingEvent: '2025 春季招商推介会' },
  { type: 'ProjectApproved', occurredOn: '2025-03-03', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 56000.25 },
  { type: 'LandAcquired', occurredOn: '2025-03-20', method: 'transfer', parcelNo: 'ZQ2025-07', areaMu: 120.5, agreedStartBy: '2025-06-30' },
  { type: 'Started', occurredOn: '2025-04-08' },
  { type: 'StatisticsEntered', occurredOn: '2025-04-25', month: '2025-04', plannedInvestment: 56000.25 },
  { type: 'InvestmentReported', occurredOn: '2025-04-30', period: '2025-04', amount: 3200.1 },
  { type: 'InvestmentReported', occurredOn: '2025-05-31', period: '2025-05', amount: 4100 },
  { type: 'InvestmentCorrected', occurredOn: '2025-06-05', period: '2025-05', amount: 4150.2, reason: '统计局核定' },
  { type: 'FundsArrived', occurredOn: '2025-06-10', amount: 8000, source: 'own', sourceRegion: 'out_of_city' },
  { type: 'Completed', occurredOn: '2025-09-28' },
  { type: 'Commissioned', occurredOn: '2025-09-28', partial: false },
  { type: 'FullProductionReached', occurredOn: '2025-11-01', outputValue: 120000 },
];

t.test('a project goes from registration to full production over REST', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  const created = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration });
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.headers['location'], '/v1/projects/ZQ-2025-0001');
  t.equal(created.headers['etag'], '"0"');
  t.match(created.json(), { projectId: 'ZQ-2025-0001', revision: 0, events: ['ProjectRegistered'] });
  t.ok(created.json().position > 0);

  for (const [i, milestone] of lifecycle.entries()) {
    const posted = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: milestone });
    t.equal(posted.statusCode, 201, `${milestone.type}: ${posted.body}`);
    t.equal(posted.json().revision, i + 1);
    t.same(posted.json().events, [milestone.type]);
  }

  const project = await app.inject({ url: '/v1/projects/ZQ-2025-0001' });
  t.equal(project.statusCode, 200);
  t.equal(project.headers['etag'], `"${lifecycle.length}"`);
  t.match(project.json(), {
    stage: 'FULL_PRODUCTION',
    totalInvestment: 56000.25,
    contractInvestment: 55000,
    plannedInvestment: 52000.5,
    completedInvestment: 7350.3,
    fundsArrived: 8000,
    milestones: { ProjectSigned: '2025-02-18', Started: '2025-04-08', Commissioned: '2025-09-28' },
  });
  // every milestone's fields, not only its date
  t.match(project.json(), {
    approval: { kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号' },
    land: { method: 'transfer', parcelNo: 'ZQ2025-07' },
    commissioning: { partial: false, capacityPct: null, fullOn: null },
    fullProduction: { outputValue: 120000, taxPaid: null },
    withdrawApprovedBy: null,
  });

  const unchanged = await app.inject({ url: '/v1/projects/ZQ-2025-0001', headers: { 'if-none-match': project.headers['etag'] ?? '' } });
  t.equal(unchanged.statusCode, 304, 'If-None-Match with the current ETag');

  const history = await app.inject({ url: '/v1/projects/ZQ-2025-0001/history' });
  t.equal(history.statusCode, 200);
  const events = history.json().events as Array<{ type: string; prevHash: string; hash: string; data: Record<string, unknown>; actor: unknown }>;
  t.equal(events.length, lifecycle.length + 1);
  t.equal(events[0]?.prevHash, '0'.repeat(64), 'the chain starts at zeros');
  t.ok(events.every((e, i) => i === 0 || e.prevHash === events[i - 1]?.hash), 'each event chains to the one before');
  t.equal(events[0]?.data['plannedInvestment'], 52000.5, 'history shows amounts in 万元');
  t.match(events[0]?.actor, { keyId: 'auth-off', role: 'admin' });
});

t.test('refusals: 400 malformed, 404 unknown, 409 names the rule; nothing is appended', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  await app.inject({ method: 'POST', url: '/v1/projects', payload: registration });
  const head = await store.headPosition();

  const malformed: Array<[string, unknown]> = [
    ['three decimals', { ...registration, projectId: 'X1', plannedInvestment: 1.234 }],
    ['a negative amount', { ...registration, projectId: 'X2', plannedInvestment: -5 }],
    ['an absurd amount', { ...registration, projectId: 'X3', plannedInvestment: 1e12 }],
    ['an unknown field', { ...registration, projectId: 'X4', mayor: '某某' }],
    ['no such date', { ...registration, projectId: 'X5', occurredOn: '2023-02-30' }],
    ['an unknown category', { ...registration, projectId: 'X6', category: 'casino' }],
    ['a string amount', { ...registration, projectId: 'X7', plannedInvestment: '100' }],
    ['a NUL in a name', { ...registration, projectId: 'X8', name: '园区\u0000' }],
  ];
  for (const [why, payload] of malformed) {
    const res = await app.inject({ method: 'POST', url: '/v1/projects', payload: payload as object });
    t.equal(res.statusCode, 400, why);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${why}: problem+json`);
    t.match(res.json(), { status: 400, code: 'PIPELINE_MALFORMED', detail: /\S/ }, why);
  }
  const notJson = await app.inject({ method: 'POST', url: '/v1/projects', payload: '{"name": ', headers: { 'content-type': 'application/json' } });
  t.equal(notJson.statusCode, 400, 'broken JSON');
  const milestoneType = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: { type: 'Teleported', occurredOn: '2025-02-01' } });
  t.equal(milestoneType.statusCode, 400, 'an unknown milestone type');

  const unknown = await app.inject({ method: 'POST', url: '/v1/projects/NOPE/milestones', payload: { type: 'Started', occurredOn: '2025-02-01' } });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'PIPELINE_NOT_FOUND' });
  t.equal((await app.inject({ url: '/v1/projects/NOPE' })).statusCode, 404);

  const early = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: { type: 'StatisticsEntered', occurredOn: '2025-02-01', month: '2025-02', plannedInvestment: 52000.5 } });
  t.equal(early.statusCode, 409);
  t.match(early.json(), { code: 'PIPELINE_RULE_BROKEN', rule: 'statistics-needs-started', title: 'Domain rule broken' });

  const again = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration });
  t.equal(again.statusCode, 409);
  t.match(again.json(), { rule: 'project-already-registered' });

  const future = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: { type: 'Started', occurredOn: '2999-01-01' } });
  t.equal(future.statusCode, 409);
  t.match(future.json(), { rule: 'occurred-on-not-in-future' });

  t.equal(await store.headPosition(), head, 'no refused request appended anything');
});

t.test('If-Match: the revision the client decided on, else 412', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  await app.inject({ method: 'POST', url: '/v1/projects', payload: registration });
  const negotiation = lifecycle[0] ?? {};
  const signing = lifecycle[1] ?? {};

  const stale = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: negotiation, headers: { 'if-match': '"7"' } });
  t.equal(stale.statusCode, 412);
  t.match(stale.json(), { code: 'PIPELINE_STALE_REVISION' });

  const fresh = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: negotiation, headers: { 'if-match': '"0"' } });
  t.equal(fresh.statusCode, 201);
  t.equal(fresh.headers['etag'], '"1"');

  // Two clients read revision 1 and both decide: one wins, the other is told to read again.
  const [a, b] = await Promise.all([
    app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: signing, headers: { 'if-match': '"1"' } }),
    app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: { ...signing, occurredOn: '2025-02-19' }, headers: { 'if-match': '"1"' } }),
  ]);
  t.same([a.statusCode, b.statusCode].sort(), [201, 412], 'one wins, one is stale');

  const garbage = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: signing, headers: { 'if-match': 'yesterday' } });
  t.equal(garbage.statusCode, 400);
});

t.test('Idempotency-Key: the first answer again, nothing appended; another body is 422; survives a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idem-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');
  let { app, store } = await buildTestApp({}, openEmbeddedStore({ path }));

  const first = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration, headers: { 'idempotency-key': 'reg-0001' } });
  t.equal(first.statusCode, 201);
  const head = await store.headPosition();

  const replay = await app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration }, headers: { 'idempotency-key': 'reg-0001' } });
  t.equal(replay.statusCode, 201, 'the same status');
  t.same(replay.json(), first.json(), 'the same body');
  t.equal(replay.headers['etag'], first.headers['etag']);
  t.equal(replay.headers['idempotent-replayed'], 'true');
  t.equal(await store.headPosition(), head, 'nothing appended');

  const reused = await app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration, name: '另一个项目' }, headers: { 'idempotency-key': 'reg-0001' } });
  t.equal(reused.statusCode, 422);
  t.match(reused.json(), { code: 'PIPELINE_IDEMPOTENCY_KEY_REUSED' });

  // A refusal is a final answer too: the same key answers the same 409.
  const refused = { type: 'StatisticsEntered', occurredOn: '2025-02-01', month: '2025-02', plannedInvestment: 600 };
  const no1 = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: refused, headers: { 'idempotency-key': 'stat-1' } });
  const no2 = await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: refused, headers: { 'idempotency-key': 'stat-1' } });
  t.equal(no1.statusCode, 409);
  t.equal(no2.statusCode, 409);
  t.equal(no2.json().rule, 'statistics-needs-started');

  await app.close();
  await store.close();
  ({ app, store } = await buildTestApp({}, openEmbeddedStore({ path })));
  const afterRestart = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration, headers: { 'idempotency-key': 'reg-0001' } });
  t.equal(afterRestart.statusCode, 201, 'after reopening the store');
  t.same(afterRestart.json(), first.json());
  const headAfter = await store.headPosition();
  const bad = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration, headers: { 'idempotency-key': 'x'.repeat(129) } });
  t.equal(bad.statusCode, 400, 'a key over 128 characters');
  t.equal(await store.headPosition(), headAfter);
  await app.close();
  await store.close();
});

t.test('as of a moment: the project and its history as they were recorded then', async (t) => {
  let now = Date.parse('2025-03-01T00:00:00Z');
  const store = openEmbeddedStore({ path: ':memory:', clock: () => new Date(now) });
  const { app } = await buildTestApp({}, store);
  t.teardown(async () => { await app.close(); await store.close(); });
  await app.inject({ method: 'POST', url: '/v1/projects', payload: registration });
  now = Date.parse('2025-03-10T00:00:00Z');
  await app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload: lifecycle[0] ?? {} });

  const then = await app.inject({ url: '/v1/projects/ZQ-2025-0001?asOf=2025-03-05T00:00:00Z' });
  t.equal(then.json().stage, 'PLANNED', 'before the negotiation was recorded');
  const later = await app.inject({ url: '/v1/projects/ZQ-2025-0001/history?asOf=2025-03-05T00:00:00Z' });
  t.equal(later.json().events.length, 1);
  const bad = await app.inject({ url: '/v1/projects/ZQ-2025-0001?asOf=last-tuesday' });
  t.equal(bad.statusCode, 400);
});

t.test('two registrations of one project at the same moment: one 201, one 409, one event', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const answers = await Promise.all([0, 1, 2, 3].map((n) =>
    app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration, name: `同一项目 ${n}` } })));
  t.same(answers.map((a) => a.statusCode).sort(), [201, 409, 409, 409], 'exactly one registration wins');
  t.ok(answers.filter((a) => a.statusCode === 409).every((a) => a.json().rule === 'project-already-registered'), 'the others are told it exists');
  const history = await app.inject({ url: '/v1/projects/ZQ-2025-0001/history' });
  t.equal(history.json().events.length, 1, 'one ProjectRegistered in the stream');
});

t.test('a partial commissioning then the full one; planned investment > 0; the class in its section', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/projects/ZQ-2025-0001/milestones', payload });

  const zero = await app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration, plannedInvestment: 0 } });
  t.equal(zero.statusCode, 400, 'a project of no planned investment');
  const outside = await app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration, industry: 'A', industryClass: '3062' } });
  t.equal(outside.statusCode, 409, outside.body);
  t.match(outside.json(), { rule: 'industry-class-in-section' });

  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: { ...registration, industryClass: '3062' } })).statusCode, 201);
  t.equal((await post({ type: 'DetailsCorrected', occurredOn: '2025-01-07', plannedInvestment: 0, reason: '清零' })).statusCode, 400, 'corrected to 0');
  for (const milestone of [{ type: 'Started', occurredOn: '2025-04-08' }, { type: 'Completed', occurredOn: '2025-09-28' }]) {
    t.equal((await post(milestone)).statusCode, 201);
  }
  const partial = await post({ type: 'Commissioned', occurredOn: '2025-09-28', partial: true, capacityPct: 40 });
  t.equal(partial.statusCode, 201, partial.body);
  const full = await post({ type: 'Commissioned', occurredOn: '2025-11-20', partial: false });
  t.equal(full.statusCode, 201, full.body);
  const project = (await app.inject({ url: '/v1/projects/ZQ-2025-0001' })).json();
  t.match(project, { stage: 'COMMISSIONED', milestones: { Commissioned: '2025-09-28' }, commissioning: { partial: false, fullOn: '2025-11-20' } });
  const withdrawn = await post({ type: 'Withdrawn', occurredOn: '2025-12-01', reason: '企业破产', approvedBy: { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' } });
  t.equal(withdrawn.statusCode, 201, withdrawn.body);
  t.match((await app.inject({ url: '/v1/projects/ZQ-2025-0001' })).json(), {
    withdrawReason: '企业破产', withdrawApprovedBy: { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' },
  });
});
