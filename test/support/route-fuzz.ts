/**
 * Requests thrown at every route of the app, and the oracle that judges the answers (issue 10,
 * item 11). The routes come from the app itself (its OpenAPI document: method, path, path
 * parameters, query parameters), so a route added later is fuzzed without a line here; what
 * is known about a parameter's name (a region code, a date, a position) only makes some of the
 * generated values plausible enough to reach past validation.
 *
 * Used by test/http/fuzz-routes.test.ts (a few thousand requests in CI) and bench/fuzz.ts
 * (10^5, printing counts).
 *
 * The oracle (API.md, "Errors"):
 * - never a 5xx;
 * - an error is application/problem+json with its status and a registered code;
 * - a refusal appends nothing (the log's head is where it was), but for its own
 *   Idempotency-Key's bookkeeping when it carried a well-formed key.
 */
import fc from 'fast-check';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { ERROR_CODES } from '../../src/http/errors.js';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_STREAM_PREFIX } from '../../src/http/idempotency.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import type { Clock } from '../../src/clock.js';

export const ADMIN_SECRET = 'fuzz-admin-secret-0123456789-abcdef';
const TODAY = '2025-12-01';
const clock: Clock = { now: () => new Date(`${TODAY}T02:00:00.000Z`) };
const PROJECTS = ['FZ-1', 'FZ-2', 'FZ-3'];
const REGIONS = ['131121', '131100', '410225', '000000'];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
export type Method = (typeof METHODS)[number];

/** A route as the app documents it. */
export interface Route {
  readonly method: Method;
  /** OpenAPI form: /v1/projects/{projectId} */
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  /** The query parameters the route requires: present in most requests. */
  readonly requiredQuery: readonly string[];
  /** The values a parameter's schema enumerates, by name: plausible values the route documents. */
  readonly enums: ReadonlyMap<string, readonly string[]>;
  readonly hasBody: boolean;
}

export interface FuzzRequest {
  readonly method: Method;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload?: string;
}

export interface FuzzApp {
  readonly app: ZodApp;
  readonly store: EventStore;
  /** Secrets of a bureau key (131121) and an auditor key (131100), besides the admin's. */
  readonly keys: { readonly bureau: string; readonly auditor: string; readonly bureauId: string };
  close(): Promise<void>;
}

/** The app with authentication on, an in-memory store, projects, targets and a batch to read. */
export async function fuzzApp(): Promise<FuzzApp> {
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, clock, config: loadConfig({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET, RATE_LIMIT_PER_MINUTE: '100000000' }) });
  await app.ready();
  const admin = { authorization: `Bearer ${ADMIN_SECRET}` };
  const must = async (method: 'POST' | 'PUT', url: string, payload: object): Promise<Record<string, unknown>> => {
    const answer = await app.inject({ method, url, payload, headers: admin });
    if (answer.statusCode >= 300) throw new Error(`seeding ${url}: ${answer.statusCode} ${answer.body}`);
    return answer.json<Record<string, unknown>>();
  };
  for (const projectId of PROJECTS) {
    await must('POST', '/v1/projects', { projectId, name: `枣强县项目 ${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 52000.5, occurredOn: '2025-01-06' });
  }
  await must('POST', '/v1/projects/FZ-1/milestones', { type: 'ProjectSigned', occurredOn: '2025-02-01', agreementType: 'formal', contractInvestment: 50000, investor: '某公司', investorOrigin: 'local' });
  await must('PUT', '/v1/regions/131121/targets/2025', { reserveCount: 10, completedInvestment: 100000 });
  await must('POST', '/v1/batches', { batchId: 'FB-1', regionCode: '131121', name: '集中开工', occurredOn: '2025-03-01', ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['FZ-2'] });
  const bureau = await must('POST', '/v1/keys', { name: 'bureau', role: 'bureau', regions: ['131121'] });
  const auditor = await must('POST', '/v1/keys', { name: 'auditor', role: 'auditor', regions: ['131100'] });
  await app.readModels.waitFor(await store.headPosition(), 10_000);
  return {
    app, store,
    keys: { bureau: String(bureau['key']), auditor: String(auditor['key']), bureauId: String(bureau['id']) },
    close: async () => { await app.close(); await store.close(); },
  };
}

interface OpenApiOperation { readonly parameters?: ReadonlyArray<{ readonly in: string; readonly name: string; readonly required?: boolean; readonly schema?: { readonly enum?: readonly unknown[] } }>; readonly requestBody?: unknown }

/** Every route the app documents, and the few it serves without documenting. */
export function routesOf(app: ZodApp): Route[] {
  const paths: Record<string, Record<string, OpenApiOperation>> = JSON.parse(JSON.stringify(app.swagger().paths ?? {}));
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      routes.push({
        method: METHODS.find((m) => m.toLowerCase() === method) ?? 'GET',
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        requiredQuery: parameters.filter((p) => p.in === 'query' && p.required === true).map((p) => p.name),
        enums: new Map(parameters.map((p) => [p.name, (p.schema?.enum ?? []).map(String)])),
        hasBody: operation.requestBody !== undefined || method === 'post' || method === 'put' || method === 'delete',
      });
    }
  }
  // Served beside the document: the document itself, its browsable page, the dashboard.
  for (const path of ['/openapi.json', '/docs', '/dashboard']) routes.push({ method: 'GET', path, pathParams: [], queryParams: [], requiredQuery: [], enums: new Map(), hasBody: false });
  return routes;
}

// ---------------------------------------------------------------------------------------------
// Values: plausible ones by the parameter's name, and the weird ones every parameter gets.

const WEIRD: readonly string[] = [
  '', ' ', '0', '-1', '1.5', '1e999', 'NaN', 'null', 'true', '[]', '{}', 'constructor', '__proto__', 'toString', 'valueOf',
  'hasOwnProperty', '..', '../../etc/passwd', '%00', 'a\u0000b', '枣强县', '１３１１２１', '\u202e131121', '🚀', 'e\u0301',
  '<script>alert(1)</script>', "'; DROP TABLE events; --", '${jndi:ldap://x}', '9'.repeat(40), 'x'.repeat(300), '2025-02-30',
  '2025-13', '9999-12-31T23:59:59Z', '2025-12-01T00:00:00+08:00', 'FZ-1', '131121', '2025',
];

function plausible(name: string): readonly string[] {
  const lower = name.toLowerCase();
  if (lower.includes('region') || lower === 'code') return ['131121', '131100', '410225', '000000', '999999', '13112', '131121-KFQ', '131121001'];
  if (lower.includes('project')) return [...PROJECTS, 'NOPE-1'];
  if (lower === 'batchid') return ['FB-1', 'NOPE-B'];
  if (lower === 'year') return ['2025', '2024', '2026', '1948', '2201'];
  if (lower === 'month') return ['2025-06', '2025-12', '2025-13', '2025-6'];
  if (lower === 'quarter') return ['1', '4', '5', '0'];
  if (lower === 'asof' || lower === 'from' || lower === 'to') return ['2025-06-01T00:00:00Z', '2025-12-01T02:00:00.000Z', '1970-01-01T00:00:00Z', '2025-06-01'];
  // Positions and sizes within the small log (a far minPosition waits its 5 s, by design).
  if (lower === 'minposition') return ['0', '1', '5'];
  if (lower.includes('position') || lower === 'index' || lower === 'size' || lower === 'after' || lower === 'limit') return ['0', '1', '2', '5', '10', '1000', '1001'];
  if (lower === 'cursor') return ['', 'abc', 'eyJ4IjoxfQ'];
  if (lower === 'type') return ['ProjectSigned', 'ProjectRegistered,KeyIssued', 'NeverWritten', 'a,b,c'];
  if (lower === 'dryrun' || lower === 'includeresolved') return ['true', 'false', 'yes'];
  if (lower === 'id') return ['NOPE-K'];
  return ['x'];
}

/** A value the way it goes into a URL: encoded, or one of a few raw malformed encodings. */
function encodedValue(name: string, documented: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...plausible(name), ...documented).map(encodeURIComponent) },
    // A far minPosition waits its 5 s and answers 503 by design: not one to wait for thousands of times.
    { weight: 3, arbitrary: fc.constantFrom(...WEIRD.filter((v) => name !== 'minPosition' || Number.isNaN(Number(v)))).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).filter((v) => name !== 'minPosition' || Number.isNaN(Number(v))).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '+', '%2F', '%252F') },
  );
}

function queryOf(route: Route): fc.Arbitrary<string> {
  const declared = route.queryParams.map((name) =>
    fc.option(fc.tuple(fc.constant(name), encodedValue(name, route.enums.get(name))), { nil: undefined, freq: route.requiredQuery.includes(name) ? 12 : 1 }));
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string[]>([]) },
    { weight: 1, arbitrary: fc.constantFrom(...route.queryParams, 'regionCode', 'unknown', '__proto__', 'token').chain((name) =>
      fc.tuple(encodedValue(name), encodedValue(name)).map(([a, b]) => [`${name}=${a}`, `${name}=${b}`])) }, // a parameter twice
    { weight: 1, arbitrary: fc.constantFrom(['&&='], ['='], ['a[b]=1'], ['a=1;b=2'], ['%'], ['x'.repeat(5000) + '=1']) },
  );
  return fc.tuple(fc.tuple(...declared), extra).map(([pairs, more]) => {
    const parts = [...pairs.flatMap((pair) => (pair === undefined ? [] : [`${pair[0]}=${pair[1]}`])), ...more];
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
  });
}

function pathOf(route: Route): fc.Arbitrary<string> {
  const segments = route.pathParams.map((name) => fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...plausible(name), ...(route.enums.get(name) ?? [])) },
    { weight: 3, arbitrary: encodedValue(name).filter((v) => v.length > 0) },
  ));
  return fc.tuple(...segments).map((values) => {
    let path = route.path;
    route.pathParams.forEach((name, i) => { path = path.replace(`{${name}}`, values[i] ?? ''); });
    return path;
  });
}

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

function headersOf(keys: FuzzApp['keys']): fc.Arbitrary<Record<string, string>> {
  const authorization = fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${ADMIN_SECRET}`) },
    { weight: 3, arbitrary: fc.constant(`Bearer ${keys.bureau}`) },
    { weight: 3, arbitrary: fc.constant(`Bearer ${keys.auditor}`) },
    { weight: 2, arbitrary: fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', `bearer ${ADMIN_SECRET}`, `Bearer  ${ADMIN_SECRET}`,
      'Bearer xmk_nope', `Bearer ${'x'.repeat(5000)}`, `Bearer ${ADMIN_SECRET}x`, 'Token abc') },
    { weight: 1, arbitrary: printable(60) },
  );
  const extra: fc.Arbitrary<readonly [string, string]> = fc.oneof(
    fc.tuple(fc.constant('accept'), fc.constantFrom('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      '*/*', 'text/event-stream', 'application/xml', '*/*;q=0', 'text/html', ',,,', 'application/problem+json')),
    fc.tuple(fc.constant('if-match'), fc.oneof(fc.integer({ min: 0, max: 4 }).map((n) => `"${n}"`), fc.constantFrom('*', '"-1"', 'W/"1"', '9'.repeat(40)), printable(20))),
    fc.tuple(fc.constant('if-none-match'), fc.oneof(fc.integer({ min: 0, max: 4 }).map((n) => `"${n}"`), printable(20))),
    fc.tuple(fc.constant('idempotency-key'), fc.oneof(fc.constantFrom('fz-1', 'fz-2'), printable(140))),
    fc.tuple(fc.constant('last-event-id'), fc.oneof(fc.constantFrom('0', '1', '-1', '1e9', 'abc', '99999999999999999999'), printable(20))),
    fc.tuple(fc.constant('x-request-id'), printable(200)),
    fc.tuple(fc.constant('x-correlation-id'), printable(40)),
    fc.tuple(fc.constant('origin'), fc.constantFrom('https://evil.example', 'null', 'http://localhost:5173')),
    fc.tuple(fc.constant('content-type'), fc.constantFrom('text/csv', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x', ';', 'application/json; charset=utf-16', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')),
    fc.tuple(fc.constantFrom('content-length', 'transfer-encoding', 'host', 'range', 'x-forwarded-for', 'cookie'), printable(30)),
  );
  // Most requests reach past authentication and body parsing: the admin's key, JSON.
  return fc.tuple(authorization, fc.array(extra, { maxLength: 3 })).map(([auth, extras]) =>
    Object.fromEntries<string>([['content-type', 'application/json'], ['authorization', auth], ...extras]));
}

type Body = { [key: string]: unknown };
const fresh = fc.stringMatching(/^[A-Z]{2}-[0-9]{1,6}$/);

/**
 * Valid bodies of the routes the suite knows, so that some requests succeed or reach a domain
 * rule; a route added later gets the generated bodies only until it is named here.
 */
const VALID_BODIES: Readonly<Record<string, fc.Arbitrary<Body>>> = {
  'POST /v1/projects': fc.record({ projectId: fc.oneof(fresh, fc.constantFrom(...PROJECTS)), name: fc.constant('枣强县复合材料产业园'), regionCode: fc.constantFrom(...REGIONS),
    industry: fc.constant('C'), category: fc.constant('industrial'), origin: fc.constant('attracted'), plannedInvestment: fc.integer({ min: 0, max: 1e6 }), occurredOn: fc.constant('2025-01-06') }),
  'POST /v1/projects/{projectId}/milestones': fc.oneof(
    fc.record({ type: fc.constant('InvestmentReported'), occurredOn: fc.constant('2025-04-30'), period: fc.constantFrom('2025-04', '2026-01'), amount: fc.integer({ min: 0, max: 1e5 }) }),
    fc.record({ type: fc.constant('Started'), occurredOn: fc.constantFrom('2025-03-01', '2026-01-01') }),
    fc.record({ type: fc.constant('Stalled'), occurredOn: fc.constant('2025-05-01'), reason: fc.constantFrom('land', 'funds') }),
  ),
  'PUT /v1/regions/{regionCode}/targets/{year}': fc.record({ reserveCount: fc.integer({ min: 0, max: 100 }), completedInvestment: fc.integer({ min: 0, max: 1e6 }) }, { requiredKeys: [] }),
  'POST /v1/batches': fc.record({ batchId: fc.oneof(fresh, fc.constant('FB-1')), regionCode: fc.constantFrom(...REGIONS), name: fc.constant('集中开工'), occurredOn: fc.constant('2025-03-01'),
    ceremonyOn: fc.constant('2025-04-08'), mustStartBy: fc.constant('2025-06-30'), projectIds: fc.uniqueArray(fc.constantFrom(...PROJECTS), { minLength: 1, maxLength: 2 }) }),
  'POST /v1/keys': fc.record({ name: fc.constant('fuzz key'), role: fc.constantFrom('bureau', 'auditor', 'dashboard', 'admin'), regions: fc.uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 2 }) }),
  'POST /v1/regions': fc.record({ code: fc.constantFrom('131121-KFQ', '131121-XQ', '131100-GX', '999999-X'), name: fc.constant('枣强经济开发区') }),
  'POST /v1/live/tokens': fc.record({ regionCode: fc.constantFrom(...REGIONS) }, { requiredKeys: [] }),
};

/** A valid body, or one with a field dropped or set to a weird value. */
function mangledBody(valid: fc.Arbitrary<Body>): fc.Arbitrary<string> {
  const weird = fc.oneof(fc.constantFrom<unknown>(...WEIRD, null, -1, 1e300, 0.001, [], {}), fc.jsonValue({ maxDepth: 2 }));
  return fc.tuple(valid, fc.nat(), fc.option(weird, { nil: undefined, freq: 2 }), fc.boolean()).map(([body, at, value, mangle]) => {
    const entries = Object.entries(body);
    if (!mangle || entries.length === 0) return JSON.stringify(body);
    const i = at % entries.length;
    const field = entries[i];
    if (field === undefined) return JSON.stringify(body);
    if (value === undefined) entries.splice(i, 1); else entries[i] = [field[0], value];
    return JSON.stringify(Object.fromEntries(entries));
  });
}

function bodyOf(route: Route): fc.Arbitrary<string | undefined> {
  if (!route.hasBody) return fc.option(fc.constantFrom('', '{}', 'x'), { nil: undefined, freq: 8 });
  const valid = VALID_BODIES[`${route.method} ${route.path}`];
  const generated = fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 3, arbitrary: fc.dictionary(fc.constantFrom('projectId', 'name', 'regionCode', 'role', 'regions', 'type', 'occurredOn', 'reason', 'code', 'parentCode', 'batchId', 'projectIds', '__proto__', 'constructor'),
      fc.oneof(fc.constantFrom(...WEIRD, ...REGIONS, ...PROJECTS), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 6 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"a":1,}', '\u0000', '项目,区划\nFZ-9,131121\n', `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`) },
  );
  return valid === undefined ? generated : fc.oneof({ weight: 2, arbitrary: mangledBody(valid) }, { weight: 1, arbitrary: generated });
}

const ODD_METHODS: readonly Method[] = ['PATCH', 'OPTIONS', 'HEAD'];

/** Requests at one route: its own method mostly, sometimes another one the route does not take. */
export function requestsAt(route: Route, keys: FuzzApp['keys']): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof({ weight: 12, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) });
  return fc.record({ method, path: pathOf(route), query: queryOf(route), headers: headersOf(keys), payload: bodyOf(route) })
    .map(({ method: m, path, query, headers, payload }) => ({
      method: m, url: `${path}${query}`, headers, ...(payload === undefined || m === 'GET' || m === 'HEAD' ? {} : { payload }),
    }));
}

// ---------------------------------------------------------------------------------------------
// The oracle.

export interface Judged {
  readonly status: number;
  /** What the answer did wrong; absent when it held to the contract. */
  readonly failure?: string;
}

const SSE_WAIT_MS = 1_000;

/** Sends one request and judges its answer; a stream (GET /v1/live) is closed once its head arrived. */
export async function sendAndJudge(fuzz: FuzzApp, request: FuzzRequest): Promise<Judged> {
  const before = await fuzz.store.headPosition();
  const abort = new AbortController();
  const answer = await fuzz.app.inject({
    method: request.method, url: request.url, headers: request.headers, payloadAsStream: true, signal: abort.signal,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  const status = answer.statusCode;
  const contentType = String(answer.headers['content-type'] ?? '');
  let body = '';
  if (contentType.startsWith('text/event-stream')) {
    answer.raw.res.destroy(); // the client leaves: the stream ends, and the hub forgets it
    abort.abort();
  } else {
    body = await readAll(answer.stream(), SSE_WAIT_MS * 30);
  }
  const after = await fuzz.store.headPosition();
  const failure = judge(request, status, contentType, body, before === after ? [] : await appendedStreams(fuzz.store, before));
  return failure === undefined ? { status } : { status, failure: `${failure}\n${describe(request, status, body)}` };
}

async function readAll(stream: NodeJS.ReadableStream, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => { if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy(); }, timeoutMs);
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch {
    // A destroyed stream: what arrived is judged.
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function appendedStreams(store: EventStore, before: number): Promise<string[]> {
  return (await store.readAll({ fromPosition: before + 1 })).map((event) => event.streamId);
}

function judge(request: FuzzRequest, status: number, contentType: string, body: string, appended: readonly string[]): string | undefined {
  if (status >= 500) return `a ${status}`;
  if (status < 400) return undefined;
  if (!contentType.startsWith('application/problem+json')) return `a ${status} that is not problem+json (${contentType})`;
  if (request.method !== 'HEAD') {
    let problem: unknown;
    try {
      problem = JSON.parse(body);
    } catch {
      return 'a problem that is not JSON';
    }
    if (typeof problem !== 'object' || problem === null) return 'a problem that is not an object';
    if (Reflect.get(problem, 'status') !== status) return 'a problem whose status is not the answer\'s';
    const code: unknown = Reflect.get(problem, 'code');
    if (typeof code !== 'string' || !ERROR_CODES.includes(code)) return `a problem without a registered code (${String(code)})`;
  }
  const key = request.headers['idempotency-key'];
  const keyed = key !== undefined && IDEMPOTENCY_KEY_PATTERN.test(key);
  const written = appended.filter((streamId) => !(keyed && streamId.startsWith(IDEMPOTENCY_STREAM_PREFIX)));
  if (written.length > 0) return `a refusal appended to ${written.join(', ')}`;
  return undefined;
}

function describe(request: FuzzRequest, status: number, body: string): string {
  const headers = JSON.stringify(request.headers).slice(0, 400);
  return `${request.method} ${request.url.slice(0, 300)} ${headers} ${String(request.payload).slice(0, 200)}\n→ ${status} ${body.slice(0, 400)}`;
}
