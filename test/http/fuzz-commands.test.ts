/**
 * The command routes under fire: generated bodies, valid ones mangled (fields dropped,
 * retyped, nested, duplicated, prototype-pollution keys, absurd numbers and dates, unicode,
 * null bytes, huge strings, deep nesting), raw non-JSON payloads, wrong content types and odd
 * headers, thrown at register, milestones, targets and batches (AUTH=off, in-memory store).
 *
 * Whatever is sent (API.md, "Commands"):
 * - the answer is never a 5xx;
 * - a refusal is application/problem+json with type, title, status, detail and a registered
 *   code (and a 409 rule names a registered rule);
 * - a refusal appends no event; the only thing it may append is its own Idempotency-Key's
 *   bookkeeping (idempotency.ts records a refusal as the key's final answer), and only when
 *   the request carried a valid key;
 * - a success answers revision, position and the types of exactly the events it appended.
 */
import t from 'tap';
import fc from 'fast-check';
import { MEMBERSHIP_STREAM_PREFIX } from '../../commands/batch/membership.js';
import { RULE_NAMES } from '../../commands/rules.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { ERROR_CODES } from '../../src/http/errors.js';
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_STREAM_PREFIX } from '../../src/http/idempotency.js';
import type { ZodApp } from '../../src/http/zod-app.js';

// ---------------------------------------------------------------------------------------------
// Bodies as written on the wire: key order, duplicate keys and raw number literals are kept.

class Raw {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: ReadonlyArray<readonly [string, Value]>) {}
}
type Value = null | boolean | number | string | Raw | Obj | Value[];
type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

function serialize(value: Value): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) return `{${value.entries.map(([key, v]) => `${JSON.stringify(key)}:${serialize(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  return JSON.stringify(value);
}

function obj(plain: { [key: string]: Plain }): Obj {
  return new Obj(Object.entries(plain).map(([key, value]) => [key, valueOf(value)] as const));
}
function valueOf(plain: unknown): Value {
  if (Array.isArray(plain)) return plain.map(valueOf);
  if (plain !== null && typeof plain === 'object') return new Obj(Object.entries(plain).map(([key, value]) => [key, valueOf(value)] as const));
  if (typeof plain === 'string' || typeof plain === 'number' || typeof plain === 'boolean') return plain;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The app: AUTH=off on an in-memory store, a fixed clock, and registered projects to post to.

const TODAY = '2025-12-01';
const clock: Clock = { now: () => new Date(`${TODAY}T02:00:00.000Z`) };
const SEEDED = ['FZ-1', 'FZ-2', 'FZ-3', 'FZ-4', 'FZ-5'];
/** Registered and left alone by the milestone fuzz, so that batches can still take them. */
const FOR_BATCHES = ['FB-1', 'FB-2', 'FB-3', 'FB-4', 'FB-5', 'FB-6', 'FB-7', 'FB-8'];
const REGIONS = ['131121', '131100', '410225', '330326', '510904', '520500'];

const registration = (projectId: string, regionCode = '131121'): { [key: string]: Plain } => ({
  projectId, name: `枣强县项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 52000.5, occurredOn: '2025-01-06',
});

async function seededApp(): Promise<{ app: ZodApp; store: EventStore }> {
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, clock, config: loadConfig({ AUTH: 'off', RATE_LIMIT_PER_MINUTE: '1000000' }) });
  await app.ready();
  for (const id of [...SEEDED, ...FOR_BATCHES]) {
    const created = await app.inject({ method: 'POST', url: '/v1/projects', payload: registration(id) });
    if (created.statusCode !== 201) throw new Error(`seeding ${id}: ${created.body}`);
  }
  // One seeded project far along, so that the later milestones reach the decider's rules too.
  for (const milestone of [
    { type: 'ProjectSigned', occurredOn: '2025-02-01', agreementType: 'formal', contractInvestment: 50000, investor: '某公司', investorOrigin: 'local' },
    { type: 'Started', occurredOn: '2025-03-01' },
  ]) {
    const posted = await app.inject({ method: 'POST', url: '/v1/projects/FZ-5/milestones', payload: milestone });
    if (posted.statusCode !== 201) throw new Error(`seeding FZ-5: ${posted.body}`);
  }
  return { app, store };
}

// ---------------------------------------------------------------------------------------------
// Valid bodies, one arbitrary per command.

const date = fc.constantFrom('2025-01-06', '2025-02-01', '2025-03-15', '2025-06-30', '2025-11-30', TODAY);
const month = fc.constantFrom('2025-01', '2025-03', '2025-06', '2025-11', '2025-12');
const amount = fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => n / 100));
const text = fc.oneof(fc.constantFrom('枣强县复合材料产业园', '河北某新材料公司', '县发改局', 'X'), fc.string({ minLength: 1, maxLength: 20 }));
const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/);

const registerBody = fc.record({
  projectId: id,
  name: text,
  regionCode: fc.constantFrom(...REGIONS),
  industry: fc.constantFrom('A', 'C', 'F', 'T'),
  industryClass: fc.constantFrom('3062', '0111'),
  category: fc.constantFrom('industrial', 'infrastructure', 'services', 'public', 'agriculture'),
  origin: fc.constantFrom('attracted', 'local', 'government'),
  plannedInvestment: amount,
  occurredOn: date,
  level: fc.constantFrom('county', 'city', 'province'),
}, { requiredKeys: ['name', 'regionCode', 'industry', 'category', 'origin', 'plannedInvestment', 'occurredOn'] });

const stallReason = fc.constantFrom('land', 'funds', 'approval', 'compensation', 'investor', 'other');
const milestoneBody = fc.oneof(
  fc.record({ type: fc.constant('NegotiationOpened'), occurredOn: date, investor: text, investorOrigin: fc.constantFrom('foreign', 'out_of_province', 'out_of_city', 'local'), expectedInvestment: amount }),
  fc.record({ type: fc.constant('ProjectSigned'), occurredOn: date, agreementType: fc.constantFrom('framework', 'formal', 'supplementary'), contractInvestment: amount, investor: text, investorOrigin: fc.constantFrom('foreign', 'local'), signingEvent: text, promisedStartBy: date }, { requiredKeys: ['type', 'occurredOn', 'agreementType', 'contractInvestment', 'investor', 'investorOrigin'] }),
  fc.record({ type: fc.constant('ProjectApproved'), occurredOn: date, kind: fc.constantFrom('approval', 'ratification', 'filing'), authority: text, documentNo: text, projectCode: fc.constant('2025-131121-30-03-000123'), approvedInvestment: amount }, { requiredKeys: ['type', 'occurredOn', 'kind', 'authority', 'documentNo', 'approvedInvestment'] }),
  fc.record({ type: fc.constant('LandAcquired'), occurredOn: date, method: fc.constantFrom('transfer', 'allocation', 'lease', 'existing'), parcelNo: text, areaMu: fc.constantFrom(120.5, 1, 0.01), agreedStartBy: date }, { requiredKeys: ['type', 'occurredOn', 'method', 'parcelNo', 'areaMu'] }),
  fc.record({ type: fc.constant('Started'), occurredOn: date, batchId: id }, { requiredKeys: ['type', 'occurredOn'] }),
  fc.record({ type: fc.constant('StatisticsEntered'), occurredOn: date, month, plannedInvestment: amount }),
  fc.record({ type: fc.constant('InvestmentReported'), occurredOn: date, period: month, amount }),
  fc.record({ type: fc.constant('InvestmentCorrected'), occurredOn: date, period: month, amount, reason: text }),
  fc.record({ type: fc.constant('FundsArrived'), occurredOn: date, amount, source: fc.constantFrom('own', 'loan', 'budget', 'special_bond', 'foreign'), sourceRegion: fc.constantFrom('out_of_province', 'out_of_city', 'in_city') }),
  fc.record({ type: fc.constant('FundingSecured'), occurredOn: date, amount, source: fc.constantFrom('central_budget', 'provincial_budget', 'special_bond', 'other'), documentNo: text }),
  fc.record({ type: fc.constant('Completed'), occurredOn: date, acceptanceNo: text }, { requiredKeys: ['type', 'occurredOn'] }),
  fc.record({ type: fc.constant('Commissioned'), occurredOn: date, partial: fc.boolean(), capacityPct: fc.integer({ min: 0, max: 100 }) }, { requiredKeys: ['type', 'occurredOn', 'partial'] }),
  fc.record({ type: fc.constant('FullProductionReached'), occurredOn: date, outputValue: amount, taxPaid: amount }, { requiredKeys: ['type', 'occurredOn'] }),
  fc.record({ type: fc.constantFrom('Stalled', 'Resumed'), occurredOn: date, reason: stallReason, note: text }, { requiredKeys: ['type', 'occurredOn', 'reason'] }),
  fc.record({ type: fc.constant('Withdrawn'), occurredOn: date, reason: text, approvedBy: text }),
  fc.record({ type: fc.constant('DetailsCorrected'), occurredOn: date, name: text, regionCode: fc.constantFrom(...REGIONS), plannedInvestment: amount, reason: text }, { requiredKeys: ['type', 'occurredOn', 'reason'] }),
  fc.record({ type: fc.constant('MilestoneDateCorrected'), occurredOn: date, milestone: fc.constantFrom('ProjectRegistered', 'ProjectSigned', 'Started'), reason: text }),
);

const targetsBody = fc.record({
  reserveCount: fc.integer({ min: 0, max: 500 }),
  reserveInvestment: amount,
  signedOver1e8Count: fc.integer({ min: 0, max: 50 }),
  largestSigning: amount,
  completedInvestment: amount,
  fundingSecured: amount,
  occurredOn: date,
}, { requiredKeys: [] });

const batchBody = fc.record({
  batchId: id,
  regionCode: fc.constantFrom('131121', '131121', '131100', '410225'),
  name: text,
  occurredOn: date,
  ceremonyOn: fc.constantFrom('2025-04-08', '2025-12-20'),
  mustStartBy: fc.constantFrom('2025-06-30', '2026-03-31'),
  projectIds: fc.oneof(
    { weight: 3, arbitrary: fc.uniqueArray(fc.constantFrom(...FOR_BATCHES), { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...SEEDED, ...FOR_BATCHES, 'NOPE-1'), { minLength: 1, maxLength: 3 }) },
  ),
});

// ---------------------------------------------------------------------------------------------
// Mangling.

const HUGE = 'x'.repeat(200_000);
const NEARLY_THE_LIMIT = '枣'.repeat(330_000); // ≈ 1 MB of UTF-8: just under or over the body limit
const deep = (depth: number, open: string, close: string) => new Raw(`${open.repeat(depth)}1${close.repeat(depth)}`);

const weird: fc.Arbitrary<Value> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Value>(
    null, true, false, 0, -1, -0.01, 1.005, 0.001, 12345.678, 1e300, -1e300, 1e-9, 2 ** 53 + 2, 100_000_000.01,
    '', ' ', '\u0000', 'a\u0000b', '\t\n', 'NaN', 'Infinity', '-Infinity', '1e309', '0x10', '100', 'null', 'true', '[]', '{}',
    '2023-02-30', '2023-13-01', '9999-12-31', '0000-00-00', '2025-1-1', '2024-02-29', '2025-02-29', '1948-12-31', '2025-12-02',
    '2025-00', '2025-13', '131121\u0000', '\u202e131121', '１３１１２１', '枣强县', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 🚀', '\ud800', 'e\u0301',
    '<script>alert(1)</script>', "'; DROP TABLE events; --", '../../etc/passwd', '%00', '${jndi:ldap://x}', HUGE,
    [], [null], new Obj([]),
  ) },
  { weight: 2, arbitrary: fc.constantFrom(
    new Raw('1e400'), new Raw('-1e400'), new Raw('-0'), new Raw('1.0000000000000002'), new Raw('12345678901234567890123'),
    new Raw('0.1e-7'), new Raw('1E2'), new Raw('100.00'), new Raw('0.30000000000000004'),
  ) },
  { weight: 2, arbitrary: fc.constantFrom(
    new Obj([['__proto__', obj({ polluted: true })]]),
    new Obj([['constructor', new Obj([['prototype', obj({ polluted: true })]])]]),
    deep(64, '[', ']'), deep(5_000, '[', ']'), deep(100_000, '[', ']'), deep(20_000, '{"a":', '}'),
    NEARLY_THE_LIMIT,
  ) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(valueOf) },
);

const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'type', 'projectId', 'regionCode', 'occurredOn', 'revision', '', ' ', '\u0000', 'x'.repeat(1000)];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: 'binary', maxLength: 12 }));

type Mutation =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: Value }
  | { readonly kind: 'add'; readonly key: string; readonly value: Value }
  | { readonly kind: 'duplicate'; readonly at: number; readonly value: Value }
  | { readonly kind: 'wrap'; readonly at: number; readonly inArray: boolean }
  | { readonly kind: 'replace'; readonly value: Value };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: weird }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), key, value: weird }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), value: weird }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at: fc.nat(), inArray: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: weird }) },
);

function mutate(body: Value, m: Mutation): Value {
  if (m.kind === 'replace') return m.value;
  if (!(body instanceof Obj)) return body;
  const entries = [...body.entries];
  const i = entries.length === 0 ? 0 : ('at' in m ? m.at % entries.length : 0);
  const entry = entries[i];
  switch (m.kind) {
    case 'drop': entries.splice(i, 1); break;
    case 'set': if (entry) entries[i] = [entry[0], m.value]; break;
    case 'add': entries.splice(i, 0, [m.key, m.value]); break;
    case 'duplicate': if (entry) entries.push([entry[0], m.value]); break;
    case 'wrap': if (entry) entries[i] = [entry[0], m.inArray ? [entry[1]] : new Obj([['value', entry[1]]])]; break;
    default: { const never: never = m; return never; }
  }
  return new Obj(entries);
}

/** A valid body, or that body mangled by one to three mutations (none two times in five). */
function mangled(valid: fc.Arbitrary<{ [key: string]: Plain }>): fc.Arbitrary<Value> {
  return fc.tuple(valid, fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }))
    .map(([body, mutations]) => mutations.reduce<Value>(mutate, obj(body)));
}

// ---------------------------------------------------------------------------------------------
// The request around the body: raw payloads, content types, headers.

interface FuzzRequest {
  readonly method: 'POST' | 'PUT';
  readonly url: string;
  readonly payload: string | Buffer;
  /** undefined: no Content-Type header at all. */
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, string | string[]>>;
}

const rawPayload: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom('', ' ', 'null', '[]', '"a string"', '1e999', 'NaN', '{', '{"type":', '{"a":1,}', "{'type':'Started'}",
    '{"type":"Started" /* comment */}', '\ufeff{"type":"Started","occurredOn":"2025-03-01"}', 'type=Started&occurredOn=2025-03-01',
    '<project><name>x</name></project>', '\u0000\u0000\u0000', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

const CONTENT_TYPES = [
  'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'APPLICATION/JSON',
  'application/json;', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/xml', 'application/merge-patch+json', 'application/problem+json', 'application/octet-stream', '*/*', ';', 'json',
  'application/json, text/plain',
];

const printableKey = fc.stringMatching(/^[\x21-\x7e]{1,128}$/);
const idempotencyKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('fz-reused-1', 'fz-reused-2') },
  { weight: 2, arbitrary: printableKey },
  { weight: 3, arbitrary: fc.constantFrom<string | string[]>('k'.repeat(129), 'k'.repeat(10_000), '', ' ', 'a b', 'a\tb', 'a\u0000b', '\u0001', '\u007f', 'a\r\nb', '键', 'é', ['fz-a', 'fz-b']) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 140 }) },
);
const ifMatch = fc.oneof(
  fc.integer({ min: 0, max: 6 }).map((n) => `"${n}"`),
  fc.constantFrom<string | string[]>('*', 'yesterday', '"-1"', '""', 'W/"1"', '"1", "2"', '9'.repeat(40), '"999999999999999"', '"1\u0001"', '\t"1"', 'W/"x"', ['"0"', '"1"']),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const oddHeaders = fc.record({
  'if-match': ifMatch,
  'idempotency-key': idempotencyKey,
  'x-request-id': fc.oneof(fc.constantFrom('../../x', 'r'.repeat(300), '\u0000', 'ok-id-1'), fc.string({ unit: 'binary', maxLength: 20 })),
  'x-correlation-id': fc.string({ unit: 'binary', maxLength: 20 }),
  authorization: fc.constantFrom('Bearer', 'Bearer \u0000', 'Basic Zm9vOmJhcg==', 'x'.repeat(5000)),
  accept: fc.constantFrom('text/csv', 'application/xml', '*/*;q=0', '\u0000'),
}, { requiredKeys: [] });

function requestOf(method: 'POST' | 'PUT', url: fc.Arbitrary<string>, body: fc.Arbitrary<Value>): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    url,
    payload: fc.oneof({ weight: 9, arbitrary: body.map(serialize) }, { weight: 1, arbitrary: rawPayload }),
    contentType: fc.oneof(
      { weight: 17, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    ),
    headers: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: oddHeaders }),
  }).map((r) => ({ method, ...r }));
}

const projectInPath = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...SEEDED) },
  { weight: 1, arbitrary: fc.constantFrom('NOPE-1', 'a%20b', '%E2%9C%93', '..', '-x', 'FZ-1%00', 'x'.repeat(65)) },
);
const regionInPath = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...REGIONS) },
  { weight: 2, arbitrary: fc.constantFrom('000000', '999999', '13112', '1311211', '131121-ZZ', '131121001', '%EF%BC%91%EF%BC%93', 'abcdef') },
);
const yearInPath = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('2025', '2026', '2024') },
  { weight: 1, arbitrary: fc.constantFrom('1948', '2201', '0x7e9', '2.025e3', '2025.5', '-1', 'abc', '99999999999999999999', '%20', '') },
);

const register = requestOf('POST', fc.constant('/v1/projects'), mangled(registerBody));
const milestone = requestOf('POST', projectInPath.map((p) => `/v1/projects/${p}/milestones`), mangled(milestoneBody));
const targets = requestOf('PUT', fc.tuple(regionInPath, yearInPath).map(([r, y]) => `/v1/regions/${r}/targets/${y}`), mangled(targetsBody));
const batch = requestOf('POST', fc.constant('/v1/batches'), mangled(batchBody));

// ---------------------------------------------------------------------------------------------
// The oracle.

/**
 * Events a command appends beside its own stream's: an Idempotency-Key's record, and a batch's
 * per-project membership claims (commands/batch/schedule-batch.ts). An answer's `events` name
 * the command's own events; the bookkeeping is checked on its own.
 */
const isIdempotency = (e: RecordedEvent) => e.streamId.startsWith(IDEMPOTENCY_STREAM_PREFIX);
const isMembership = (e: RecordedEvent) => e.streamId.startsWith(MEMBERSHIP_STREAM_PREFIX);

function describe(request: FuzzRequest, status: number, body: string): string {
  const payload = typeof request.payload === 'string' ? request.payload : `<${request.payload.length} bytes>`;
  return `${request.method} ${request.url} [${String(request.contentType)}] ${JSON.stringify(request.headers).slice(0, 300)} ${payload.slice(0, 300)}\n→ ${status} ${body.slice(0, 500)}`;
}

function fail(message: string, request: FuzzRequest, status: number, body: string): never {
  throw new Error(`${message}\n${describe(request, status, body)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function send(app: ZodApp, store: EventStore, request: FuzzRequest): Promise<number> {
  const before = await store.headPosition();
  const headers: Record<string, string | string[]> = { ...request.headers };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const answer = await app.inject({ method: request.method, url: request.url, payload: request.payload, headers });
  const status = answer.statusCode;
  const after = await store.headPosition();
  const appended = after === before ? [] : await store.readAll({ fromPosition: before + 1 });
  const domain = appended.filter((e) => !isIdempotency(e) && !isMembership(e));
  const key = request.headers['idempotency-key'];
  const keyed = typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key);

  if (status >= 500) fail('a 5xx', request, status, answer.body);
  let json: unknown;
  try {
    json = answer.json();
  } catch {
    fail('the answer is not JSON', request, status, answer.body);
  }
  if (!isRecord(json)) fail('the answer is not a JSON object', request, status, answer.body);

  if (status >= 200 && status < 300) {
    const { revision, position, events } = json;
    if (!Number.isInteger(revision) || !Number.isInteger(position)) fail('a success without an integer revision and position', request, status, answer.body);
    if (!Array.isArray(events) || !events.every((e) => typeof e === 'string')) fail('a success without its events', request, status, answer.body);
    if (answer.headers['etag'] !== `"${String(revision)}"`) fail('the ETag is not the revision', request, status, answer.body);
    const replayed = answer.headers['idempotent-replayed'] === 'true';
    const types = replayed ? [] : events;
    if (JSON.stringify(domain.map((e) => e.type)) !== JSON.stringify(types)) {
      fail(`the answer's events are not the events appended (${domain.map((e) => e.type).join(', ')})`, request, status, answer.body);
    }
    const last = domain.at(-1);
    if (!replayed && last !== undefined && last.position !== position) fail('position is not the last appended event\'s', request, status, answer.body);
    return status;
  }

  if (!/^application\/problem\+json/.test(String(answer.headers['content-type']))) fail('a refusal that is not problem+json', request, status, answer.body);
  const { type, title, detail, code, rule } = json;
  if (typeof type !== 'string' || typeof title !== 'string' || typeof detail !== 'string' || json['status'] !== status) {
    fail('a problem without type, title, detail or its status', request, status, answer.body);
  }
  if (typeof code !== 'string' || !ERROR_CODES.includes(code)) fail('a problem without a registered code', request, status, answer.body);
  if (code === 'PIPELINE_RULE_BROKEN' && !(typeof rule === 'string' && RULE_NAMES.some((name) => name === rule))) {
    fail('a broken rule that names no registered rule', request, status, answer.body);
  }
  const written = appended.filter((e) => !isIdempotency(e));
  if (written.length > 0) fail(`a refusal appended ${written.map((e) => `${e.streamId}:${e.type}`).join(', ')}`, request, status, answer.body);
  if (appended.length > 0 && !keyed) fail('a refusal without an Idempotency-Key appended its bookkeeping', request, status, answer.body);
  return status;
}

// ---------------------------------------------------------------------------------------------

/** Named cases each run is sure to include, besides the generated ones: the valid body, then each field mangled. */
function examples(base: FuzzRequest, fields: ReadonlyArray<readonly [string, Value]>): Array<[FuzzRequest]> {
  const body = JSON.parse(typeof base.payload === 'string' ? base.payload : '{}') as { [key: string]: Plain };
  return [[base], ...fields.map(([field, value]): [FuzzRequest] => [{ ...base, payload: serialize(new Obj([...obj(body).entries.filter(([k]) => k !== field), [field, value]])) }])];
}
const post = (url: string, body: { [key: string]: Plain }, method: 'POST' | 'PUT' = 'POST'): FuzzRequest =>
  ({ method, url, payload: JSON.stringify(body), contentType: 'application/json', headers: {} });

const AMOUNT_CASES: ReadonlyArray<Value> = [1.234, -5, 1e300, new Raw('1e400'), 'NaN', '100', null, 0.001, 100_000_000.01];
const DATE_CASES: ReadonlyArray<Value> = ['2023-02-30', '2023-13-01', '9999-12-31', '0000-00-00', '2025-1-1', '', 20250301, '2025-03-01T00:00:00Z'];

const suite: Array<{ name: string; arbitrary: fc.Arbitrary<FuzzRequest>; examples: Array<[FuzzRequest]> }> = [
  {
    name: 'POST /v1/projects',
    arbitrary: register,
    examples: [
      ...examples(post('/v1/projects', registration('EX-1')), [
        ...AMOUNT_CASES.map((v) => ['plannedInvestment', v] as const),
        ...DATE_CASES.map((v) => ['occurredOn', v] as const),
        ['name', 'a\u0000b'], ['name', HUGE], ['name', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🚀'], ['regionCode', '999999'], ['regionCode', 131121], ['projectId', '../x'],
        ['__proto__', obj({ polluted: true })], ['constructor', new Obj([['prototype', obj({ polluted: true })]])], ['mayor', '某某'],
      ]),
      [{ ...post('/v1/projects', registration('EX-2')), payload: `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}` }],
      [{ ...post('/v1/projects', registration('EX-3')), contentType: 'text/plain' }],
      [{ ...post('/v1/projects', registration('EX-4')), contentType: undefined }],
      [{ ...post('/v1/projects', registration('EX-5')), headers: { 'idempotency-key': 'k'.repeat(129) } }],
      [{ ...post('/v1/projects', registration('EX-6')), headers: { 'idempotency-key': 'a\u0001b' } }],
      [{ ...post('/v1/projects', registration('EX-7')), payload: '{"name": ' }],
      [{ ...post('/v1/projects', registration('EX-8')), payload: `{"name":"${NEARLY_THE_LIMIT}${NEARLY_THE_LIMIT}"}` }],
    ],
  },
  {
    name: 'POST /v1/projects/{id}/milestones',
    arbitrary: milestone,
    examples: [
      ...examples(post('/v1/projects/FZ-5/milestones', { type: 'InvestmentReported', occurredOn: '2025-04-30', period: '2025-04', amount: 3200.1 }), [
        ...AMOUNT_CASES.map((v) => ['amount', v] as const),
        ...DATE_CASES.map((v) => ['occurredOn', v] as const),
        ['period', '2025-13'], ['period', '9999-12'], ['type', 'ProjectRegistered'], ['type', 'Teleported'], ['type', null], ['type', '__proto__'],
        ['__proto__', obj({ polluted: true })], ['reason', 'a\u0000b'],
      ]),
      [{ ...post('/v1/projects/FZ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' }), headers: { 'if-match': 'yesterday' } }],
      [{ ...post('/v1/projects/FZ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' }), headers: { 'if-match': '"99"' } }],
      [{ ...post('/v1/projects/FZ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' }), headers: { 'if-match': '"99"', 'idempotency-key': 'stale-with-a-key' } }],
      [{ ...post('/v1/projects/FZ-2/milestones', { type: 'StatisticsEntered', occurredOn: '2025-02-01', month: '2025-02', plannedInvestment: 600 }), headers: { 'idempotency-key': 'refused-with-a-key' } }],
      [post('/v1/projects/NOPE-1/milestones', { type: 'Started', occurredOn: '2025-03-01' })],
      [post('/v1/projects/FZ-3/milestones', { type: 'DetailsCorrected', occurredOn: '2025-03-01', regionCode: '999999', reason: '迁址' })],
    ],
  },
  {
    name: 'PUT /v1/regions/{code}/targets/{year}',
    arbitrary: targets,
    examples: [
      ...examples(post('/v1/regions/131121/targets/2025', { reserveCount: 100, reserveInvestment: 3_000_000 }, 'PUT'), [
        ...AMOUNT_CASES.map((v) => ['reserveInvestment', v] as const),
        ...DATE_CASES.map((v) => ['occurredOn', v] as const),
        ['reserveCount', 1.5], ['reserveCount', -1], ['speed', 3],
      ]),
      [post('/v1/regions/999999/targets/2025', { reserveCount: 1 }, 'PUT')],
      [post('/v1/regions/131121/targets/1948', { reserveCount: 1 }, 'PUT')],
      [post('/v1/regions/131121/targets/2025', {}, 'PUT')],
    ],
  },
  {
    name: 'POST /v1/batches',
    arbitrary: batch,
    examples: [
      // A stale If-Match first: it must not claim FB-1 for a batch it then fails to schedule.
      [{ ...post('/v1/batches', { batchId: 'EX-STALE', regionCode: '131121', name: '集中开工', occurredOn: '2025-03-01', ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['FB-1'] }), headers: { 'if-match': '"0"' } }],
      ...examples(post('/v1/batches', { batchId: 'EX-B', regionCode: '131121', name: '集中开工', occurredOn: '2025-03-01', ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['FB-1'] }), [
        ...DATE_CASES.map((v) => ['ceremonyOn', v] as const),
        ['mustStartBy', '2025-01-01'], ['projectIds', []], ['projectIds', ['FB-2', 'FB-2']], ['projectIds', ['FZ-5']], ['projectIds', ['NOPE-1']],
        ['projectIds', 'FB-2'], ['projectIds', ['FB-1']], ['projectIds', Array.from({ length: 2001 }, (_, i) => `P-${i}`)], ['regionCode', '410225'],
      ]),
    ],
  },
];

const RUNS_PER_ROUTE = 110;

t.test('whatever is thrown at the command routes: no 5xx, problem+json refusals that append nothing, honest successes', async (t) => {
  const { app, store } = await seededApp();
  t.teardown(async () => { await app.close(); await store.close(); });

  for (const route of suite) {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(route.arbitrary, async (request) => {
        const status = await send(app, store, request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: RUNS_PER_ROUTE, examples: route.examples, endOnFailure: true },
    );
    const seen = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    t.pass(`${route.name}: ${seen}`);
    // The fuzz must reach past validation: some requests succeed and some are refused by a rule.
    t.ok([...statuses.keys()].some((s) => s >= 200 && s < 300), `${route.name}: some requests succeeded`);
    t.ok(statuses.has(400), `${route.name}: some were malformed`);
    t.ok(statuses.has(409), `${route.name}: some reached a domain rule`);
  }

  const probe: Record<string, unknown> = {};
  t.equal(probe['polluted'], undefined, 'no body polluted Object.prototype');
  t.notOk(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'));
});

t.test('a malformed URL is a problem too', async (t) => {
  const { app, store } = await seededApp();
  t.teardown(async () => { await app.close(); await store.close(); });
  for (const url of ['/v1/projects/%E0%A4%A/milestones', `/v1/projects/${'a'.repeat(300)}/milestones`]) {
    const answer = await app.inject({ method: 'POST', url, payload: { type: 'Started', occurredOn: '2025-03-01' } });
    t.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${url.slice(0, 40)}: a client error`);
    t.match(answer.headers['content-type'], /^application\/problem\+json/, `${url.slice(0, 40)}: problem+json`);
    t.match(answer.json(), { status: answer.statusCode, code: /^PIPELINE_/ });
  }
});
