/**
 * A subscription to the embedded store's log: it reads the file page by page (catch-up),
 * and when a page comes back short it joins the store's live feed in the same synchronous
 * step, so no commit can fall between the last read and the first push.
 *
 * A slow consumer cannot make it grow without bound: past `maxQueued` live events it leaves
 * the feed and falls back to reading the file from where it is, then goes live again.
 */
import { StoreUnavailable } from '../errors.js';
import { matchesFilter, type EventFilter, type ReadAllOptions, type RecordedEvent, type Subscription } from '../port.js';
import type { FilteredPage } from './sqlite-store.js';

export interface LiveFeed {
  readonly isClosed: boolean;
  readAllNow(options: ReadAllOptions): RecordedEvent[];
  readFilteredPage(filter: EventFilter, direction: 'forwards', from: number, maxCount: number, scanLimit: number): FilteredPage;
  goLive(subscription: EmbeddedSubscription): void;
  leaveLive(subscription: EmbeddedSubscription): void;
  /** The subscription has ended for good. */
  release(subscription: EmbeddedSubscription): void;
}

const PAGE = 2048;
const MAX_QUEUED = 16_384;

export class EmbeddedSubscription implements Subscription, AsyncIterator<RecordedEvent> {
  private queue: RecordedEvent[] = [];
  private head = 0;
  private live = false;
  private ended = false;
  private waiting: ((result: IteratorResult<RecordedEvent>) => void) | undefined;

  constructor(
    private readonly feed: LiveFeed,
    /** Everything up to here has been queued or filtered out. */
    private scannedTo: number,
    private readonly filter: EventFilter | undefined,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      const queued = this.take();
      if (queued) return { value: queued, done: false };
      if (this.ended) return { value: undefined, done: true };
      if (this.feed.isClosed) {
        this.ended = true;
        throw new StoreUnavailable('the event store was closed');
      }
      if (this.live) return new Promise((resolve) => { this.waiting = resolve; });
      try {
        this.catchUp();
      } catch (error) {
        // SQLite could not read the file (I/O, a corrupt page): a store failure, as the port says.
        this.end();
        throw new StoreUnavailable(`the subscription could not read the log: ${String(error)}`, { cause: error });
      }
      // A filter that matched nothing in a long stretch of log: let other work run.
      if (this.head >= this.queue.length && !this.live) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async return(): Promise<IteratorResult<RecordedEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async close(): Promise<void> {
    this.end();
  }

  /** Ends the iteration: called by close() and by the store when it closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.feed.leaveLive(this);
    this.feed.release(this);
    this.queue = [];
    this.head = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.({ value: undefined, done: true });
  }

  /** Called by the store right after each commit, with the events it committed, in order. */
  push(committed: readonly RecordedEvent[]): void {
    if (!this.live || this.ended) return;
    for (const event of committed) {
      if (event.position <= this.scannedTo) continue;
      if (this.queue.length - this.head >= MAX_QUEUED) {
        // Too far behind: read the rest from the file later instead of holding it in memory.
        this.live = false;
        this.feed.leaveLive(this);
        break;
      }
      this.scannedTo = event.position;
      if (matchesFilter(this.filter, event.streamId, event.type)) this.enqueue(event);
    }
  }

  private catchUp(): void {
    if (this.filter) {
      const page = this.feed.readFilteredPage(this.filter, 'forwards', this.scannedTo + 1, PAGE, PAGE * 8);
      for (const event of page.events) this.enqueue(event);
      this.scannedTo = Math.max(this.scannedTo, page.scannedTo);
      if (page.exhausted) this.goLive();
      return;
    }
    const rows = this.feed.readAllNow({ fromPosition: this.scannedTo + 1, maxCount: PAGE });
    for (const event of rows) {
      this.scannedTo = event.position;
      this.enqueue(event);
    }
    if (rows.length < PAGE) this.goLive();
  }

  /** Called in the same synchronous step as the last read: nothing can be committed in between. */
  private goLive(): void {
    this.live = true;
    this.feed.goLive(this);
  }

  private enqueue(event: RecordedEvent): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: event, done: false });
    } else {
      this.queue.push(event);
    }
  }

  private take(): RecordedEvent | undefined {
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return event;
  }
}
