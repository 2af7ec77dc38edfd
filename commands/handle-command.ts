/**
 * The generic command handler: read the stream, fold `evolve`, run `decide`, append what was
 * decided with the revision that was read, chained and stamped. The store it is given reads
 * through the upcasters (src/event-store/upcasting-store.ts): the decider sees current events.
 *
 * Commands on one stream from this process are queued (stream-queue.ts), so they never race.
 * A concurrent append (WrongExpectedRevision), from another process, means the decision was taken on stale state:
 * the whole read → decide is retried on fresh state, where the rules may now refuse it. When
 * the caller named the revision it saw (HTTP If-Match), the decision is the caller's, so a
 * changed stream is a StaleRevision (412) and never retried.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, RecordedEvent } from '../src/event-store/port.js';
import { StreamNotFound, WrongExpectedRevision } from '../src/event-store/errors.js';
import { upcasters as defaultUpcasters } from '../migrations/upcasters/index.js';
import type { UpcasterRegistry } from '../migrations/upcasters/registry.js';
import type { Decided, StoredEvent, StreamDecider } from './decider.js';
import type { Actor, EventMetadata } from './metadata.js';
import { chainHash, GENESIS_HASH } from './hash-chain.js';
import { toJsonObject } from './shared/json.js';
import { onStream } from './stream-queue.js';

export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  /** The id of what caused the command (the request); defaults to the correlation id. */
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /**
   * HTTP If-Match: decide only on this revision ('no_stream': on a new stream; 'exists', from
   * `If-Match: *`: on any revision of a stream that exists).
   */
  readonly expectedRevision?: number | 'no_stream' | 'exists';
  readonly newEventId?: () => string;
  /** Read → decide → append attempts on concurrent appends (default 5). */
  readonly maxAttempts?: number;
  /** The schema versions new events are stamped with (the product's own by default). */
  readonly upcasters?: UpcasterRegistry;
}

export interface CommandResult<Event extends StoredEvent, State> {
  /** The stream's revision after the command (-1: still empty). */
  readonly revision: number;
  /** Global position of the last event appended (or read, when nothing was appended). */
  readonly position: number;
  readonly events: readonly Event['type'][];
  readonly state: State;
}

/** The stream moved past the revision the caller decided on (HTTP 412). */
export class StaleRevision extends Error {
  readonly code = 'STALE_REVISION' as const;
  constructor(readonly streamId: string, readonly expected: number | 'no_stream' | 'exists', readonly actual: number | 'no_stream') {
    super(`stream ${streamId} is at revision ${String(actual)}, not ${String(expected)}`);
    this.name = 'StaleRevision';
  }
}

export function handleCommand<Command, Event extends StoredEvent, State>(
  store: EventStore, streamId: string, decider: StreamDecider<Command, Event, State>, command: Command, context: CommandContext,
): Promise<CommandResult<Event, State>> {
  // One command at a time per stream in this process (stream-queue.ts): the retries below are for other processes.
  return onStream(store, streamId, () => decideAndAppend(store, streamId, decider, command, context));
}

async function decideAndAppend<Command, Event extends StoredEvent, State>(
  store: EventStore, streamId: string, decider: StreamDecider<Command, Event, State>, command: Command, context: CommandContext,
): Promise<CommandResult<Event, State>> {
  const expected = context.expectedRevision;
  // A revision the caller decided on is never retried; `If-Match: *` only asks that the stream
  // exists (a stream never ceases to), so a concurrent append is retried as without If-Match.
  const explicit = expected === 'exists' ? undefined : expected;
  const attempts = explicit === undefined ? context.maxAttempts ?? 5 : 1;
  for (let attempt = 1; ; attempt += 1) {
    const stream = await loadStream(store, streamId, decider);
    if (expected === 'exists' && stream.revision === 'no_stream') throw new StaleRevision(streamId, expected, stream.revision);
    if (explicit !== undefined && explicit !== stream.revision) throw new StaleRevision(streamId, explicit, stream.revision);
    const decided = decider.decide(command, stream.state);
    const state = decided.reduce(decider.evolve, stream.state);
    if (decided.length === 0) {
      return { revision: stream.revision === 'no_stream' ? -1 : stream.revision, position: stream.position, events: [], state };
    }
    try {
      const appended = await store.appendToStream(streamId, stampEvents(decided, stream.lastHash, context), { expectedRevision: stream.revision });
      return { revision: appended.nextRevision, position: appended.position, events: decided.map((event) => event.type), state };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      if (explicit !== undefined) throw new StaleRevision(streamId, explicit, error.actual);
      if (attempt >= attempts) throw error;
    }
  }
}

export interface LoadedStream<State> {
  readonly state: State;
  readonly revision: number | 'no_stream';
  /** Global position of the stream's last event (0 when empty). */
  readonly position: number;
  /** The last event's hash: the next event's prevHash. */
  readonly lastHash: string;
  readonly events: readonly RecordedEvent[];
}

export async function loadStream<Command, Event, State>(
  store: EventStore, streamId: string, decider: StreamDecider<Command, Event, State>,
): Promise<LoadedStream<State>> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(streamId);
  } catch (error) {
    if (!(error instanceof StreamNotFound)) throw error;
    events = [];
  }
  const state = events.reduce((folded, recorded) => decider.evolve(folded, decider.decode(recorded)), decider.initialState());
  const last = events.at(-1);
  if (last === undefined) return { state, revision: 'no_stream', position: 0, lastHash: GENESIS_HASH, events };
  const hash = last.metadata['hash'];
  return { state, revision: last.revision, position: last.position, lastHash: typeof hash === 'string' ? hash : GENESIS_HASH, events };
}

/** The decided events as the store takes them: JSON data, metadata stamped and hash-chained. */
export function stampEvents<Event extends StoredEvent>(
  decided: readonly Decided<Event>[], prevHash: string, context: CommandContext,
): NewEvent[] {
  const upcasters = context.upcasters ?? defaultUpcasters;
  let previous = prevHash;
  return decided.map(({ type, data, flags }) => {
    const json = toJsonObject(data);
    const hash = chainHash(previous, { type, data: json });
    const metadata: EventMetadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId ?? context.correlationId,
      schemaVersion: upcasters.currentVersion(type),
      prevHash: previous,
      hash,
      ...(flags !== undefined && flags.length > 0 ? { flags } : {}),
      ...(context.idempotencyKey !== undefined ? { idempotencyKey: context.idempotencyKey } : {}),
    };
    previous = hash;
    return { id: context.newEventId?.() ?? randomUUID(), type, data: json, metadata: toJsonObject(metadata) };
  });
}
