/**
 * The auditors' reads through app.inject, AUTH on: the global log paged by position and
 * filtered by type and region with no key secret in it, and the hash chains verified over the
 * stored events, with events forged straight into the store flagged at their revision.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { chainHash } from '../../commands/hash-chain.js';
import type { JsonObject } from '../../src/event-store/port.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import { ADMIN_SECRET, bearer, buildAuthApp, issue } from '../auth/auth-test-app.js';

const ZAOQIANG = '131121'; // 枣强县, 衡水市
const WUYI = '131122'; // 武邑县, 衡水市
const HENGSHUI = '131100';
const LANKAO = '410225'; // 兰考县, 河南省

interface AuditEvent {
  streamId: string;
  revision: number;
  position: number;
  leafIndex: number | null;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
  redacted?: string[];
}
interface Page { events: AuditEvent[]; nextPosition: number | null; headPosition: number }

const registration = (projectId: string, regionCode: string) => ({
  projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 12000.5, occurredOn: '2025-01-06',
});

async function setup() {
  const { app, store } = await buildAuthApp();
  const admin = bearer(ADMIN_SECRET);
  const post = async (url: string, payload: object, method: 'POST' | 'PUT' = 'POST') => {
    const answer = await app.inject({ method, url, headers: admin, payload });
    if (answer.statusCode >= 300) throw new Error(`${url}: ${answer.body}`);
  };
  for (const [id, region] of [['ZQ-1', ZAOQIANG], ['LK-1', LANKAO], ['WY-1', WUYI], ['ZQ-2', ZAOQIANG]] as const) {
    await post('/v1/projects', registration(id, region));
  }
  await post('/v1/projects/ZQ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' });
  await post('/v1/projects/LK-1/milestones', { type: 'Started', occurredOn: '2025-03-02' });
  await post(`/v1/regions/${ZAOQIANG}/targets/2025`, { reserveCount: 100, reserveInvestment: 3_000_000.5, occurredOn: '2025-01-10' }, 'PUT');
  // The country's auditor reads the whole log; a county's auditor reads its county (API.md).
  const auditor = bearer((await issue(app, { role: 'auditor', regions: ['000000'] })).key);
  return { app, store, admin, auditor };
}

async function page(app: ZodApp, headers: Record<string, string>, query: string): Promise<Page> {
  const answer = await app.inject({ url: `/v1/audit/events?${query}`, headers });
  if (answer.statusCode !== 200) throw new Error(`${query}: ${answer.statusCode} ${answer.body}`);
  return answer.json<Page>();
}

/** Every page from the start, following nextPosition. */
async function walk(app: ZodApp, headers: Record<string, string>, query: string): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let from: number | null = 0;
  let pages = 0;
  while (from !== null) {
    const answer: Page = await page(app, headers, `${query}&fromPosition=${from}`);
    events.push(...answer.events);
    from = answer.nextPosition;
    if (++pages > 100) throw new Error('paging does not end');
  }
  return { events, pages };
}

t.test('the global log, in order, paged by position, with every field an auditor needs', async (t) => {
  const { app, store, auditor } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const everything = await store.readAll();

  const { events, pages } = await walk(app, auditor, 'limit=3');
  t.ok(pages >= Math.ceil(everything.length / 3), `${pages} pages of 3`);
  t.same(events.map((e) => e.position), everything.map((e) => e.position), 'every event once, in log order');
  const registered = events.find((e) => e.type === 'ProjectRegistered');
  t.match(registered, {
    streamId: 'project-ZQ-1', revision: 0, type: 'ProjectRegistered', recordedAt: /^\d{4}-\d\d-\d\dT/,
    data: { projectId: 'ZQ-1', plannedInvestment: 12000.5 },
    metadata: { actor: { role: 'admin' }, hash: /^[0-9a-f]{64}$/, prevHash: '0'.repeat(64) },
  }, 'stream, revision, position, data in 万元, metadata with the actor and hash');
  t.match(events.find((e) => e.type === 'AnnualTargetsSet')?.data, { targets: { reserveCount: 100, reserveInvestment: 3_000_000.5 } }, 'target amounts in 万元 too');

  const first = await page(app, auditor, 'limit=2');
  t.equal(first.events.length, 2);
  t.equal(first.nextPosition, everything[2]?.position, 'the next page starts at the first event not shown');
  t.equal(first.headPosition, await store.headPosition());
  const tail = await page(app, auditor, `fromPosition=${first.headPosition}`);
  t.same(tail.events.map((e) => e.position), [first.headPosition], 'the last event');
  t.equal(tail.nextPosition, null, 'and no next page');
  const budget = await page(app, auditor, `regionCode=${LANKAO}&type=ProjectSigned`);
  t.same(budget, { events: [], nextPosition: null, headPosition: first.headPosition }, 'no match: an empty last page');
});

t.test('no key secret ever leaves: KeyIssued is shown without its secret hash', async (t) => {
  const { app, store, auditor } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const issued = await issue(app, { role: 'dashboard', regions: [ZAOQIANG] });
  const secretHash = createHash('sha256').update(issued.key).digest('hex');
  const stored = await store.readAll({ filter: { eventTypes: ['KeyIssued'] } });
  t.ok(stored.some((e) => e.data['secretHash'] === secretHash), 'the store does hold the hash');

  const answer = await app.inject({ url: '/v1/audit/events?limit=1000', headers: auditor });
  t.notOk(answer.body.includes(secretHash), 'the new key\'s hash is nowhere in the answer');
  t.notOk(answer.body.includes('secretHash":'), 'no secret hash at all');
  const keys = answer.json<Page>().events.filter((e) => e.type === 'KeyIssued');
  t.equal(keys.length, stored.length, 'every key issue is listed: who was given access, when, by whom');
  t.ok(keys.every((e) => e.redacted?.includes('secretHash') && typeof e.data['keyId'] === 'string' && e.metadata['actor'] !== undefined));
});

t.test('filtered by type and by region', async (t) => {
  const { app, store, auditor } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });

  const registered = await walk(app, auditor, 'type=ProjectRegistered&limit=2');
  t.same(registered.events.map((e) => e.streamId), ['project-ZQ-1', 'project-LK-1', 'project-WY-1', 'project-ZQ-2']);
  const two = await page(app, auditor, 'type=Started,AnnualTargetsSet');
  t.same(two.events.map((e) => e.type), ['Started', 'Started', 'AnnualTargetsSet'], 'several types, comma-separated');

  const county = await page(app, auditor, `regionCode=${ZAOQIANG}&limit=1000`);
  t.same(county.events.map((e) => `${e.streamId} ${e.type}`), [
    'project-ZQ-1 ProjectRegistered', 'project-ZQ-2 ProjectRegistered', 'project-ZQ-1 Started', `targets-${ZAOQIANG}-2025 AnnualTargetsSet`,
  ], 'the county\'s projects and targets; no key events, which belong to no region');
  const city = await page(app, auditor, `regionCode=${HENGSHUI}&limit=1000`);
  t.same(new Set(city.events.map((e) => e.streamId)), new Set(['project-ZQ-1', 'project-WY-1', 'project-ZQ-2', `targets-${ZAOQIANG}-2025`]), 'a city takes in its counties');
  const started = await page(app, auditor, `regionCode=${LANKAO}&type=Started`);
  t.same(started.events.map((e) => e.streamId), ['project-LK-1'], 'both filters at once');

  const small = await page(app, auditor, `regionCode=${LANKAO}&limit=1`);
  t.equal(small.events.length, 1);
  const rest = await page(app, auditor, `regionCode=${LANKAO}&fromPosition=${small.nextPosition ?? 0}`);
  t.same(rest.events.map((e) => e.type), ['Started'], 'a filtered page resumes where the last one stopped');
});

t.test('who may read the log: auditors and admins within their regions, nobody else', async (t) => {
  const { app, store, auditor } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const limits = ['limit=0', 'limit=1001', 'limit=ten', 'fromPosition=-1', 'regionCode=13112', 'type=a%20b'];
  for (const query of limits) t.equal((await app.inject({ url: `/v1/audit/events?${query}`, headers: auditor })).statusCode, 400, query);
  t.equal((await app.inject({ url: '/v1/audit/events?regionCode=999999', headers: auditor })).statusCode, 409, 'an unknown region');

  t.equal((await app.inject({ url: '/v1/audit/events' })).statusCode, 401);
  t.equal((await app.inject({ url: '/v1/audit/verify' })).statusCode, 401);
  for (const role of ['dashboard', 'bureau']) {
    const key = bearer((await issue(app, { role, regions: [ZAOQIANG] })).key);
    t.equal((await app.inject({ url: '/v1/audit/events', headers: key })).statusCode, 403, `${role}: events`);
    t.equal((await app.inject({ url: '/v1/audit/verify', headers: key })).statusCode, 403, `${role}: verify`);
  }

  const cityAdmin = bearer((await issue(app, { role: 'admin', regions: [HENGSHUI] })).key);
  const own = await walk(app, cityAdmin, 'limit=1000');
  t.ok(own.events.length > 0 && own.events.every((e) => !e.streamId.includes('LK-1') && !e.streamId.startsWith('key-')), 'a city admin sees its city only');
  t.equal((await app.inject({ url: `/v1/audit/events?regionCode=${LANKAO}`, headers: cityAdmin })).statusCode, 403);
  t.equal((await app.inject({ url: '/v1/audit/verify?projectId=LK-1', headers: cityAdmin })).statusCode, 403);
  t.match((await app.inject({ url: '/v1/audit/verify', headers: cityAdmin })).json(), { ok: true, streams: 4, intact: 4 }, 'and verifies its own streams: three projects and a county\'s targets');

  // An auditor is confined to its key's regions like every role: a county's auditor reads its
  // county's events, never another county's project nor the keys issued (they are about no region).
  const countyAuditor = bearer((await issue(app, { role: 'auditor', regions: [ZAOQIANG] })).key);
  const county = await walk(app, countyAuditor, 'limit=1000');
  t.same([...new Set(county.events.map((e) => e.streamId))].sort(), ['project-ZQ-1', 'project-ZQ-2', `targets-${ZAOQIANG}-2025`],
    'a county auditor\'s feed: its county\'s projects and targets, no keys, no other county');
  t.equal((await app.inject({ url: `/v1/audit/events?regionCode=${LANKAO}`, headers: countyAuditor })).statusCode, 403, 'another county\'s feed');
  t.equal((await app.inject({ url: '/v1/audit/events?regionCode=000000', headers: countyAuditor })).statusCode, 403, 'the whole feed');
  t.equal((await app.inject({ url: '/v1/audit/verify?projectId=LK-1', headers: countyAuditor })).statusCode, 403, 'another county\'s project');
  t.equal((await app.inject({ url: '/v1/projects/LK-1/history', headers: countyAuditor })).statusCode, 403, 'another county\'s history');
  t.equal((await app.inject({ url: '/v1/projects/LK-1', headers: countyAuditor })).statusCode, 403, 'another county\'s project');
  t.equal((await app.inject({ url: '/v1/projects/ZQ-1/history', headers: countyAuditor })).statusCode, 200, 'its own county\'s history');
  t.equal((await app.inject({ url: '/v1/audit/leaves', headers: countyAuditor })).statusCode, 403, 'the raw leaves are the whole log');
  t.equal((await app.inject({ url: `/v1/audit/export?regionCode=${LANKAO}`, headers: countyAuditor })).statusCode, 403, 'another county\'s package');
  const verified = (await app.inject({ url: '/v1/audit/verify', headers: countyAuditor })).json();
  t.match(verified, { ok: true, streams: 3, intact: 3 }, 'verify names its own streams only');
  // The checkpoint and consistency proofs show sizes and hashes only: every auditor pins and checks them.
  const checkpoint = await app.inject({ url: '/v1/audit/checkpoint', headers: countyAuditor });
  t.equal(checkpoint.statusCode, 200, 'a county auditor reads the checkpoint');
  const size = Number(checkpoint.headers['x-tree-size']);
  t.equal((await app.inject({ url: `/v1/audit/proofs/consistency?from=1&to=${size}`, headers: countyAuditor })).statusCode, 200, 'and proves it extends an older one');
  const ownLeaf = county.events.find((e) => e.streamId === 'project-ZQ-1')?.leafIndex;
  t.equal((await app.inject({ url: `/v1/audit/proofs/inclusion?index=${ownLeaf}`, headers: countyAuditor })).statusCode, 200, 'and proves its own county\'s events');
  const whole = await walk(app, auditor, 'limit=1000');
  const leafOfOther = whole.events.find((e) => e.streamId === 'project-LK-1')?.leafIndex;
  const proofs = await app.inject({ url: `/v1/audit/proofs/inclusion?index=${leafOfOther}`, headers: countyAuditor });
  t.equal(proofs.statusCode, 403, `an inclusion proof does not show another county's leaf: ${proofs.body}`);
});

t.test('verify: intact chains, then events forged straight into the store are flagged at their revision', async (t) => {
  const { app, store, auditor } = await setup();
  t.teardown(async () => { await app.close(); await store.close(); });
  const verify = async (query = '') => {
    const answer = await app.inject({ url: `/v1/audit/verify${query}`, headers: auditor });
    t.equal(answer.statusCode, 200, answer.body);
    return answer.json<{ streams: number; intact: number; broken: Array<{ streamId: string; firstBrokenRevision: number }>; events: number }>();
  };

  t.match(await verify('?projectId=ZQ-1'), { streams: 1, intact: 1, broken: [], events: 2 });
  t.match(await verify(), { ok: true, streams: 7, intact: 7, broken: [], events: 9, tree: { size: 9, rootMatches: true, mismatches: 0 } },
    'every stream of every kind: projects, targets, keys');
  const unknown = await app.inject({ url: '/v1/audit/verify?projectId=NOPE', headers: auditor });
  t.equal(unknown.statusCode, 404);

  // A forged hash: the event claims a hash its content does not have.
  const [last] = await store.readStream('project-ZQ-1', { direction: 'backwards', maxCount: 1 });
  const forged = (data: JsonObject, metadata: JsonObject) => ({ type: 'Completed', data, metadata });
  const completed: JsonObject = { projectId: 'ZQ-1', occurredOn: '2025-09-01' };
  await store.appendToStream('project-ZQ-1', [forged(completed, { ...last?.metadata, prevHash: String(last?.metadata['hash']), hash: 'f'.repeat(64) })]);
  t.match(await verify('?projectId=ZQ-1'), { streams: 1, intact: 0, broken: [{ streamId: 'project-ZQ-1', firstBrokenRevision: 2 }] });

  // A consistent hash, but over a link that skips the previous event.
  const lk = { projectId: 'LK-1', occurredOn: '2025-09-02' };
  await store.appendToStream('project-LK-1', [forged(lk, { prevHash: '0'.repeat(64), hash: chainHash('0'.repeat(64), { type: 'Completed', data: lk }) })]);
  // A whole stream written around the command handler, with no chain at all.
  await store.appendToStream('project-FAKE', [{ type: 'ProjectRegistered', data: { ...registration('FAKE', ZAOQIANG), plannedInvestment: 1200050 } }]);

  const all = await verify();
  t.equal(all.streams, 8);
  t.equal(all.intact, 5);
  t.match(all.broken.sort((a, b) => a.streamId.localeCompare(b.streamId)), [
    { streamId: 'project-FAKE', firstBrokenRevision: 0 },
    { streamId: 'project-LK-1', firstBrokenRevision: 2 },
    { streamId: 'project-ZQ-1', firstBrokenRevision: 2 },
  ]);
});
