/**
 * A catch-up subscription to $all, as the port's Subscription.
 *
 * The server does the catch-up-then-live switch without gap or duplicate; this side turns its
 * events into the port's, drops the server's own `$` events and whatever the server-side filter
 * could not express, and never yields a position at or before one already yielded.
 *
 * Backpressure: the driver's stream is read only as fast as the consumer iterates, so a slow
 * consumer slows the server (gRPC flow control) rather than filling memory here.
 */
import type { AllStreamSubscription } from '@eventstore/db-client';
import { StoreUnavailable } from '../errors.js';
import { matchesFilter, type EventFilter, type RecordedEvent, type Subscription } from '../port.js';
import { toPortError } from './driver-errors.js';
import { fromLogPosition } from './log-positions.js';
import { isSystemEvent, toRecordedEvent } from './recorded-events.js';

export class KurrentDbSubscription implements Subscription {
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly source: AllStreamSubscription,
    /** Exclusive: the last position already delivered, or -1. */
    private deliveredTo: number,
    private readonly filter: EventFilter | undefined,
    private readonly onClosed: (subscription: KurrentDbSubscription) => void,
  ) {
    // The driver reports failures as 'error' events; without a listener one that happens before
    // the consumer starts iterating would crash the process. The iterator rethrows it.
    source.on('error', () => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RecordedEvent, void, undefined> {
    if (this.closed) return;
    try {
      for await (const resolved of this.source) {
        if (this.closed) return;
        const event = resolved.event;
        if (!event || isSystemEvent(event.type)) continue;
        const position = fromLogPosition(event.position, `event ${event.id}`);
        if (position <= this.deliveredTo) continue;
        this.deliveredTo = position;
        if (matchesFilter(this.filter, event.streamId, event.type)) yield toRecordedEvent(event);
      }
      if (!this.closed) throw new StoreUnavailable('KurrentDB ended the subscription to $all');
    } catch (error) {
      if (this.closed) return;
      throw toPortError(error, { operation: 'subscribeToAll' });
    } finally {
      await this.close();
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    try {
      await this.source.unsubscribe();
    } catch {
      // The call never started or has already failed: nothing left to cancel.
    }
    // Ends an iteration waiting for the next event, whatever the cancelled call does.
    this.source.destroy();
    this.onClosed(this);
  }
}
