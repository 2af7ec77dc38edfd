/**
 * The port's positions are plain numbers; KurrentDB's are a pair of log offsets {commit, prepare}.
 *
 * Since EventStoreDB 20, an event appended outside an explicit (TCP-era) transaction is
 * "self-committed": its prepare record is its commit, so both offsets are the same number, the
 * event's offset in the transaction log. The commit offset alone therefore identifies the event,
 * and {commit: p, prepare: p} addresses it again when reading or subscribing from it.
 *
 * Offsets are only meaningful at record boundaries: the server refuses to read from the middle of
 * a record. Pass back only positions this store handed out (or 0, the start of the log).
 */
import type { Position } from '@eventstore/db-client';
import { StoreUnavailable } from '../errors.js';

/** What the server sends for "no position" (a uint64 -1). */
const NO_POSITION = 0xffff_ffff_ffff_ffffn;

export function toLogPosition(position: number): Position {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`a log position is a non-negative integer, got ${String(position)}`);
  }
  const offset = BigInt(position);
  return { commit: offset, prepare: offset };
}

export function fromLogPosition(position: Position | undefined, what: string): number {
  if (!position || position.commit === NO_POSITION) {
    // Servers before the self-committed positions of stream reads (or links) send none.
    throw new StoreUnavailable(`KurrentDB did not report the log position of ${what}`);
  }
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StoreUnavailable(`KurrentDB log position ${position.commit} of ${what} is beyond 2^53`);
  }
  return Number(position.commit);
}
