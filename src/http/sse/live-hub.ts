/**
 * The live statistics feeds behind GET /v1/live: one feed per subscribed region, shared by all
 * of that region's subscribers.
 *
 * - After each burst the read model applied, the feeds whose region it touched are marked.
 *   A marked feed computes its statistics once and writes the same frame to every subscriber
 *   (1,000 dashboards on one region cost one computation, not 1,000).
 * - Coalescing: a feed sends at once when it has been quiet for a window, otherwise when the
 *   window ends; so at most one event per region per window, and the last one always carries
 *   the latest state.
 * - Statistics are state, not a diff: a reconnecting client behind the feed gets the current
 *   statistics once, never the events it missed.
 * - One heartbeat timer for all clients; slow clients are handled by SseClient.
 */
import type { RecordedEvent } from '../../event-store/port.js';
import type { RegionCode } from '../../../commands/shared/region-code.js';
import { eventFrame, HEARTBEAT_FRAME, retryFrame } from './event-stream.js';
import { SseClient, type EventSink } from './sse-client.js';
import { regionsOfBurst, touchedRegions } from './touched-regions.js';

export interface LiveSettings {
  /** Comment lines this often keep idle streams open through proxies (~15 s). */
  readonly heartbeatMs: number;
  /** At most one event per region per window (LIVE_COALESCE_MS). */
  readonly windowMs: number;
  /** The `retry:` hint: how long EventSource waits before reconnecting. */
  readonly retryMs: number;
  /** A client whose socket buffer stays full this long is dropped. */
  readonly stallMs: number;
  /** A client holding more than this unsent is dropped at once. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  heartbeatMs: 15_000,
  windowMs: 100,
  retryMs: 3_000,
  stallMs: 10_000,
  maxBufferedBytes: 1024 * 1024,
};

/** A region's statistics as the feed last computed them. */
export interface RegionStatistics {
  /** The global position they reflect: the event's `id`. */
  readonly position: number;
  readonly statistics: object;
  /** The period they are for (the current year): a new period means new statistics. */
  readonly period: string;
}

/** Where the hub gets statistics and hears of changes (routes/live.ts: the read models). */
export interface LiveSource {
  statisticsOf(regionCode: RegionCode): RegionStatistics;
  currentPeriod(): string;
  regionOfProject(projectId: string): RegionCode | undefined;
  onApplied(listener: (events: readonly RecordedEvent[]) => void): () => void;
}

export interface LiveHooks {
  readonly onComputed?: () => void;
  readonly onCoalesced?: () => void;
  readonly onDropped?: (reason: 'stalled' | 'overflow') => void;
}

export const PIPELINE_EVENT = 'pipeline';

interface Computed extends RegionStatistics {
  readonly frame: Buffer;
}

type Mark = 'clean' | 'changed' | 'maybe';

interface Feed {
  readonly regionCode: RegionCode;
  readonly clients: Set<SseClient>;
  latest: Computed;
  /** Set while a window that began with a send is running. */
  window: NodeJS.Timeout | undefined;
  mark: Mark;
}

export class LiveHub {
  private readonly feeds = new Map<RegionCode, Feed>();
  private readonly feedOf = new Map<SseClient, Feed>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;
  private readonly retry: Buffer;

  constructor(
    private readonly source: LiveSource,
    private readonly settings: LiveSettings = DEFAULT_LIVE_SETTINGS,
    private readonly hooks: LiveHooks = {},
  ) {
    this.retry = retryFrame(settings.retryMs);
  }

  start(): void {
    this.unsubscribe = this.source.onApplied((events) => this.onApplied(events));
    this.heartbeat = setInterval(() => this.beat(), this.settings.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.feedOf.size;
  }

  get regionCount(): number {
    return this.feeds.size;
  }

  /**
   * A new subscriber of `regionCode`. It gets the retry hint, then the region's current
   * statistics unless `lastEventId` shows it already has them. `headPosition` is the log's:
   * an id beyond it comes from another log (a restored store), so it gets them too.
   */
  subscribe(regionCode: RegionCode, sink: EventSink, lastEventId: number | undefined, headPosition: number): SseClient {
    const client = new SseClient(sink, {
      stallMs: this.settings.stallMs,
      maxBufferedBytes: this.settings.maxBufferedBytes,
      onDropped: (dropped, reason) => {
        this.remove(dropped);
        this.hooks.onDropped?.(reason);
      },
      ...(this.hooks.onCoalesced ? { onCoalesced: this.hooks.onCoalesced } : {}),
    });
    if (this.closed) {
      client.close();
      return client;
    }
    const feed = this.feedFor(regionCode);
    feed.clients.add(client);
    this.feedOf.set(client, feed);
    client.sendControl(this.retry);
    const upToDate = lastEventId !== undefined && lastEventId >= feed.latest.position && lastEventId <= headPosition;
    if (upToDate) client.lastEventId = lastEventId;
    else client.sendEvent(feed.latest.frame, feed.latest.position);
    return client;
  }

  /** The client's socket closed (or it was dropped): forget it, and its feed when it was the last. */
  remove(client: SseClient): void {
    client.release();
    const feed = this.feedOf.get(client);
    if (feed === undefined) return;
    this.feedOf.delete(client);
    feed.clients.delete(client);
    if (feed.clients.size === 0) {
      clearTimeout(feed.window);
      this.feeds.delete(feed.regionCode);
    }
  }

  /** Ends every stream (app shutdown) and stops listening. */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    for (const feed of this.feeds.values()) {
      clearTimeout(feed.window);
      for (const client of feed.clients) client.close();
    }
    this.feeds.clear();
    this.feedOf.clear();
  }

  private feedFor(regionCode: RegionCode): Feed {
    const existing = this.feeds.get(regionCode);
    if (existing !== undefined) {
      if (existing.latest.period !== this.source.currentPeriod()) this.touch(existing, 'changed');
      return existing;
    }
    const feed: Feed = { regionCode, clients: new Set(), latest: this.compute(regionCode), window: undefined, mark: 'clean' };
    this.feeds.set(regionCode, feed);
    return feed;
  }

  private onApplied(events: readonly RecordedEvent[]): void {
    if (this.feeds.size === 0) return;
    const burst = regionsOfBurst(events, (projectId) => this.source.regionOfProject(projectId));
    const touched = touchedRegions(burst, this.feeds);
    for (const [code, feed] of this.feeds) {
      if (touched.has(code)) this.touch(feed, 'changed');
      // The region a project left is in no event: look at every feed, send where figures moved.
      else if (burst.moved) this.touch(feed, 'maybe');
    }
  }

  private touch(feed: Feed, mark: Exclude<Mark, 'clean'>): void {
    if (feed.mark !== 'changed') feed.mark = mark;
    if (feed.window === undefined) this.send(feed);
  }

  private send(feed: Feed): void {
    const mark = feed.mark;
    feed.mark = 'clean';
    const previous = feed.latest;
    const next = this.compute(feed.regionCode);
    const news = next.period !== previous.period || (next.position > previous.position &&
      (mark === 'changed' || JSON.stringify({ ...next.statistics, position: 0 }) !== JSON.stringify({ ...previous.statistics, position: 0 })));
    if (!news) return;
    feed.latest = next;
    for (const client of feed.clients) {
      if (client.lastEventId < next.position || next.period !== previous.period) client.sendEvent(next.frame, next.position);
    }
    feed.window = setTimeout(() => {
      feed.window = undefined;
      if (feed.mark !== 'clean' && this.feeds.get(feed.regionCode) === feed) this.send(feed);
    }, this.settings.windowMs);
    feed.window.unref();
  }

  private compute(regionCode: RegionCode): Computed {
    const computed = this.source.statisticsOf(regionCode);
    this.hooks.onComputed?.();
    return {
      ...computed,
      frame: eventFrame({ event: PIPELINE_EVENT, id: computed.position, data: JSON.stringify(computed.statistics) }),
    };
  }

  private beat(): void {
    const period = this.source.currentPeriod();
    for (const feed of this.feeds.values()) {
      if (feed.latest.period !== period) this.touch(feed, 'changed');
      for (const client of feed.clients) client.sendControl(HEARTBEAT_FRAME);
    }
  }
}
