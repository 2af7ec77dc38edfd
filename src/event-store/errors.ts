/**
 * The port's small, typed set of failures. Adapters translate their drivers' errors into
 * these; nothing above the port ever sees a driver's raw error.
 */
import type { ExpectedRevision } from './port.js';

export type EventStoreErrorCode = 'WRONG_EXPECTED_REVISION' | 'STREAM_NOT_FOUND' | 'STORE_UNAVAILABLE' | 'DUPLICATE_EVENT_ID';

export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

export class WrongExpectedRevision extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION' as const;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision now, or 'no_stream' when it has no event. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevision';
  }
}

export class StreamNotFound extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND' as const;
  constructor(readonly streamId: string) {
    // Without a stack: every new project's first command reads its stream and gets this, an
    // answer rather than a fault, and capturing the stack cost ~45 µs of it under load.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`stream ${streamId} not found`);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'StreamNotFound';
  }
}

export class StoreUnavailable extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/**
 * The embedded store's event ids are unique in the whole log: an append reusing an id that
 * names an event of another stream (or twice in one append) is a caller's defect, refused.
 */
export class DuplicateEventId extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID' as const;
  constructor(readonly eventId: string, readonly streamId: string, readonly heldBy: string | undefined) {
    super(heldBy === undefined
      ? `event id ${eventId} appears twice in one append to ${streamId}`
      : `event id ${eventId} already names an event of stream ${heldBy}; it cannot be appended to ${streamId}`);
    this.name = 'DuplicateEventId';
  }
}

export function isEventStoreError(error: unknown): error is EventStoreError {
  return error instanceof EventStoreError;
}
