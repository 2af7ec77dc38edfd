/**
 * The OpenAPI document at /openapi.json, as a client generating code from it relies on it:
 * every path of API.md's contract the app serves is documented, the milestone body is one
 * variant per milestone event of DOMAIN.md picked by `type`, money is said to be in 万元, and
 * the /v1 operations ask for a bearer key.
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** API.md's paths, in its own words; those the app serves must be documented. */
const CONTRACT: ReadonlyArray<readonly [Method, string]> = [
  ['POST', '/v1/keys'],
  ['GET', '/v1/keys'],
  ['DELETE', '/v1/keys/{id}'],
  ['POST', '/v1/projects'],
  ['POST', '/v1/projects/{projectId}/milestones'],
  ['PUT', '/v1/regions/{regionCode}/targets/{year}'],
  ['POST', '/v1/batches'],
  ['GET', '/v1/projects/{projectId}'],
  ['GET', '/v1/projects/{projectId}/history'],
  ['GET', '/v1/projects'],
  ['GET', '/v1/stats/pipeline'],
  ['GET', '/v1/stats/rankings'],
  ['GET', '/v1/stats/compliance'],
  ['GET', '/v1/live'],
  ['GET', '/v1/audit/events'],
  ['GET', '/v1/audit/verify'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/metrics'],
];

/** The routes every build of the app has had since the commands landed: never skipped. */
const ALWAYS = [
  'POST /v1/keys', 'GET /v1/keys', 'DELETE /v1/keys/{id}',
  'POST /v1/projects', 'POST /v1/projects/{projectId}/milestones', 'PUT /v1/regions/{regionCode}/targets/{year}', 'POST /v1/batches',
  'GET /v1/projects/{projectId}', 'GET /v1/projects/{projectId}/history', 'GET /healthz', 'GET /readyz', 'GET /metrics',
];

/** DOMAIN.md's project events other than ProjectRegistered, and their amounts (万元). */
const MILESTONES: Readonly<Record<string, readonly string[]>> = {
  NegotiationOpened: ['expectedInvestment'],
  ProjectSigned: ['contractInvestment'],
  ProjectApproved: ['approvedInvestment'],
  LandAcquired: [],
  Started: [],
  StatisticsEntered: ['plannedInvestment'],
  InvestmentReported: ['amount'],
  InvestmentCorrected: ['amount'],
  FundsArrived: ['amount'],
  FundingSecured: ['amount'],
  Completed: [],
  Commissioned: [],
  FullProductionReached: ['outputValue', 'taxPaid'],
  Stalled: [],
  Resumed: [],
  Withdrawn: [],
  DetailsCorrected: ['plannedInvestment'],
  MilestoneDateCorrected: [],
};

const TARGET_AMOUNTS = ['reserveInvestment', 'signedInvestment', 'largestSigning', 'startedInvestment', 'completedInvestment', 'fundingSecured'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

function objectAt(value: Json | undefined, ...path: string[]): JsonObject {
  const found = at(value, ...path);
  return isObject(found) ? found : {};
}

/** `/v1/regions/{regionCode}/targets/{year}` → `/v1/regions/{}/targets/{}`: names may differ. */
const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
const fastifyUrl = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

function requestSchema(document: Json, path: string, method: string): JsonObject {
  return objectAt(document, 'paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema');
}

async function load() {
  const { app, store } = await buildTestApp();
  const answer = await app.inject({ url: '/openapi.json' });
  const document: Json = answer.json();
  const paths = new Map(Object.keys(objectAt(document, 'paths')).map((p) => [shape(p), p]));
  return { app, store, answer, document, paths };
}

t.test('/openapi.json documents every path of the contract the app serves', async (t) => {
  const { app, store, answer, document, paths } = await load();
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal(answer.statusCode, 200);
  t.match(answer.headers['content-type'], /^application\/json/);
  t.match(at(document, 'openapi'), /^3\./, 'an OpenAPI 3 document');

  let served = 0;
  for (const [method, path] of CONTRACT) {
    const exists = app.hasRoute({ method, url: fastifyUrl(path) });
    if (!exists) {
      t.notOk(ALWAYS.includes(`${method} ${path}`), `${method} ${path} is served`);
      continue;
    }
    served += 1;
    const documented = paths.get(shape(path));
    t.ok(documented !== undefined && isObject(at(document, 'paths', documented, method.toLowerCase())), `${method} ${path} is documented`);
  }
  t.ok(served >= ALWAYS.length, `${served} contract routes served and checked`);

  const docs = await app.inject({ url: '/docs' });
  t.ok(docs.statusCode < 400, '/docs browses it');
});

t.test('the milestone body: one variant per milestone event of DOMAIN.md, picked by `type`', async (t) => {
  const { app, store, document } = await load();
  t.teardown(async () => { await app.close(); await store.close(); });
  const body = requestSchema(document, '/v1/projects/{projectId}/milestones', 'POST');
  const variants = at(body, 'oneOf') ?? at(body, 'anyOf');
  if (!Array.isArray(variants)) {
    t.fail('the milestone body is a oneOf or anyOf', { body });
    return;
  }
  const byType = new Map<string, JsonObject>();
  for (const variant of variants) {
    const pinned = at(variant, 'properties', 'type', 'const') ?? at(variant, 'properties', 'type', 'enum');
    const values = Array.isArray(pinned) ? pinned : [pinned];
    const type = values[0];
    t.ok(values.length === 1 && typeof type === 'string', 'each variant pins `type` to one value', { variant });
    const required = at(variant, 'required');
    t.ok(Array.isArray(required) && required.includes('type') && required.includes('occurredOn'), `${String(type)} requires type and occurredOn`);
    if (typeof type === 'string' && isObject(variant)) {
      t.notOk(byType.has(type), `${type} is one variant`);
      byType.set(type, variant);
    }
  }
  t.same([...byType.keys()].sort(), Object.keys(MILESTONES).sort(), 'exactly the milestone events, ProjectRegistered not among them');

  for (const [type, amounts] of Object.entries(MILESTONES)) {
    for (const field of amounts) {
      const property = objectAt(byType.get(type), 'properties', field);
      t.equal(property['type'], 'number', `${type}.${field} is a number`);
      t.match(property['description'], /万元/, `${type}.${field} is described in 万元`);
    }
  }
});

t.test('amounts are in 万元 in every command body', async (t) => {
  const { app, store, document } = await load();
  t.teardown(async () => { await app.close(); await store.close(); });
  const registration = objectAt(requestSchema(document, '/v1/projects', 'POST'), 'properties', 'plannedInvestment');
  t.match(registration['description'], /万元/, 'ProjectRegistered.plannedInvestment');
  const targets = requestSchema(document, '/v1/regions/{regionCode}/targets/{year}', 'PUT');
  for (const field of TARGET_AMOUNTS) {
    t.match(objectAt(targets, 'properties', field)['description'], /万元/, `targets.${field}`);
  }
  t.equal(objectAt(targets, 'properties', 'reserveCount')['type'], 'integer', 'counts are whole numbers, not money');
});

t.test('the commands document their answer; /v1 asks for a bearer key', async (t) => {
  const { app, store, document, paths } = await load();
  t.teardown(async () => { await app.close(); await store.close(); });
  const schemes = objectAt(document, 'components', 'securitySchemes');
  const bearerNames = Object.entries(schemes)
    .filter(([, scheme]) => at(scheme, 'type') === 'http' && String(at(scheme, 'scheme')).toLowerCase() === 'bearer')
    .map(([name]) => name);
  t.ok(bearerNames.length > 0, 'a bearer security scheme');

  for (const [method, path] of CONTRACT) {
    const documented = paths.get(shape(path));
    if (!path.startsWith('/v1/') || documented === undefined) continue;
    const operation = objectAt(document, 'paths', documented, method.toLowerCase());
    if (Object.keys(operation).length === 0) continue;
    const security = at(operation, 'security') ?? at(document, 'security');
    const asks = Array.isArray(security) && security.some((requirement) => bearerNames.some((name) => isObject(requirement) && name in requirement));
    t.ok(asks, `${method} ${path} asks for a bearer key`);
  }

  const commands: Array<[Method, string, string]> = [
    ['POST', '/v1/projects', '201'],
    ['POST', '/v1/projects/{projectId}/milestones', '201'],
    ['PUT', '/v1/regions/{regionCode}/targets/{year}', '200'],
    ['POST', '/v1/batches', '201'],
  ];
  for (const [method, path, status] of commands) {
    const answer = objectAt(document, 'paths', path, method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema');
    const properties = Object.keys(objectAt(answer, 'properties'));
    t.ok(['revision', 'position', 'events'].every((p) => properties.includes(p)), `${method} ${path} documents its ${status} answer`, { properties });
  }
});
