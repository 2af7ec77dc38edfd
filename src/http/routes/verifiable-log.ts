/**
 * The verifiable log (API.md, "The verifiable log"): the verifier key, the newest signed
 * checkpoint, inclusion and consistency proofs, the leaves themselves (the offline auditor's
 * --full), and the audit package of a region's events with their proofs.
 *
 * A leaf is the event as recorded, key issuances' secret hashes included: the leaves of the
 * whole log are for keys over the whole country; a regional key gets the leaves of the events
 * of its regions only.
 */
import { z } from 'zod';
import type { Actor } from '../../../commands/metadata.js';
import { COUNTRY, regionCode, type RegionCode } from '../../../commands/shared/region-code.js';
import type { EventStore, RecordedEvent } from '../../event-store/port.js';
import { leafBytes } from '../../log-tree/leaf.js';
import type { LogTree } from '../../log-tree/log-tree.js';
import { anyCovers } from '../../regions/coverage.js';
import { covers, requireRole } from '../auth/index.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import { auditPackageSchema, buildAuditPackage } from './audit-package.js';
import { regionOfRecordedEvent } from './event-regions.js';
import { isoInstant } from '../params.js';

export interface VerifiableLogRoutesOptions {
  /** The store as recorded. */
  readonly store: EventStore;
  readonly logTree: LogTree;
}

const count = (description: string) => z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ description });
const base64Hashes = z.array(z.string()).meta({ description: 'Base64 SHA-256 hashes, RFC 6962 order' });

const inclusionQuery = z.object({
  index: count('The leaf: the index of the event in the log, from 0 (an event\'s leafIndex)'),
  size: count('The tree size to prove against (a checkpoint\'s); the newest checkpoint\'s when absent').optional(),
});
const inclusionAnswer = z.object({
  index: z.number().int(),
  size: z.number().int(),
  leaf: z.string().meta({ description: 'Base64 of the leaf\'s exact bytes: canonical JSON of the event as recorded' }),
  proof: base64Hashes,
});
const consistencyQuery = z.object({
  from: count('The smaller tree size (an older checkpoint\'s)'),
  to: count('The larger tree size; the newest checkpoint\'s when absent').optional(),
});
const consistencyAnswer = z.object({ from: z.number().int(), to: z.number().int(), proof: base64Hashes });
const leavesQuery = z.object({
  from: count('The first leaf').default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000).meta({ description: 'Leaves per page, at most 10,000' }),
  size: count('Stop at this tree size (the checkpoint being checked); the newest checkpoint\'s when absent').optional(),
  after: count('The previous page\'s `after`: go on right after the last event it served').optional(),
});
const leavesAnswer = z.object({
  from: z.number().int(),
  size: z.number().int(),
  leaves: z.array(z.string()).meta({ description: 'Base64 of each leaf\'s bytes, in order from `from`' }),
  next: z.number().int().nullable().meta({ description: 'The next page\'s `from`, null at `size` or at the end of the log' }),
  after: z.number().int().nullable().meta({ description: 'Pass it as the next page\'s `after`: the position of the last event served' }),
});
const exportQuery = z.object({
  regionCode: regionCode(),
  from: isoInstant().optional().meta({ description: 'First record time included (ISO 8601)' }),
  to: isoInstant().optional().meta({ description: 'Last record time included (ISO 8601)' }),
});

/** How long a proof request waits for the tree to take in the newest events. */
const TREE_WAIT_MS = 2_000;

export async function verifiableLogRoutes(app: ZodApp, options: VerifiableLogRoutesOptions): Promise<void> {
  const { store, logTree } = options;

  app.get('/audit/verifier-key', {
    config: { public: true },
    schema: {
      tags: ['audit'],
      summary: 'The log\'s verifier key (signed-note form), to pin once and check every checkpoint with',
      security: [],
      response: { 200: z.string() },
    },
  }, async (_request, reply) => reply.type('text/plain; charset=utf-8').send(`${logTree.verifierKey}\n`));

  app.get('/audit/checkpoint', {
    preHandler: requireRole('auditor', 'admin'),
    schema: {
      tags: ['audit'],
      summary: 'The newest signed checkpoint of the log\'s tree (C2SP tlog-checkpoint signed note)',
      response: { 200: z.string() },
    },
  }, async (_request, reply) => {
    // The tree follows the log within moments: answer with every event committed so far.
    await logTree.waitFor(await store.headPosition(), TREE_WAIT_MS);
    const checkpoint = logTree.freshCheckpoint();
    reply.header('x-tree-size', String(checkpoint.size));
    return reply.type('text/plain; charset=utf-8').send(checkpoint.note);
  });

  app.get('/audit/proofs/inclusion', {
    preHandler: requireRole('auditor', 'admin'),
    // A size past the newest checkpoint, or a leaf no longer in the log.
    config: { answers: ['NotFound'] },
    schema: {
      tags: ['audit'],
      summary: 'The RFC 6962 audit path of one leaf in a tree of the given size, and the leaf\'s bytes',
      querystring: inclusionQuery,
      response: { 200: inclusionAnswer },
    },
  }, async (request) => {
    const size = treeSize(logTree, request.query.size);
    const { index } = request.query;
    if (index >= size) throw new errors.Malformed(`leaf ${index} is not in a tree of ${size} leaves`);
    const event = await eventOfLeaf(store, logTree, index);
    await assertMayRead(request.actor, store, event);
    const proof = logTree.inclusionProof(index, size).map(base64);
    return { index, size, leaf: leafBytes(event).toString('base64'), proof };
  });

  app.get('/audit/proofs/consistency', {
    preHandler: requireRole('auditor', 'admin'),
    // A size past the newest checkpoint, or a leaf no longer in the log.
    config: { answers: ['NotFound'] },
    schema: {
      tags: ['audit'],
      summary: 'The RFC 6962 consistency proof that the tree of `from` leaves is a prefix of the tree of `to`',
      querystring: consistencyQuery,
      response: { 200: consistencyAnswer },
    },
  }, async (request) => {
    const to = treeSize(logTree, request.query.to);
    const { from } = request.query;
    if (from > to) throw new errors.Malformed(`from (${from}) is past to (${to})`);
    return { from, to, proof: logTree.consistencyProof(from, to).map(base64) };
  });

  app.get('/audit/leaves', {
    preHandler: requireRole('auditor', 'admin'),
    // A size past the newest checkpoint, or a leaf no longer in the log.
    config: { answers: ['NotFound'] },
    schema: {
      tags: ['audit'],
      summary: 'The leaves themselves, in order: with them an auditor rebuilds the root of a checkpoint',
      description: 'For keys covering the whole country (000000): a leaf is an event as recorded.',
      querystring: leavesQuery,
      response: { 200: leavesAnswer },
    },
  }, async (request) => {
    assertCountryWide(request.actor, 'the log\'s leaves');
    const size = treeSize(logTree, request.query.size);
    const { from, limit } = request.query;
    if (from > size) throw new errors.Malformed(`leaf ${from} is past the tree of ${size} leaves`);
    const events = await eventsFrom(store, logTree, from, request.query.after, Math.min(limit, size - from));
    const next = from + events.length;
    return {
      from,
      size,
      leaves: events.map((event) => leafBytes(event).toString('base64')),
      next: next >= size || events.length === 0 ? null : next,
      after: events.at(-1)?.position ?? null,
    };
  });

  app.get('/audit/export', {
    preHandler: requireRole('auditor', 'admin'),
    schema: {
      tags: ['audit'],
      summary: 'An audit package: a region\'s events in a record-time range with their leaves and inclusion proofs, and the checkpoint they are proven against',
      description: 'One JSON file that `npm run audit -- verify-package <file>` checks with no server: the signed checkpoint against the pinned verifier key, each leaf against the checkpoint\'s root.',
      querystring: exportQuery,
      response: { 200: auditPackageSchema },
    },
    // Up to 100,000 entries: documented by the schema, written as built (checking each entry
    // against it would only cost time; buildAuditPackage's type is the schema's, see audit-package.ts).
    serializerCompiler: () => (data) => JSON.stringify(data),
  }, async (request, reply) => {
    const { regionCode: code, from, to } = request.query;
    app.regions.assertKnown(code);
    if (!covers(request.actor, code, 'read')) throw new errors.Forbidden(`key ${request.actor.keyId} covers ${request.actor.regions.join(', ')}, not region ${code}`);
    if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) throw new errors.Malformed('from is after to');
    const head = await store.headPosition();
    if (!await logTree.waitFor(head, TREE_WAIT_MS)) throw new errors.NotReady('the log\'s tree is still taking in the newest events; retry shortly');
    const built = await buildAuditPackage(store, logTree, {
      regionCode: code,
      ...(from === undefined ? {} : { from: new Date(from).toISOString() }),
      ...(to === undefined ? {} : { to: new Date(to).toISOString() }),
    });
    reply.header('content-disposition', `attachment; filename="audit-${code}.json"`);
    return built;
  });
}

function base64(hash: Buffer): string {
  return hash.toString('base64');
}

/** The tree size asked for, or the newest checkpoint's (signed now if the tree grew); never past what has been signed. */
function treeSize(logTree: LogTree, asked: number | undefined): number {
  if (asked === undefined) return logTree.freshCheckpoint().size;
  const signed = logTree.checkpoint().size;
  if (asked > signed) throw new errors.NotFound(`the newest checkpoint is of ${signed} leaves, not ${asked}: fetch /v1/audit/checkpoint again`);
  return asked;
}

/** The event of leaf `index`, from the log at the position the tree recorded. */
async function eventOfLeaf(store: EventStore, logTree: LogTree, index: number): Promise<RecordedEvent> {
  const position = logTree.tree.positionOf(index);
  const [event] = position === undefined ? [] : await store.readAll({ fromPosition: position, maxCount: 1 });
  if (event === undefined || event.position !== position) {
    throw new errors.NotFound(`leaf ${index} (position ${String(position)}) is no longer in the log: run GET /v1/audit/verify`);
  }
  return event;
}

/**
 * Up to `count` events of the log in order: leaf i is the log's i-th event, whatever the tree
 * says, so that a root rebuilt from them is the root of the log as it is. The first page starts
 * at the tree's position of `from`; the next ones right after the last event served.
 */
async function eventsFrom(store: EventStore, logTree: LogTree, from: number, after: number | undefined, count: number): Promise<RecordedEvent[]> {
  if (count <= 0) return [];
  if (after !== undefined) {
    const page = await store.readAll({ fromPosition: after, maxCount: count + 1 });
    return page.filter((event) => event.position > after).slice(0, count);
  }
  const position = from === 0 ? undefined : logTree.tree.positionOf(from);
  if (from > 0 && position === undefined) throw new errors.NotFound(`the tree has no leaf ${from}`);
  return store.readAll({ ...(position === undefined ? {} : { fromPosition: position }), maxCount: count });
}

function assertCountryWide(actor: Actor, what: string): void {
  if (!anyCovers(actor.regions, COUNTRY)) {
    throw new errors.Forbidden(`${what} are for keys covering the whole country (000000); key ${actor.keyId} covers ${actor.regions.join(', ')}`);
  }
}

/** A regional key reads the leaves of its regions' events only (never a key's or an idempotency record's). */
async function assertMayRead(actor: Actor, store: EventStore, event: RecordedEvent): Promise<void> {
  if (anyCovers(actor.regions, COUNTRY)) return;
  const region: RegionCode | undefined = await regionOfRecordedEvent(store, event);
  if (region === undefined || !anyCovers(actor.regions, region)) {
    throw new errors.Forbidden(`the event at leaf ${event.streamId}@${event.revision} is not in the regions of key ${actor.keyId}`);
  }
}
