/**
 * The ledger (台账) over HTTP: pages with a cursor to the end, filters, region scope, asOf and
 * minPosition, and the CSV download byte by byte (BOM, Chinese headers, CRLF, quoting,
 * formula-like names neutralised), streamed for a large ledger.
 */
import t from 'tap';
import { eventSchemas } from '../../commands/project/events.js';
import { toJsonObject } from '../../commands/shared/json.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import { buildTestApp } from './build-test-app.js';
import { bearer, buildAuthApp, issue } from '../auth/auth-test-app.js';

const FAST = { RATE_LIMIT_PER_MINUTE: '100000' };

async function post(app: ZodApp, url: string, payload: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await app.inject({ method: 'POST', url, payload, headers });
  if (res.statusCode !== 201) throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body}`);
  const position: unknown = res.json().position;
  if (typeof position !== 'number') throw new Error(`no position in ${res.body}`);
  return position;
}

const project = (projectId: string, fields: Record<string, unknown> = {}) => ({
  projectId, name: `项目${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial', origin: 'local',
  plannedInvestment: 5000, occurredOn: '2025-01-06', ...fields,
});

/**
 * Five projects in registration order: L1 (枣强, industrial, 52000.5, started), L2 (武邑,
 * services, 8000), L3 (枣强's 枣强镇, services, 12000.25, a name with a comma and quotes),
 * L4 (枣强, "=1+1", 300), L5 (桃城区, infrastructure, 150000).
 */
async function ledgerScenario(app: ZodApp, headers: Record<string, string> = {}): Promise<number> {
  await post(app, '/v1/projects', project('L1', { name: '枣强县复合材料产业园', plannedInvestment: 52000.5 }), headers);
  await post(app, '/v1/projects/L1/milestones', { type: 'Started', occurredOn: '2025-04-08' }, headers);
  await post(app, '/v1/projects', project('L2', { regionCode: '131122', category: 'services', plannedInvestment: 8000 }), headers);
  await post(app, '/v1/projects', project('L3', { regionCode: '131121100', category: 'services', name: '智慧物流园, "二期"', plannedInvestment: 12000.25 }), headers);
  await post(app, '/v1/projects', project('L4', { name: '=1+1', plannedInvestment: 300 }), headers);
  return post(app, '/v1/projects', project('L5', { regionCode: '131102', category: 'infrastructure', plannedInvestment: 150000 }), headers);
}

const ids = (rows: Array<{ projectId: string }>) => rows.map((row) => row.projectId);

t.test('pages with a cursor to the end; filters; a bad cursor is 400', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const last = await ledgerScenario(app);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/projects?limit=2&minPosition=${last}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const res = await app.inject({ url });
    t.equal(res.statusCode, 200, `page ${pages + 1}`);
    const page = res.json();
    t.ok(page.rows.length <= 2);
    t.equal(page.position, last, 'the position the page reflects');
    seen.push(...ids(page.rows));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.same(seen, ['L1', 'L2', 'L3', 'L4', 'L5'], 'every row once, in registration order');
  t.equal(pages, 3, '2 + 2 + 1');

  const first = (await app.inject({ url: '/v1/projects?limit=1' })).json();
  t.match(first.rows[0], {
    projectId: 'L1', name: '枣强县复合材料产业园', regionCode: '131121', stage: 'STARTED', totalInvestment: 52000.5,
    milestones: { ProjectRegistered: '2025-01-06', Started: '2025-04-08' },
  });

  const filtered = async (query: string) => ids((await app.inject({ url: `/v1/projects?${query}` })).json().rows);
  t.same(await filtered('regionCode=131121'), ['L1', 'L3', 'L4'], 'the county with its township');
  t.same(await filtered('regionCode=131100'), ['L1', 'L2', 'L3', 'L4', 'L5'], 'the city');
  t.same(await filtered('regionCode=131122'), ['L2']);
  t.same(await filtered('stage=STARTED'), ['L1']);
  t.same(await filtered('category=services'), ['L2', 'L3']);
  t.same(await filtered('minInvestment=12000.25'), ['L1', 'L3', 'L5'], '总投资 at least, in 万元');
  t.same(await filtered('regionCode=131121&category=services&minInvestment=10000'), ['L3']);
  t.same(await filtered('stage=WITHDRAWN'), []);

  for (const query of ['cursor=garbage!', `cursor=${Buffer.from('other.v1.3').toString('base64url')}`, 'limit=0', 'limit=1001', 'minInvestment=1.234', 'minInvestment=-1', 'stage=DREAMING', 'regionCode=1311']) {
    const res = await app.inject({ url: `/v1/projects?${query}` });
    t.equal(res.statusCode, 400, query);
    t.match(res.json(), { code: 'PIPELINE_MALFORMED' }, query);
  }
  const unknown = await app.inject({ url: '/v1/projects?regionCode=999999' });
  t.equal(unknown.statusCode, 409);
  t.match(unknown.json(), { rule: 'region-unknown' });
});

t.test('the CSV download: BOM, Chinese headers, CRLF, quoting, formulas neutralised', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const last = await ledgerScenario(app);

  const res = await app.inject({ url: `/v1/projects?regionCode=131121&minPosition=${last}`, headers: { accept: 'text/csv' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(res.headers['content-disposition'], /^attachment; filename="ledger-131121-\d{4}-\d{2}-\d{2}\.csv"$/);
  t.equal(res.headers['x-position'], String(last));
  const bytes = res.rawPayload;
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM, for Excel');
  const text = bytes.subarray(3).toString('utf8');
  t.ok(text.endsWith('\r\n'), 'ends with CRLF');
  t.notOk(/[^\r]\n/.test(text), 'every line ends with CRLF');
  const lines = text.split('\r\n').slice(0, -1);
  t.equal(lines.length, 4, 'the header and the county\'s three projects');
  t.ok(lines[0]?.startsWith('项目编号,项目名称,区划代码,'), 'Chinese headers');
  t.ok(lines[1]?.startsWith('L1,枣强县复合材料产业园,131121,'));
  t.ok(lines[2]?.startsWith('L3,"智慧物流园, ""二期""",131121100,'), 'a comma and quotes: quoted, quotes doubled');
  t.ok(lines[3]?.startsWith('L4,\'=1+1,131121,'), 'a formula-like name is neutralised by a leading apostrophe');
  t.match(lines[1], /,52000\.50,/, 'amounts in 万元 with two decimals');

  const all = await app.inject({ url: '/v1/projects?cursor=ignored&limit=1', headers: { accept: 'text/csv, application/json;q=0.5' } });
  t.equal(all.rawPayload.subarray(3).toString('utf8').split('\r\n').length - 2, 5, 'the whole ledger: cursor and limit do not apply');
  t.match(all.headers['content-disposition'], /filename="ledger-all-/);
  const json = await app.inject({ url: '/v1/projects', headers: { accept: 'application/json, text/csv;q=0.5' } });
  t.match(json.headers['content-type'], /^application\/json/, 'JSON when preferred');
});

t.test('asOf gives the ledger as it stood; minPosition reads your writes', async (t) => {
  const { app, store } = await buildTestApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  await ledgerScenario(app);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const before = new Date().toISOString();
  // The last position before the start: positions need not be contiguous (KurrentDB's are log offsets).
  const headBefore = await store.headPosition();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = await post(app, '/v1/projects/L2/milestones', { type: 'Started', occurredOn: '2025-05-01' });
  const added = await post(app, '/v1/projects', project('L6', { occurredOn: '2025-06-01' }));

  const now = (await app.inject({ url: `/v1/projects?stage=STARTED&minPosition=${added}` })).json();
  t.same(ids(now.rows), ['L1', 'L2'], 'the start just posted');
  t.equal(now.position, added);
  const then = (await app.inject({ url: `/v1/projects?asOf=${encodeURIComponent(before)}` })).json();
  t.same(ids(then.rows), ['L1', 'L2', 'L3', 'L4', 'L5'], 'L6 not yet registered');
  t.equal(then.rows[1].stage, 'PLANNED', 'L2 not yet started');
  t.ok(headBefore > 0 && headBefore < started);
  t.equal(then.position, headBefore, 'the position the earlier picture reflects');
  const csvThen = await app.inject({ url: `/v1/projects?asOf=${encodeURIComponent(before)}`, headers: { accept: 'text/csv' } });
  t.equal(csvThen.rawPayload.subarray(3).toString('utf8').split('\r\n').length - 2, 5, 'the CSV as it stood too');
});

t.test('region scope: a key sees its own regions only', async (t) => {
  const { app, store } = await buildAuthApp(FAST);
  t.teardown(async () => { await app.close(); await store.close(); });
  const bureau = await issue(app, { role: 'bureau', regions: ['131100'] });
  await ledgerScenario(app, bearer(bureau.key));
  const dashboard = await issue(app, { role: 'dashboard', regions: ['131121'] });
  const twoCounties = await issue(app, { role: 'dashboard', regions: ['131121', '131122'] });
  const auditor = await issue(app, { role: 'auditor', regions: ['131121'] });
  const list = async (key: string, query = '') => {
    const res = await app.inject({ url: `/v1/projects${query}`, headers: bearer(key) });
    return res.statusCode === 200 ? ids(res.json().rows) : res.statusCode;
  };

  t.same(await list(dashboard.key), ['L1', 'L3', 'L4'], 'without regionCode: the key\'s county');
  t.same(await list(dashboard.key, '?regionCode=131121100'), ['L3'], 'a township inside it');
  t.equal(await list(dashboard.key, '?regionCode=131122'), 403, 'another county');
  t.equal(await list(dashboard.key, '?regionCode=131100'), 403, 'its city');
  t.same(await list(twoCounties.key), ['L1', 'L2', 'L3', 'L4'], 'a key over two counties sees both, not 桃城区');
  t.same(await list(twoCounties.key, '?limit=3'), ['L1', 'L2', 'L3']);
  t.same(await list(auditor.key), ['L1', 'L3', 'L4'], 'an auditor reads its key\'s regions, as every role does');
  t.equal(await list(auditor.key, '?regionCode=131122'), 403, 'an auditor of one county: not another');
  const csv = await app.inject({ url: '/v1/projects', headers: { ...bearer(dashboard.key), accept: 'text/csv' } });
  t.equal(csv.rawPayload.subarray(3).toString('utf8').split('\r\n').length - 2, 3, 'the CSV keeps to the key\'s regions');
  t.match(csv.headers['content-disposition'], /filename="ledger-131121-/);
  t.equal((await app.inject({ url: '/v1/projects' })).statusCode, 401);
});

t.test('a large ledger is streamed in chunks without holding the event loop', async (t) => {
  // Seeded straight into the store: 20,000 commands through HTTP would only time the commands.
  const rows = 20_000;
  const store = openEmbeddedStore({ path: ':memory:' });
  for (let i = 0; i < rows; i++) {
    const data = eventSchemas.ProjectRegistered.parse(project(`BIG-${i}`, { name: `项目${i}, 第${i % 7}期`, plannedInvestment: 1000 + i / 100 }));
    await store.appendToStream(`project-BIG-${i}`, [{ type: 'ProjectRegistered', data: toJsonObject(data) }]);
  }
  const { app } = await buildTestApp(FAST, store);
  t.teardown(async () => { await app.close(); await store.close(); });

  // Wait out the read models' catch-up first: only the CSV is timed.
  t.equal((await app.inject({ url: `/v1/projects?limit=1&minPosition=${rows}` })).statusCode, 200);
  // A timer keeps ticking while the CSV is produced: the rows go out in chunks, each in its own
  // turn of the loop. (One string built in one turn would let it tick once or twice.)
  let ticks = 0;
  let longest = 0;
  let previous = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - previous);
    previous = now;
    ticks++;
  }, 1);
  const res = await app.inject({ url: '/v1/projects', headers: { accept: 'text/csv' } });
  clearInterval(timer);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['transfer-encoding'], 'chunked', 'streamed, not one body of known length');
  t.notOk('content-length' in res.headers);
  const text = res.rawPayload.subarray(3).toString('utf8');
  const lines = text.split('\r\n');
  t.equal(lines.length, rows + 2, 'the header, every row, and the final CRLF');
  t.ok(lines[rows]?.startsWith(`BIG-${rows - 1},"项目${rows - 1}, 第`), 'the last row is whole');
  t.equal(text.indexOf('\uFEFF'), -1, 'one BOM, at the start only');
  t.ok(ticks >= 10, `the loop turned while the CSV streamed (${ticks} ticks, longest gap ${longest.toFixed(0)} ms)`);
  t.ok(longest < 1000, 'and was never held for long');
});
