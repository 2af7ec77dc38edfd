/**
 * A subscription to $all as the server runs one: a confirmation first; then every event after
 * the start position (catch-up), with a checkpoint every `checkpointInterval` events looked at
 * when filtered and one on reaching the end of the log; then `caught_up`; then live events as
 * they are committed, with checkpoints on the same interval.
 *
 * One cursor walks the log from catch-up into live: a commit only wakes it up, so nothing can
 * fall between the two or come twice. Writes wait for the client to drain (gRPC flow control).
 */
import { randomUUID } from 'node:crypto';
import { status, type ServerWritableStream } from '@grpc/grpc-js';
import type { InMemoryLog, LogRecord, TfPos } from './in-memory-log.js';
import { RpcError, checkpoint, invalidArgument, readEvent, streamsPb } from './wire.js';

export interface LogFilter {
  allows(record: LogRecord): boolean;
  /** Records looked at between two checkpoints. */
  readonly checkpointInterval: number;
}

export interface AllSubscriptionRequest {
  /** Exclusive. */
  readonly start: TfPos | 'start' | 'end';
  readonly filter: LogFilter | undefined;
  readonly structuredIds: boolean;
}

type Call = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;

/** Fails one open subscription as the server does when it drops it (UNAVAILABLE). */
export type DropSubscription = () => void;

export function serveAllSubscription(log: InMemoryLog, call: Call, request: AllSubscriptionRequest, open?: Set<DropSubscription>): void {
  const { start, filter } = request;
  let ended = false;
  let pumping = false;
  let caughtUp = false;
  let considered = 0;
  let cursor = start === 'start' ? 0 : start === 'end' ? log.length : log.firstIndexAfter(start);
  let lastLookedAt: TfPos = start === 'start'
    ? { commit: 0n, prepare: 0n }
    : start === 'end' ? { commit: log.endPosition, prepare: log.endPosition } : start;
  let wakeUp: (() => void) | undefined;

  const stopWatching = log.onCommit(() => void pump());
  const drop: DropSubscription = () => {
    if (ended) return;
    end();
    call.emit('error', new RpcError(status.UNAVAILABLE, 'Server dropped the subscription'));
  };
  open?.add(drop);
  const end = (): void => {
    ended = true;
    open?.delete(drop);
    stopWatching();
    wakeUp?.();
  };
  call.on('cancelled', end);
  call.on('close', end);
  call.on('error', end);

  void send(new streamsPb.ReadResp().setConfirmation(
    new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
  if (typeof start === 'object' && !log.isRecordBoundary(start.commit)) {
    end();
    call.emit('error', invalidArgument('Trying to read from an invalid position.'));
    return;
  }
  void pump();

  async function pump(): Promise<void> {
    if (pumping || ended) return;
    pumping = true;
    try {
      while (!ended) {
        const record = log.at(cursor);
        if (!record) {
          if (caughtUp) break;
          caughtUp = true;
          if (filter) await send(checkpoint(lastLookedAt));
          await send(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
          continue;
        }
        cursor += 1;
        lastLookedAt = { commit: record.position, prepare: record.position };
        if (!filter || filter.allows(record)) await send(readEvent(record, request.structuredIds));
        considered += 1;
        if (filter && considered % filter.checkpointInterval === 0) await send(checkpoint(lastLookedAt));
      }
    } finally {
      pumping = false;
    }
  }

  async function send(message: streamsPb.ReadResp): Promise<void> {
    if (ended) return;
    if (call.write(message)) return;
    await new Promise<void>((resolve) => {
      wakeUp = resolve;
      call.once('drain', resolve);
    });
    wakeUp = undefined;
  }
}
