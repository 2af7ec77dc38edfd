/**
 * What every command route does around its decider (API.md, "Commands"): take `If-Match` as
 * the revision the client decided on, run the command at most once per `Idempotency-Key`,
 * and answer `{ projectId?, revision, position, events }` with `ETag: "<revision>"`.
 *
 * A refusal by a domain rule is the request's final answer too: replaying its key answers the
 * same 409, as a client that retries after a timeout would expect.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { StaleRevision, type CommandContext } from '../../commands/handle-command.js';
import { StreamNotFound } from '../event-store/errors.js';
import { DomainRuleBroken } from '../../commands/decider.js';
import type { Actor } from '../../commands/metadata.js';
import type { EventStore, JsonObject, RecordedEvent } from '../event-store/port.js';
import { errors } from './errors.js';
import { IDEMPOTENCY_KEY_PATTERN, fingerprintOf, runIdempotently, type Answer } from './idempotency.js';
import { PROBLEM_CONTENT_TYPE, ruleProblem } from './problem-details.js';

export interface CommandOutcome {
  readonly revision: number;
  readonly position: number;
  readonly events: readonly string[];
}

export interface CommandRequest {
  readonly store: EventStore;
  readonly actor: Actor;
  /** The stream the command appends to. */
  readonly streamId: string;
  readonly successStatus: 200 | 201;
  /** Extra fields of the answer (`projectId`). */
  readonly answerFields?: JsonObject;
  /** `Location` of what a 201 created. */
  readonly location?: string;
  readonly execute: (context: CommandContext) => Promise<CommandOutcome>;
}

export async function runCommandRequest(request: FastifyRequest, reply: FastifyReply, command: CommandRequest): Promise<FastifyReply> {
  const expectedRevision = ifMatchOf(request.headers['if-match']);
  const idempotencyKey = request.headers['idempotency-key'];
  const context: CommandContext = {
    actor: command.actor,
    correlationId: correlationIdOf(request),
    causationId: String(request.id),
    ...(expectedRevision !== undefined ? { expectedRevision } : {}),
  };

  const answer = (outcome: CommandOutcome): Answer => ({
    status: command.successStatus,
    body: { ...command.answerFields, revision: outcome.revision, position: outcome.position, events: [...outcome.events] },
    headers: { etag: `"${outcome.revision}"`, ...(command.location ? { location: command.location } : {}) },
  });

  const execute = async (claim?: string): Promise<Answer> => {
    try {
      return answer(await command.execute(claim === undefined ? context : { ...context, idempotencyKey: claim }));
    } catch (error) {
      if (!(error instanceof DomainRuleBroken)) throw error;
      return { status: 409, body: { ...ruleProblem(request, error) }, headers: { 'content-type': PROBLEM_CONTENT_TYPE } };
    }
  };

  if (idempotencyKey === undefined) return send(reply, await execute(), false);
  if (Array.isArray(idempotencyKey) || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new errors.Malformed('Idempotency-Key is 1 to 128 visible ASCII characters');
  }
  const outcome = await runIdempotently(
    command.store,
    {
      keyId: command.actor.keyId,
      idempotencyKey,
      fingerprint: fingerprintOf(request.method, request.url.split('?')[0] ?? request.url, request.body),
      streamId: command.streamId,
    },
    execute,
    (stamped) => answer(outcomeOf(stamped)),
    expectedRevision === undefined ? undefined : async () => {
      const actual = await revisionOf(command.store, command.streamId);
      const matches = expectedRevision === 'exists' ? actual !== 'no_stream' : actual === expectedRevision;
      if (!matches) throw new StaleRevision(command.streamId, expectedRevision, actual);
    },
  );
  return send(reply, outcome, outcome.replayed);
}

/** The stream's revision now ('no_stream' when it has no event). */
async function revisionOf(store: EventStore, streamId: string): Promise<number | 'no_stream'> {
  try {
    const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision ?? 'no_stream';
  } catch (error) {
    if (error instanceof StreamNotFound) return 'no_stream';
    throw error;
  }
}

function outcomeOf(stamped: readonly RecordedEvent[]): CommandOutcome {
  const last = stamped.at(-1);
  return { revision: last?.revision ?? -1, position: last?.position ?? 0, events: stamped.map((e) => e.type) };
}

function send(reply: FastifyReply, answer: Answer, replayed: boolean): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  if (replayed) reply.header('idempotent-replayed', 'true');
  return reply.send(answer.body);
}

/**
 * `If-Match: "3"` (or `W/"3"`, or bare 3) → 3; `If-Match: *` → 'exists' (any revision of a
 * stream that exists, RFC 9110: 412 when there is none); absent → undefined; anything else is 400.
 */
export function ifMatchOf(header: string | string[] | undefined): number | 'exists' | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return 'exists';
  const match = IF_MATCH.exec(value);
  if (!match?.[1]) throw new errors.Malformed(IF_MATCH_MESSAGE);
  return Number(match[1]);
}

const IF_MATCH = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/;
const IF_MATCH_MESSAGE = 'If-Match takes the ETag of a GET, a revision such as "3", or * for any existing revision';

/**
 * The command headers (API.md, "Commands"), as the OpenAPI document shows them and the route
 * checks them: every command route puts this in `schema.headers`. Loose: other headers pass.
 */
export const commandHeaders = z.looseObject({
  'if-match': z.string().regex(/^\s*(\*|(W\/)?"?\d{1,15}"?)\s*$/, { message: IF_MATCH_MESSAGE }).optional()
    .meta({ description: 'Append only if the stream is still at this revision (the ETag of a GET, e.g. "3"), else 412; `*`: only if it exists (any revision), else 412', example: '"3"' }),
  'idempotency-key': z.string().regex(IDEMPOTENCY_KEY_PATTERN, { message: 'Idempotency-Key is 1 to 128 visible ASCII characters' }).optional()
    .meta({ description: 'At most 128 visible ASCII characters: the same key with the same body answers the first answer again and appends nothing; with another body, 422' }),
});

/** A client's own correlation id travels into the events' metadata; else the request id. */
function correlationIdOf(request: FastifyRequest): string {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : String(request.id);
}
