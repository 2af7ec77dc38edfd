/**
 * Translates @eventstore/db-client failures into the port's errors. Nothing the driver throws
 * leaves the adapter as is: a refused expected revision and a missing stream become the port's
 * typed errors; everything else (no connection, deadline, server cancelled, access denied, an
 * invalid position, an unexpected reply) means the store could not serve the request and becomes
 * StoreUnavailable, with the driver's error kept as `cause` for the logs.
 */
import {
  StreamNotFoundError,
  WrongExpectedVersionError,
  isCommandError,
  type CurrentRevision,
} from '@eventstore/db-client';
import { StoreUnavailable, StreamNotFound, WrongExpectedRevision, isEventStoreError } from '../errors.js';
import type { ExpectedRevision } from '../port.js';

export interface FailedCall {
  /** The port operation, for the message: 'appendToStream', 'readAll', … */
  readonly operation: string;
  readonly streamId?: string;
  readonly expected?: ExpectedRevision;
}

export function toPortError(error: unknown, call: FailedCall): Error {
  if (isEventStoreError(error)) return error;
  if (error instanceof WrongExpectedVersionError && call.streamId !== undefined && call.expected !== undefined) {
    return new WrongExpectedRevision(call.streamId, call.expected, toActualRevision(error.actualVersion));
  }
  if (error instanceof StreamNotFoundError && call.streamId !== undefined) {
    return new StreamNotFound(call.streamId);
  }
  return new StoreUnavailable(`KurrentDB ${call.operation} failed: ${describe(error)}`, { cause: error });
}

export function toActualRevision(current: CurrentRevision): number | 'no_stream' {
  // The server reports a missing stream either as no_stream or, through some paths, as -1.
  return current === 'no_stream' || current < 0n ? 'no_stream' : Number(current);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return isCommandError(error) ? `${error.type}: ${error.message}` : error.message;
  }
  return String(error);
}
