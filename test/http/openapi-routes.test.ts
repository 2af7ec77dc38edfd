/**
 * Every route the app serves, walked from the app's own route table (every route as fastify
 * registered it), against /openapi.json: each is documented with a response schema for its
 * success, lists the error statuses it can answer each as the one shared problem+json
 * component (`#/components/schemas/Problem`), and the commands take If-Match and
 * Idempotency-Key as header parameters. A route added without these fails here.
 */
import t from 'tap';
import { buildTestApp } from './build-test-app.js';
import { ERROR_CODES } from '../../src/http/errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
function at(value: Json | undefined, ...path: string[]): Json | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return current;
}

const PROBLEM_REF = '#/components/schemas/Problem';

/** API.md's commands (and the custom regions'): they take If-Match and Idempotency-Key. */
const COMMANDS = new Set([
  'POST /v1/projects', 'POST /v1/projects/{projectId}/milestones', 'PUT /v1/regions/{regionCode}/targets/{year}', 'POST /v1/batches', 'POST /v1/regions',
]);

/** Static files, not operations: the document's own viewer and the dashboard's bundles. */
const STATIC_PREFIXES = ['/docs', '/dashboard/assets/'];

t.test('every route of the app is documented whole', async (t) => {
  const { app, store } = await buildTestApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  const document: Json = (await app.inject({ url: '/openapi.json' })).json();
  const problem = at(document, 'components', 'schemas', 'Problem');
  t.ok(isObject(problem), 'one Problem schema among the components');
  const components = at(document, 'components', 'schemas');
  t.same((isObject(components) ? Object.keys(components) : []).filter((name) => name.startsWith('Problem')), ['Problem'], 'and no other');
  const codes = at(problem, 'properties', 'code', 'enum');
  t.same(Array.isArray(codes) ? [...codes].sort() : codes, [...ERROR_CODES].sort(), 'its code is one of the registry\'s');
  const required = at(problem, 'required');
  t.ok(Array.isArray(required) && ['type', 'title', 'status', 'detail', 'code'].every((key) => required.includes(key)), 'RFC 9457 fields and code required');

  const routes = app.routeTable.flatMap((route) => (typeof route.method === 'string' ? [route.method] : [...route.method]).map((method) => ({ method, route })));
  let walked = 0;
  for (const { method, route } of routes) {
    const url = route.url;
    const name = `${method} ${url}`;
    // HEAD answers as its GET does (fastify adds one per GET): checked through the GET.
    if (method === 'HEAD' && routes.some((other) => other.method === 'GET' && other.route.url === url)) continue;
    if (STATIC_PREFIXES.some((prefix) => url.startsWith(prefix))) {
      t.equal(route.schema?.hide, true, `${name} is a static file, not in the document`);
      continue;
    }
    walked += 1;
    const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation = at(document, 'paths', path, method.toLowerCase());
    if (!isObject(operation)) {
      t.fail(`${name} is in the document`);
      continue;
    }
    const responses = at(operation, 'responses');
    const statuses = isObject(responses) ? Object.keys(responses) : [];
    const successes = statuses.filter((status) => /^[23]\d\d$/.test(status));
    t.ok(successes.length > 0, `${name} documents its success`);
    for (const status of successes) {
      const response = at(responses, status);
      const content = at(response, 'content');
      const described = status === '204' || status === '304' || (isObject(content) && Object.values(content).every((media) => isObject(at(media, 'schema'))));
      t.ok(described, `${name} ${status} has a response schema`, { response });
    }

    const expected = new Set([400, 500, 503]);
    const roles = route.config?.roles;
    if (url.startsWith('/v1') && route.config?.public !== true) {
      t.ok(roles !== undefined && roles.length > 0, `${name} declares its roles`);
      for (const status of [401, 403, 429]) expected.add(status);
    }
    if (url.includes(':')) for (const status of [404, 414]) expected.add(status);
    if (method === 'POST' || method === 'PUT') for (const status of [409, 413, 415]) expected.add(status);
    if (COMMANDS.has(`${method} ${path}`)) {
      for (const status of [409, 412, 422]) expected.add(status);
      const parameters = at(operation, 'parameters');
      const headers = Array.isArray(parameters) ? parameters.filter((p) => at(p, 'in') === 'header').map((p) => String(at(p, 'name')).toLowerCase()) : [];
      t.ok(headers.includes('if-match'), `${name} takes If-Match`, { headers });
      t.ok(headers.includes('idempotency-key'), `${name} takes Idempotency-Key`, { headers });
    }
    for (const status of expected) {
      t.ok(statuses.includes(String(status)), `${name} lists ${status}`);
    }
    for (const status of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
      const media = at(responses, status, 'content');
      const keys = isObject(media) ? Object.keys(media) : [];
      t.same(keys, ['application/problem+json'], `${name} ${status} is application/problem+json`);
      t.equal(at(media, 'application/problem+json', 'schema', '$ref'), PROBLEM_REF, `${name} ${status} is the shared Problem`);
    }
  }
  t.ok(walked >= 35, `${walked} operations walked`);
});
