/**
 * The auditors' reads (API.md, "Queries"; auditor and admin):
 * - GET /v1/audit/events: the global log in order, paged by position, filtered by type and by
 *   region. A key's secret hash (KeyIssued) is never shown.
 * - GET /v1/audit/verify: the whole log against its Merkle tree and every stream of every kind
 *   (src/log-tree/log-verification.ts), over the events as stored, never upcasted, in slices
 *   that let commands through; or one project's stream.
 * Every event shown carries its leafIndex in the log's tree (src/log-tree).
 * Auditors and admins read within their keys' regions (API.md): a county's auditor sees its
 * county's events only; events about no region (key issues and revocations, idempotency
 * records) only keys covering 000000 see.
 */
import { z } from 'zod';
import { verifyChain } from '../../../commands/hash-chain.js';
import type { Actor } from '../../../commands/metadata.js';
import { PROJECT_EVENT_TYPES, PROJECT_STREAM_PREFIX, projectId, projectStreamId } from '../../../commands/project/events.js';
import { amountToWan } from '../../../commands/shared/money.js';
import { COUNTRY, regionCode, type RegionCode } from '../../../commands/shared/region-code.js';
import { COUNT_MEASURES, TARGET_MEASURES } from '../../../commands/targets/events.js';
import type { ReadModelSource } from '../../../projections/runner/read-models.js';
import type { LedgerState } from '../../../projections/project-ledger/projection.js';
import type { EventStore, JsonObject, RecordedEvent } from '../../event-store/port.js';
import { eventLeafHash } from '../../log-tree/leaf.js';
import { LogVerification, type VerificationReport } from '../../log-tree/log-verification.js';
import type { LogTree } from '../../log-tree/log-tree.js';
import { IDEMPOTENCY_STREAM_PREFIX } from '../idempotency.js';
import { anyCovers } from '../../regions/coverage.js';
import { assertCovers, covers, requireRole } from '../auth/index.js';
import type { ZodApp } from '../zod-app.js';
import { dataInWan } from './project-bodies.js';

export interface AuditRoutesOptions {
  /** The store as recorded (not upcasting): the audit log shows what was written. */
  readonly store: EventStore;
  readonly logTree: LogTree;
}

/** Events read from the store per page while scanning. */
const SCAN_PAGE = 1000;
/** Events one /audit/events answer may scan for matches before it answers with what it found:
 * 20 slices of SCAN_PAGE, each a turn of the event loop; the answer says where to go on from. */
const SCAN_BUDGET = 20_000;
/** How long a region-filtered page waits for the ledger to know the projects it shows. */
const LEDGER_WAIT_MS = 2_000;
/** Events verified per slice: a few ms of hashing between turns of the event loop. */
const VERIFY_SLICE = 256;
/** How long a page of the audit log waits for the tree to take in its events. */
const TREE_WAIT_MS = 2_000;

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
  leafIndex: z.number().int().nullable().meta({ description: 'The event\'s leaf in the log\'s tree (GET /v1/audit/proofs/inclusion?index=); null only for an event the tree has not taken in yet' }),
  redacted: z.array(z.string()).optional().meta({ description: 'Fields left out of data: a key\'s secret hash is never shown' }),
});

const eventsAnswer = z.object({
  events: z.array(auditEvent),
  nextPosition: z.number().int().nullable()
    .meta({ description: 'The position of the first event not shown: pass it as fromPosition for the next page. Null when the page reached the end of the log; to follow it later, ask again from the last position seen and skip that event' }),
  headPosition: z.number().int().meta({ description: 'The last position in the log when the page was read' }),
});

const leafFinding = z.object({
  kind: z.enum(['altered', 'reordered', 'missing', 'inserted']).meta({ description: 'altered: the event is not what its leaf recorded; reordered: it holds what another leaf recorded; missing: the leaf\'s event is gone (a gap); inserted: an event the tree never recorded' }),
  leafIndex: z.number().int().nullable(),
  position: z.number().int(),
  streamId: z.string().nullable(),
  revision: z.number().int().nullable(),
  recordedAsLeaf: z.number().int().optional(),
});

const verifyAnswer = z.object({
  ok: z.boolean().meta({ description: 'Every leaf, every stream and the root hold' }),
  streams: z.number().int().meta({ description: 'Streams checked (of every kind the key may see)' }),
  intact: z.number().int(),
  broken: z.array(z.object({ streamId: z.string(), firstBrokenRevision: z.number().int(), why: z.string().optional() })),
  events: z.number().int().meta({ description: 'Events checked' }),
  throughPosition: z.number().int().meta({ description: 'The log was checked up to this global position' }),
  tree: z.object({
    size: z.number().int().meta({ description: 'The leaves checked: the newest checkpoint\'s tree size' }),
    checkpointRoot: z.string(),
    logRoot: z.string().nullable().meta({ description: 'The root rebuilt from the log\'s first `size` events as stored' }),
    rootMatches: z.boolean(),
    firstMismatch: leafFinding.nullable().meta({ description: 'The first leaf that no longer matches the log' }),
    mismatches: z.number().int(),
    findings: z.array(leafFinding).meta({ description: 'The first 100 findings, in log order' }),
    gaps: z.number().int(),
    reordered: z.number().int(),
    inserted: z.number().int(),
  }).optional(),
});

type AuditEvent = z.output<typeof auditEvent>;
type Verification = z.output<typeof verifyAnswer>;

export async function auditRoutes(app: ZodApp, options: AuditRoutesOptions): Promise<void> {
  const { store, logTree } = options;
  const verifications = new SlicedVerifications(store, logTree);
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
    const last = page.events.at(-1);
    if (last !== undefined) await logTree.waitFor(last.position, TREE_WAIT_MS);
    return { events: page.events.map((event) => shownEvent(event, logTree.leafIndexOf(event.position) ?? null)), nextPosition: page.nextPosition, headPosition };
  });

  app.get('/audit/verify', {
    preHandler: requireRole('auditor', 'admin'),
    schema: {
      tags: ['audit'],
      summary: 'The log against its tree and every stream of every kind: the first leaf that no longer matches, each broken stream\'s first broken revision, gaps and reorders',
      description: 'With projectId: that project\'s stream, against its leaves. Without: the whole log in one pass, in slices that let commands through (a key over part of the country sees its own streams named).',
      querystring: z.object({ projectId: projectId().optional() }),
      response: { 200: verifyAnswer },
    },
  }, async (request) => {
    const { projectId: id } = request.query;
    if (id !== undefined) return verifyProject(store, logTree, request.actor, id);
    const scope = covers(request.actor, COUNTRY, 'read') ? undefined : request.actor.regions;
    return verifications.run(scope, scope === undefined ? undefined : streamFilter(ledger, scope));
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
 * Up to `limit` matching events from `fromPosition`, scanning at most SCAN_BUDGET events a
 * slice of SCAN_PAGE per turn of the event loop: a rare match (or none) answers a short page
 * with the position to go on from, never a long request, and commands go through between
 * slices. The types are matched here rather than handed to the store as a filter: a filtered
 * read of the store scans until it has its page, however much of the log that takes, in one
 * synchronous call on the embedded store.
 * The next position is always one the store gave (the first event not shown): KurrentDB's
 * positions are log offsets, where position + 1 is not a readable position.
 */
async function scanLog(store: EventStore, options: ScanOptions): Promise<{ events: RecordedEvent[]; nextPosition: number | null }> {
  const found: RecordedEvent[] = [];
  const types = options.types === undefined ? undefined : new Set(options.types);
  const filtered = types !== undefined || options.matches !== undefined;
  const pageSize = (filtered ? SCAN_PAGE : options.limit) + 1;
  let from = options.fromPosition;
  let after = -1; // the page reads `from` again: skip what was already scanned
  let scanned = 0;
  for (;;) {
    const page = await store.readAll({ ...(from > 0 ? { fromPosition: from } : {}), maxCount: pageSize });
    const fresh = page.filter((event) => event.position > after);
    const ofType = (event: RecordedEvent) => types === undefined || types.has(event.type);
    const matches = options.matches === undefined ? () => true : await options.matches(fresh.filter(ofType));
    for (const event of fresh) {
      if (found.length === options.limit || scanned === SCAN_BUDGET) return { events: found, nextPosition: event.position };
      scanned += 1;
      if (ofType(event) && matches(event)) found.push(event);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return { events: found, nextPosition: null };
    from = last.position;
    after = last.position;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** An event as the audit log shows it: amounts in 万元, secrets left out, its leaf. */
function shownEvent(event: RecordedEvent, leafIndex: number | null): AuditEvent {
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
    leafIndex,
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

async function verifyProject(store: EventStore, logTree: LogTree, actor: Actor, id: string): Promise<Verification> {
  const events = await store.readStream(projectStreamId(id)); // StreamNotFound: 404
  const region = events.reduce<RegionCode | undefined>((code, e) => (typeof e.data['regionCode'] === 'string' ? e.data['regionCode'] : code), undefined);
  // A stream with no region in it (forged, never registered) is for keys over the whole country.
  assertCovers(actor, region ?? COUNTRY, 'read');
  const streamId = projectStreamId(id);
  const chain = verifyChain(events);
  // Each event must also be what its leaf recorded: the chain alone can be recomputed.
  const altered = events.find((event) => {
    const leaf = logTree.leafIndexOf(event.position);
    return leaf !== undefined && !eventLeafHash(event).equals(logTree.tree.leafHash(leaf));
  });
  const firstBroken = Math.min(chain.firstBrokenRevision ?? Number.POSITIVE_INFINITY, altered?.revision ?? Number.POSITIVE_INFINITY);
  const broken = Number.isFinite(firstBroken)
    ? [{ streamId, firstBrokenRevision: firstBroken, why: altered?.revision === firstBroken ? 'the event is not what the log\'s tree recorded' : 'the hash chain breaks there' }]
    : [];
  return {
    ok: broken.length === 0,
    streams: 1,
    intact: broken.length === 0 ? 1 : 0,
    broken,
    events: events.length,
    throughPosition: events.at(-1)?.position ?? 0,
  };
}

/** The streams a regional key sees named: its projects (by the ledger's region), targets, batches, custom regions. */
function streamFilter(ledger: ReadModelSource<LedgerState>, scope: readonly RegionCode[]): (event: RecordedEvent) => boolean {
  return (event) => {
    const region = regionOfEvent(event, (id) => ledger.state.projects[id]?.regionCode);
    return region !== undefined && anyCovers(scope, region);
  };
}

/** Every stream but the idempotency records is hash-chained by the command handler. */
const isChained = (streamId: string): boolean => !streamId.startsWith(IDEMPOTENCY_STREAM_PREFIX);

/**
 * Full verifications, a slice of VERIFY_SLICE events per turn of the event loop: a command
 * waits at most one slice. Requests that arrive while one runs for the same scope share it.
 */
class SlicedVerifications {
  private readonly running = new Map<string, Promise<VerificationReport>>();

  constructor(private readonly store: EventStore, private readonly logTree: LogTree) {}

  run(scope: readonly RegionCode[] | undefined, shows: ((event: RecordedEvent) => boolean) | undefined): Promise<VerificationReport> {
    const key = scope === undefined ? '*' : [...scope].sort().join(',');
    let run = this.running.get(key);
    if (run === undefined) {
      run = this.verify(shows).finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }

  private async verify(shows: ((event: RecordedEvent) => boolean) | undefined): Promise<VerificationReport> {
    const start = await this.store.headPosition();
    await this.logTree.waitFor(start, TREE_WAIT_MS);
    const checkpoint = this.logTree.freshCheckpoint();
    const verification = new LogVerification(this.logTree.tree, checkpoint.size, checkpoint.root, isChained,
      shows === undefined ? undefined : { shows });
    // Through the head when it began, and at least through the checkpoint's last leaf.
    const head = Math.max(start, checkpoint.size === 0 ? 0 : this.logTree.tree.positionOf(checkpoint.size - 1) ?? 0);
    let from: number | undefined;
    let after = -1; // each page reads its first position again (see scanLog)
    for (;;) {
      const page = await this.store.readAll({ ...(from === undefined ? {} : { fromPosition: from }), maxCount: VERIFY_SLICE });
      for (const event of page) {
        if (event.position <= after || event.position > head) continue;
        verification.take(event);
      }
      const last = page.at(-1);
      if (last === undefined || page.length < VERIFY_SLICE || last.position >= head) break;
      from = last.position;
      after = last.position;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return verification.finish();
  }
}
