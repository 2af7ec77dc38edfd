/**
 * Follows the global log from a position: catch-up, then live. While catching up it yields to
 * the event loop every so often, so a long replay never starves HTTP. When the store goes
 * away (a KurrentDB restart, a network cut) it resubscribes after what it delivered, with
 * backoff: no event is lost and none is delivered twice.
 *
 * Every live reader of the log is one of these: one feed serves every read model (ReadModels),
 * so each event is read and parsed once, and one the region and key catalogues
 * (src/regions/follow-streams.ts), filtered to their streams.
 */
import type { EventFilter, EventStore, RecordedEvent, Subscription } from './port.js';

export interface LogFeedHandlers {
  readonly onEvent: (event: RecordedEvent) => void;
  /** The feed has delivered everything that was in the log when it (re)subscribed. */
  readonly onLive?: () => void;
  /** The feed lost the log and resubscribes after `retryInMs`. */
  readonly onLost?: (error: unknown, retryInMs: number) => void;
  /** The feed resubscribed and is catching up again. */
  readonly onResubscribed?: () => void;
  /** A promise while the receiver cannot take more (a snapshot being written): the feed waits. */
  readonly hold?: () => Promise<void> | undefined;
}

export interface LogFeedOptions {
  readonly store: EventStore;
  readonly afterPosition: number;
  /** Only the events it matches (their positions still order them in the log). */
  readonly filter?: EventFilter;
  /** Events delivered between yields to the event loop while catching up (default 2,048). */
  readonly yieldEvery?: number;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export class LogFeed {
  private position: number;
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private live = false;

  constructor(private readonly options: LogFeedOptions, private readonly handlers: LogFeedHandlers) {
    this.position = options.afterPosition;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Subscribes and starts delivering; resolves once subscribed, not once caught up. */
  async start(): Promise<void> {
    const target = await this.options.store.headPosition();
    this.subscription = this.subscribe();
    this.running = this.follow(this.subscription, target);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.running;
  }

  private async follow(first: Subscription, firstTarget: number): Promise<void> {
    let subscription = first;
    let target = firstTarget;
    let retryMs = RETRY_MIN_MS;
    for (;;) {
      try {
        await this.consume(subscription, target);
        return; // closed by stop()
      } catch (error) {
        if (this.stopped) return;
        this.live = false;
        this.handlers.onLost?.(error, retryMs);
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        if (this.stopped) return;
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        try {
          target = await this.options.store.headPosition();
          subscription = this.subscribe();
          this.subscription = subscription;
          this.handlers.onResubscribed?.();
          retryMs = RETRY_MIN_MS;
        } catch (unreachable) {
          // Still unreachable: the next turn fails at once and waits longer.
          subscription = failing(unreachable);
        }
      }
    }
  }

  private subscribe(): Subscription {
    const { filter } = this.options;
    return this.options.store.subscribeToAll({ afterPosition: this.position, ...(filter === undefined ? {} : { filter }) });
  }

  private async consume(subscription: Subscription, target: number): Promise<void> {
    const yieldEvery = this.options.yieldEvery ?? 2048;
    let count = 0;
    if (this.position >= target) this.goLive();
    for await (const event of subscription) {
      if (event.position <= this.position) continue;
      // Past the event only once it was taken: a receiver that throws gets it again after the
      // resubscription, never a log with the event missing.
      this.handlers.onEvent(event);
      this.position = event.position;
      const hold = this.handlers.hold?.();
      if (hold !== undefined) await hold;
      if (!this.live) {
        if (this.position >= target) this.goLive();
        else if (++count % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private goLive(): void {
    this.live = true;
    this.handlers.onLive?.();
  }
}

function failing(error: unknown): Subscription {
  return {
    close: async () => undefined,
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
