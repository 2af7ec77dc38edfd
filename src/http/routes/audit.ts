/**
 * The auditors' reads (API.md, "Queries"; auditor and admin):
 * - GET /v1/audit/events: the global log in order, paged by position, filtered by type and by
 *   region. A key's secret hash (KeyIssued) is never shown.
 * - GET /v1/audit/verify: each stream's hash chain (commands/hash-chain.ts) checked over the
 *   events as stored, never upcasted; one project, or every project stream in one pass over
 *   the log.
 * An auditor reads everything; an admin reads within its regions like any key, so an admin
 * of a city sees the events of its city only.
 */
import { z } from 'zod';
import { chainHash, GENESIS_HASH, verifyChain } from '../../../commands/hash-chain.js';
import type { Actor } from '../../../commands/metadata.js';
import { PROJECT_EVENT_TYPES, PROJECT_STREAM_PREFIX, projectId, projectStreamId } from '../../../commands/project/events.js';
import { amountToWan } from '../../../commands/shared/money.js';
import { COUNTRY, regionCode, type RegionCode } from '../../../commands/shared/region-code.js';
import { COUNT_MEASURES, TARGET_MEASURES } from '../../../commands/targets/events.js';
import type { ReadModelSource } from '../../../projections/runner/read-models.js';
import type { LedgerState } from '../../../projections/project-ledger/projection.js';
import type { EventStore, JsonObject, RecordedEvent } from '../../event-store/port.js';
import { anyCovers } from '../../regions/coverage.js';
import { assertCovers, covers, requireRole } from '../auth/index.js';
import type { ZodApp } from '../zod-app.js';
import { dataInWan } from './project-bodies.js';

export interface AuditRoutesOptions {
  readonly store: EventStore;
}

/** Events read from the store per page while scanning. */
const SCAN_PAGE = 1000;
/** Events one /audit/events answer may scan for matches before it answers with what it found. */
const SCAN_BUDGET = 50_000;
/** How long a region-filtered page waits for the ledger to know the projects it shows. */
const LEDGER_WAIT_MS = 2_000;
/** Events read per page by a verification of every stream. */
const VERIFY_PAGE = 4096;

const PROJECT_TYPES: ReadonlySet<string> = new Set<string>(PROJECT_EVENT_TYPES);
const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = { KeyIssued: ['secretHash'] };

const eventsQuery = z.object({
  fromPosition: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0)
    .meta({ description: 'The first global position to include (a previous page\'s nextPosition)' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'Events per page, at most 1,000' }),
  regionCode: regionCode().optional()
    .meta({ description: 'Only events about this region and its children: project events by the project\'s region, targets and batches by theirs. Key events belong to no region.' }),
  type: z.string().regex(/^[A-Za-z]{1,64}(,[A-Za-z]{1,64}){0,31}$/, { message: 'event types, comma-separated' }).optional()
    .meta({ description: 'Only events of this type (or of these comma-separated types)', example: 'ProjectSigned' }),
});

const auditEvent = z.object({
  streamId: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()).meta({ description: 'As stored, amounts shown in 万元' }),
  metadata: z.record(z.string(), z.unknown()).meta({ description: 'actor, correlationId, causationId, schemaVersion, prevHash, hash, flags' }),
  recordedAt: z.string(),
  redacted: z.array(z.string()).optional().meta({ description: 'Fields left out of data: a key\'s secret hash is never shown' }),
});

const eventsAnswer = z.object({
  events: z.array(auditEvent),
  nextPosition: z.number().int().nullable()
    .meta({ description: 'The position of the first event not shown: pass it as fromPosition for the next page. Null when the page reached the end of the log; to follow it later, ask again from the last position seen and skip that event' }),
  headPosition: z.number().int().meta({ description: 'The last position in the log when the page was read' }),
});

const verifyAnswer = z.object({
  streams: z.number().int(),
  intact: z.number().int(),
  broken: z.array(z.object({ streamId: z.string(), firstBrokenRevision: z.number().int() })),
  events: z.number().int().meta({ description: 'Events checked' }),
  throughPosition: z.number().int().meta({ description: 'The log was checked up to this global position' }),
});

type AuditEvent = z.output<typeof auditEvent>;
type Verification = z.output<typeof verifyAnswer>;

export async function auditRoutes(app: ZodApp, options: AuditRoutesOptions): Promise<void> {
  const { store } = options;
  const ledger = app.readModels.runners['project-ledger'];

  app.get('/audit/events', {
    preHandler: requireRole('auditor', 'admin'),
    schema: {
      tags: ['audit'],
      summary: 'The global log in order, paged by position, filtered by type and region',
      querystring: eventsQuery,
      response: { 200: eventsAnswer },
    },
  }, async (request) => {
    const { fromPosition, limit, type } = request.query;
    const scope = readScope(request.actor, request.query.regionCode, app);
    const headPosition = await store.headPosition();
    const page = await scanLog(store, {
      fromPosition, limit,
      ...(type === undefined ? {} : { types: type.split(',') }),
      ...(scope === undefined ? {} : { matches: inScope(ledger, scope) }),
    });
    return { events: page.events.map(shownEvent), nextPosition: page.nextPosition, headPosition };
  });

  app.get('/audit/verify', {
    preHandler: requireRole('auditor', 'admin'),
    schema: {
      tags: ['audit'],
      summary: 'Whether each stream\'s hash chain is intact, and the first broken revision',
      description: 'With projectId: that project\'s stream. Without: every project stream, in one pass over the log.',
      querystring: z.object({ projectId: projectId().optional() }),
      response: { 200: verifyAnswer },
    },
  }, async (request) => {
    const { projectId: id } = request.query;
    if (id !== undefined) return verifyProject(store, request.actor, id);
    const scope = covers(request.actor, COUNTRY, 'read') ? undefined : request.actor.regions;
    return verifyAllProjects(store, scope === undefined ? undefined : projectFilter(ledger, scope));
  });
}

/** The regions a page is limited to: the one asked for, else the key's own (none for the whole country). */
function readScope(actor: Actor, code: RegionCode | undefined, app: ZodApp): readonly RegionCode[] | undefined {
  if (code !== undefined) {
    app.regions.assertKnown(code);
    assertCovers(actor, code, 'read');
    return code === COUNTRY ? undefined : [code];
  }
  return covers(actor, COUNTRY, 'read') ? undefined : actor.regions;
}

type Matcher = (events: readonly RecordedEvent[]) => Promise<(event: RecordedEvent) => boolean>;

/** A matcher of the events about `scope`; it first lets the ledger reach the page it judges. */
function inScope(ledger: ReadModelSource<LedgerState>, scope: readonly RegionCode[]): Matcher {
  return async (events) => {
    const last = events.at(-1);
    if (last !== undefined) await ledger.waitFor(last.position, LEDGER_WAIT_MS);
    return (event) => {
      const region = regionOfEvent(event, (id) => ledger.state.projects[id]?.regionCode);
      return region !== undefined && anyCovers(scope, region);
    };
  };
}

/** The region an event is about, if any: a project's current region, a targets', a batch's. */
export function regionOfEvent(event: RecordedEvent, regionOfProject: (projectId: string) => RegionCode | undefined): RegionCode | undefined {
  const { data } = event;
  const text = (field: string) => (typeof data[field] === 'string' ? data[field] : undefined);
  if (PROJECT_TYPES.has(event.type)) {
    const id = text('projectId');
    return (id === undefined ? undefined : regionOfProject(id)) ?? text('regionCode');
  }
  switch (event.type) {
    case 'AnnualTargetsSet':
    case 'GroundbreakingBatchScheduled': return text('regionCode');
    case 'CustomRegionRegistered': return text('code');
    default: return undefined;
  }
}

interface ScanOptions {
  readonly fromPosition: number;
  readonly limit: number;
  readonly types?: readonly string[];
  readonly matches?: Matcher;
}

/**
 * Up to `limit` matching events from `fromPosition`, scanning at most SCAN_BUDGET events: a
 * rare match answers a short page with the position to go on from, never a long request.
 * The next position is always one the store gave (the first event not shown): KurrentDB's
 * positions are log offsets, where position + 1 is not a readable position.
 */
async function scanLog(store: EventStore, options: ScanOptions): Promise<{ events: RecordedEvent[]; nextPosition: number | null }> {
  const found: RecordedEvent[] = [];
  const pageSize = (options.matches === undefined ? options.limit : SCAN_PAGE) + 1;
  const filter = options.types === undefined ? {} : { filter: { eventTypes: options.types } };
  let from = options.fromPosition;
  let after = -1; // the page reads `from` again: skip what was already scanned
  let scanned = 0;
  for (;;) {
    const page = await store.readAll({ ...(from > 0 ? { fromPosition: from } : {}), maxCount: pageSize, ...filter });
    const fresh = page.filter((event) => event.position > after);
    const matches = options.matches === undefined ? () => true : await options.matches(fresh);
    for (const event of fresh) {
      if (found.length === options.limit || scanned === SCAN_BUDGET) return { events: found, nextPosition: event.position };
      scanned += 1;
      if (matches(event)) found.push(event);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return { events: found, nextPosition: null };
    from = last.position;
    after = last.position;
  }
}

/** An event as the audit log shows it: amounts in 万元, secrets left out. */
function shownEvent(event: RecordedEvent): AuditEvent {
  const hidden = SECRET_FIELDS[event.type] ?? [];
  const data: JsonObject = { ...shownData(event.type, event.data) };
  const redacted = hidden.filter((field) => field in data);
  for (const field of redacted) delete data[field];
  return {
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    type: event.type,
    data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    ...(redacted.length > 0 ? { redacted } : {}),
  };
}

function shownData(type: string, data: JsonObject): JsonObject {
  if (type !== 'AnnualTargetsSet') return dataInWan(type, data);
  const targets = data['targets'];
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) return data;
  const shown: JsonObject = { ...targets };
  for (const measure of TARGET_MEASURES) {
    const value = targets[measure];
    if (typeof value === 'number' && !COUNT_MEASURES.has(measure)) shown[measure] = amountToWan(value);
  }
  return { ...data, targets: shown };
}

async function verifyProject(store: EventStore, actor: Actor, id: string): Promise<Verification> {
  const events = await store.readStream(projectStreamId(id)); // StreamNotFound: 404
  const region = events.reduce<RegionCode | undefined>((code, e) => (typeof e.data['regionCode'] === 'string' ? e.data['regionCode'] : code), undefined);
  // A stream with no region in it (forged, never registered) is for keys over the whole country.
  assertCovers(actor, region ?? COUNTRY, 'read');
  const outcome = verifyChain(events);
  const streamId = projectStreamId(id);
  return {
    streams: 1,
    intact: outcome.intact ? 1 : 0,
    broken: outcome.firstBrokenRevision === undefined ? [] : [{ streamId, firstBrokenRevision: outcome.firstBrokenRevision }],
    events: events.length,
    throughPosition: events.at(-1)?.position ?? 0,
  };
}

/** The project streams a key reads: by the project's region in the ledger. */
function projectFilter(ledger: ReadModelSource<LedgerState>, scope: readonly RegionCode[]): (streamId: string) => boolean {
  return (streamId) => {
    const region = ledger.state.projects[streamId.slice(PROJECT_STREAM_PREFIX.length)]?.regionCode;
    return region !== undefined && anyCovers(scope, region);
  };
}

/** Where one stream's chain stands in a pass over the log. */
interface ChainWalk {
  /** Events of the stream seen: the revision the next one must have. */
  seen: number;
  previousHash: string;
  firstBrokenRevision?: number;
}

/**
 * Every project stream's chain in one forward pass over the log, up to the head when it began:
 * the same checks as verifyChain, one event at a time, holding per stream only where its chain
 * stands (never the events).
 */
async function verifyAllProjects(store: EventStore, include?: (streamId: string) => boolean): Promise<Verification> {
  const head = await store.headPosition();
  const walks = new Map<string, ChainWalk>();
  let from = 0;
  let after = -1; // each page reads its first position again (see scanLog)
  let checked = 0;
  for (;;) {
    const page = await store.readAll({ ...(from > 0 ? { fromPosition: from } : {}), maxCount: VERIFY_PAGE, filter: { streamPrefixes: [PROJECT_STREAM_PREFIX] } });
    for (const event of page) {
      if (event.position <= after) continue;
      if (event.position > head) break;
      if (include !== undefined && !include(event.streamId)) continue;
      checked += 1;
      step(walks, event);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < VERIFY_PAGE || last.position >= head) break;
    from = last.position;
    after = last.position;
    await new Promise((resolve) => setImmediate(resolve)); // other requests go on meanwhile
  }
  const broken = [...walks].flatMap(([streamId, walk]) =>
    walk.firstBrokenRevision === undefined ? [] : [{ streamId, firstBrokenRevision: walk.firstBrokenRevision }]);
  return { streams: walks.size, intact: walks.size - broken.length, broken, events: checked, throughPosition: head };
}

function step(walks: Map<string, ChainWalk>, event: RecordedEvent): void {
  let walk = walks.get(event.streamId);
  if (walk === undefined) {
    walk = { seen: 0, previousHash: GENESIS_HASH };
    walks.set(event.streamId, walk);
  }
  if (walk.firstBrokenRevision !== undefined) return; // past a break nothing can be verified
  const hash = event.metadata['hash'];
  const holds = event.revision === walk.seen && event.metadata['prevHash'] === walk.previousHash &&
    typeof hash === 'string' && hash === chainHash(walk.previousHash, event);
  if (holds) walk.previousHash = hash;
  else walk.firstBrokenRevision = walk.seen;
  walk.seen += 1;
}
