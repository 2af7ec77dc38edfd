/**
 * What the error handler sends, for every code of the registry and for every error class it
 * maps, checked against README.md's error table (parsed from the README itself): the status
 * the table gives, application/problem+json, the one Problem shape. Then the answers a client
 * runs into: JSON sent as text/plain (415), an over-long path parameter (414), `If-Match: *`,
 * a year before 1949, an `asOf` whose `+` was not percent-encoded.
 */
import t from 'tap';
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DomainRuleBroken } from '../../commands/decider.js';
import { StaleRevision } from '../../commands/handle-command.js';
import { InvalidPeriod } from '../../projections/pipeline-statistics/periods.js';
import { loadConfig } from '../../src/config.js';
import { StoreUnavailable, StreamNotFound, WrongExpectedRevision } from '../../src/event-store/errors.js';
import { buildApp } from '../../src/http/app.js';
import { ERROR_NAMES, errors } from '../../src/http/errors.js';
import { problemSchema } from '../../src/http/problem-details.js';
import { openTestStore } from '../support/test-store.js';
import { buildTestApp } from './build-test-app.js';

/** README.md's "Error codes" table: code → status. */
function readmeTable(): Map<string, number> {
  const text = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const section = text.split(/^#+ Error codes\s*$/m)[1]?.split(/^#+ /m)[0] ?? '';
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    if (match[1] !== undefined && match[2] !== undefined) rows.set(match[1], Number(match[2]));
  }
  return rows;
}

/** Errors from elsewhere the handler maps, and the code each must answer with. */
const FOREIGN: ReadonlyArray<readonly [string, () => Error, string]> = [
  ['DomainRuleBroken', () => new DomainRuleBroken('some-rule', 'refused'), 'PIPELINE_RULE_BROKEN'],
  ['StaleRevision', () => new StaleRevision('project-1', 2, 3), 'PIPELINE_STALE_REVISION'],
  ['WrongExpectedRevision', () => new WrongExpectedRevision('project-1', 2, 3), 'PIPELINE_CONCURRENT_WRITES'],
  ['StreamNotFound', () => new StreamNotFound('project-1'), 'PIPELINE_NOT_FOUND'],
  ['StoreUnavailable', () => new StoreUnavailable('down'), 'PIPELINE_STORE_UNAVAILABLE'],
  ['InvalidPeriod', () => new InvalidPeriod('no such quarter'), 'PIPELINE_MALFORMED'],
  ['TypeError', () => new TypeError('a defect'), 'PIPELINE_INTERNAL'],
];

t.test('every code, and every error class mapped, answers as README.md\'s table says', async (t) => {
  const table = readmeTable();
  t.ok(table.size >= 15, 'the table is read');
  const store = await openTestStore();
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'off' }) });
  t.teardown(async () => { await app.close(); await store.close(); });
  app.get('/test/registry/:name', { schema: { params: z.object({ name: z.string() }) } }, async (request) => {
    const name = ERROR_NAMES.find((n) => n === request.params.name);
    if (name === undefined) throw new Error('no such name');
    throw new errors[name](`thrown as ${name}`);
  });
  app.get('/test/foreign/:index', { schema: { params: z.object({ index: z.coerce.number().int() }) } }, async (request) => {
    const made = FOREIGN[request.params.index];
    if (made === undefined) throw new Error('no such index');
    throw made[1]();
  });
  await app.ready();

  const check = async (url: string, code: string, what: string) => {
    const answer = await app.inject({ url });
    const status = table.get(code);
    t.ok(status !== undefined, `${code} is in the README's table`);
    t.equal(answer.statusCode, status, `${what}: the status the table gives ${code}`);
    t.match(answer.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
    const body: unknown = answer.json();
    const parsed = problemSchema.safeParse(body);
    t.ok(parsed.success, `${what}: the one Problem shape`, { body });
    t.match(body, { code, status, type: `urn:problem:pipeline:${code.replace(/^PIPELINE_/, '').toLowerCase().replaceAll('_', '-')}` });
    if (status === 503) t.equal(answer.headers['retry-after'], '1', `${what}: Retry-After`);
  };
  for (const name of ERROR_NAMES) await check(`/test/registry/${name}`, errors[name]('').code, name);
  for (const [index, [name, , code]] of FOREIGN.entries()) await check(`/test/foreign/${index}`, code, name);
  t.equal(table.size, ERROR_NAMES.length, 'the table has no code the app does not have');
});

t.test('what a client runs into', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const registration = {
    projectId: 'E-1', name: '项目 E-1', regionCode: '131121', industry: 'C', category: 'industrial',
    origin: 'local', plannedInvestment: 12000, occurredOn: '2025-01-06',
  };

  const plain = await app.inject({ method: 'POST', url: '/v1/projects', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(registration) });
  t.equal(plain.statusCode, 415, 'JSON sent as text/plain is 415');
  t.equal(plain.json().code, 'PIPELINE_UNSUPPORTED_MEDIA_TYPE');
  t.equal(await store.headPosition(), 0, 'and nothing was written');

  const long = await app.inject({ url: `/v1/projects/${'x'.repeat(300)}` });
  t.equal(long.statusCode, 414, 'a path parameter over the limit');
  t.equal(long.json().code, 'PIPELINE_URI_TOO_LONG');

  // If-Match: * — "any existing revision" (RFC 9110): 412 where there is no stream yet.
  const none = await app.inject({ method: 'POST', url: '/v1/projects', headers: { 'if-match': '*' }, payload: registration });
  t.equal(none.statusCode, 412, 'If-Match: * on a project that does not exist');
  t.equal(none.json().code, 'PIPELINE_STALE_REVISION');
  t.match(none.json().detail, /If-Match: \*/);
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: registration })).statusCode, 201);
  const anyRevision = await app.inject({ method: 'POST', url: '/v1/projects/E-1/milestones', headers: { 'if-match': '*' }, payload: { type: 'Started', occurredOn: '2025-02-01' } });
  t.equal(anyRevision.statusCode, 201, 'If-Match: * on a project that exists, whatever its revision');
  const missing = await app.inject({ method: 'POST', url: '/v1/projects/E-404/milestones', headers: { 'if-match': '*' }, payload: { type: 'Started', occurredOn: '2025-02-01' } });
  t.equal(missing.statusCode, 404, 'a milestone of a project that does not exist is 404, If-Match or not');
  const targets = await app.inject({ method: 'PUT', url: '/v1/regions/131121/targets/2025', headers: { 'if-match': '*' }, payload: { reserveCount: 3 } });
  t.equal(targets.statusCode, 412, 'If-Match: * on targets never set');
  t.equal((await app.inject({ method: 'PUT', url: '/v1/regions/131121/targets/2025', headers: { 'if-match': 'soon' }, payload: { reserveCount: 3 } })).statusCode, 400, 'an If-Match that is no revision');

  const early = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=1948' });
  t.equal(early.statusCode, 400);
  t.match(early.json().detail, /1949 or later/, 'a year before 1949 names the rule');

  const plus = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&asOf=2025-04-06T00:00:00+08:00' });
  t.equal(plus.statusCode, 400, 'a + left unencoded arrives as a space');
  t.match(plus.json().detail, /percent-encode it as %2B/);
  const encoded = await app.inject({ url: '/v1/stats/pipeline?regionCode=131121&year=2025&asOf=2025-04-06T00:00:00%2B08:00' });
  t.equal(encoded.statusCode, 200, encoded.body);
  const history = await app.inject({ url: '/v1/projects/E-1/history?asOf=2025-04-06T00:00:00+08:00' });
  t.match(history.json().detail, /%2B/, 'the same on a project\'s history');
});
