/**
 * Idempotency-Key (API.md): the same key with the same request returns the first answer and
 * appends nothing; the same key with another request is 422.
 *
 * Keys live in the event store itself, one stream per (API key, Idempotency-Key), so they are
 * as durable as the events they guard and work on every adapter:
 *   IdempotentRequestClaimed   { fingerprint, streamId }        expected no_stream: one winner
 *   IdempotentRequestAnswered  { fingerprint, status, body, headers }
 *   IdempotentRequestReleased  { fingerprint }                   the request failed retryably
 *
 * The command's own events carry the claim in `metadata.idempotencyKey`. If the process dies
 * between the command's append and the answer's, a retry finds the claim without an answer,
 * finds the command's events by that metadata, and answers from them: nothing is appended twice.
 *
 * A claim names its owner: the app instance (one per store it was built on) that took it. A
 * claim without an answer is in flight only while its owner may still be running it: this
 * instance knows its own requests in flight; on the embedded store no other process can be
 * writing (one writer per file), so another owner's claim is a dead process's and is taken
 * over at once after a restart. Only another replica's claim (KurrentDB) is waited out.
 *
 * A request whose If-Match is already stale is refused before anything is claimed: a 412
 * appends nothing, and neither does each retry of it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventStore, JsonObject, RecordedEvent } from '../event-store/port.js';
import { StreamNotFound, WrongExpectedRevision } from '../event-store/errors.js';
import { canonicalJson } from '../../commands/hash-chain.js';
import { toJsonValue } from '../../commands/shared/json.js';
import { errors } from './errors.js';

export const IDEMPOTENCY_STREAM_PREFIX = 'idempotency-';
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export interface Answer {
  readonly status: number;
  readonly body: JsonObject;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IdempotentRequest {
  /** The API key's id: one client's keys never collide with another's. */
  readonly keyId: string;
  readonly idempotencyKey: string;
  /** What the request was: method, path and canonical body. */
  readonly fingerprint: string;
  /** The stream the command appends to, to recover an answer lost in a crash. */
  readonly streamId: string;
}

/** Each app's instance id and the claims it is running now, by the store it was built on. */
interface Instance {
  readonly id: string;
  readonly inFlight: Set<string>;
}
const instances = new WeakMap<EventStore, Instance>();

function instanceOf(store: EventStore): Instance {
  let instance = instances.get(store);
  if (instance === undefined) instances.set(store, (instance = { id: randomUUID(), inFlight: new Set() }));
  return instance;
}

export interface IdempotentOutcome extends Answer {
  readonly replayed: boolean;
}

/** Statuses that are the request's final answer; anything else may be retried with the key. */
const FINAL = (status: number) => (status >= 200 && status < 300) || status === 409;

export function fingerprintOf(method: string, path: string, body: unknown): string {
  // Key order does not change a request: `{a,b}` and `{b,a}` are the same body.
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(toJsonValue(body ?? null))}`).digest('hex');
}

export function claimOf(request: Pick<IdempotentRequest, 'keyId' | 'idempotencyKey'>): string {
  return createHash('sha256').update(`${request.keyId}\n${request.idempotencyKey}`).digest('hex').slice(0, 40);
}

/**
 * Runs `execute` at most once per key. `execute` receives the claim to stamp on the command's
 * events and answers; `recover` rebuilds the answer from events found stamped with the claim.
 */
export async function runIdempotently(
  store: EventStore,
  request: IdempotentRequest,
  execute: (claim: string) => Promise<Answer>,
  recover: (stamped: readonly RecordedEvent[]) => Answer,
  /** Throws when the request would be refused whatever happens (a stale If-Match): checked before claiming. */
  precondition?: () => Promise<void>,
): Promise<IdempotentOutcome> {
  const claim = claimOf(request);
  const instance = instanceOf(store);
  const streamId = `${IDEMPOTENCY_STREAM_PREFIX}${claim}`;
  const history = await readHistory(store, streamId);
  const claimed = history.find((e) => e.type === 'IdempotentRequestClaimed');
  const answered = history.find((e) => e.type === 'IdempotentRequestAnswered');
  if (claimed && claimed.data['fingerprint'] !== request.fingerprint) {
    throw new errors.IdempotencyKeyReused(`Idempotency-Key ${request.idempotencyKey} was used for another request`);
  }
  if (answered) return { ...answerFrom(answered), replayed: true };

  const last = history.at(-1);
  if (last && last.type === 'IdempotentRequestClaimed') {
    // Claimed and never answered: either in flight now, or its process died.
    const stamped = await eventsStampedWith(store, String(claimed?.data['streamId'] ?? request.streamId), claim);
    if (stamped.length > 0) {
      const recovered = recover(stamped);
      await appendAnswer(store, streamId, last.revision, request.fingerprint, recovered);
      return { ...recovered, replayed: true };
    }
    if (mayStillBeRunning(store, instance, last, claim)) {
      throw new errors.RequestInFlight(`a request with Idempotency-Key ${request.idempotencyKey} is still in flight; retry shortly`);
    }
  }
  await precondition?.();

  // Take the claim (or take over a stale one): exactly one request wins the append.
  let claimRevision: number;
  try {
    const taken = await store.appendToStream(streamId, [{
      type: 'IdempotentRequestClaimed',
      data: { fingerprint: request.fingerprint, streamId: request.streamId, owner: instance.id },
    }], { expectedRevision: last ? last.revision : 'no_stream' });
    claimRevision = taken.nextRevision;
  } catch (error) {
    if (error instanceof WrongExpectedRevision) {
      // Another request with the same key won the race: answer as it will have.
      return runIdempotently(store, request, execute, recover, precondition);
    }
    throw error;
  }

  instance.inFlight.add(claim);
  try {
    let answer: Answer;
    try {
      answer = await execute(claim);
    } catch (error) {
      await release(store, streamId, claimRevision, request.fingerprint);
      throw error;
    }
    if (FINAL(answer.status)) await appendAnswer(store, streamId, claimRevision, request.fingerprint, answer);
    else await release(store, streamId, claimRevision, request.fingerprint);
    return { ...answer, replayed: false };
  } finally {
    instance.inFlight.delete(claim);
  }
}

/**
 * Whether the request that took `claimed` (and never answered) may still be running: this
 * instance's own only while it is in its set; another's on a store only one process writes
 * (embedded) never (that process died: this one holds the file now); another replica's, or
 * a claim older than owners (no owner), for IN_FLIGHT_MS after it was taken.
 */
function mayStillBeRunning(store: EventStore, instance: Instance, claimed: RecordedEvent, claim: string): boolean {
  const owner = claimed.data['owner'];
  if (owner === instance.id) return instance.inFlight.has(claim);
  if (typeof owner === 'string' && store.kind === 'embedded') return false;
  return Date.now() - Date.parse(claimed.recordedAt) < IN_FLIGHT_MS;
}

/** How long a claim without an answer is taken to be in flight rather than abandoned. */
const IN_FLIGHT_MS = 30_000;

async function readHistory(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFound) return [];
    throw error;
  }
}

async function eventsStampedWith(store: EventStore, streamId: string, claim: string): Promise<RecordedEvent[]> {
  return (await readHistory(store, streamId)).filter((e) => e.metadata['idempotencyKey'] === claim);
}

async function appendAnswer(store: EventStore, streamId: string, after: number, fingerprint: string, answer: Answer): Promise<void> {
  await store.appendToStream(streamId, [{
    type: 'IdempotentRequestAnswered',
    data: { fingerprint, status: answer.status, body: answer.body, headers: { ...answer.headers } },
  }], { expectedRevision: after });
}

async function release(store: EventStore, streamId: string, after: number, fingerprint: string): Promise<void> {
  await store.appendToStream(streamId, [{ type: 'IdempotentRequestReleased', data: { fingerprint } }], { expectedRevision: after })
    .catch(() => undefined);
}

function answerFrom(event: RecordedEvent): Answer {
  const { status, body, headers } = event.data;
  return {
    status: typeof status === 'number' ? status : 200,
    body: isJsonObject(body) ? body : {},
    headers: isJsonObject(headers) ? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])) : {},
  };
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
