/**
 * The live feed of one region: GET /v1/live opened with a stream token (an EventSource cannot
 * send the key), each `pipeline` event handed on as it comes.
 *
 * Reconnection has two layers:
 * - the browser's own: when a stream drops, EventSource retries every few seconds (the
 *   server's `retry:` hint) with the same URL and Last-Event-ID; while it does the page says
 *   重连中;
 * - ours: when a retry is refused (the token expired, or a restarted server no longer knows
 *   it), EventSource gives up; then a fresh token is asked for and a new stream opened, with
 *   growing pauses while the server cannot be reached. A key refused outright (revoked) ends
 *   the session.
 */
import { ApiError, type Api } from './api.js';
import type { PipelineStatistics, StreamTokenGrant } from './api-types.js';
import { withQuery } from './api.js';

export type LiveStatus = 'connecting' | 'open' | 'reconnecting';

export interface LiveHandlers {
  /** Fresh statistics; `first` for the first event of a (re)opened stream (updates may have been missed). */
  onStatistics(statistics: PipelineStatistics, first: boolean): void;
  onStatus(status: LiveStatus): void;
  /** The key itself was refused: signed out. */
  onKeyRefused(): void;
}

const MAX_PAUSE_MS = 10_000;

export class LiveFeed {
  private source: EventSource | undefined;
  private generation = 0;
  private failures = 0;
  private timer: number | undefined;
  private regionCode: string | undefined;
  private status: LiveStatus = 'connecting';

  constructor(private readonly api: Api, private readonly handlers: LiveHandlers) {}

  /** Follows `regionCode` from now on (closing any other stream). */
  follow(regionCode: string): void {
    this.regionCode = regionCode;
    this.failures = 0;
    this.setStatus('connecting');
    void this.open();
  }

  stop(): void {
    this.generation += 1;
    this.regionCode = undefined;
    this.close();
  }

  private close(): void {
    this.source?.close();
    this.source = undefined;
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async open(): Promise<void> {
    this.close();
    const generation = ++this.generation;
    const regionCode = this.regionCode;
    if (regionCode === undefined) return;
    let grant: StreamTokenGrant;
    try {
      grant = await this.api.post<StreamTokenGrant>('/v1/live/tokens');
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.status === 401) {
        this.handlers.onKeyRefused();
        return;
      }
      this.retryLater(generation);
      return;
    }
    if (generation !== this.generation) return;
    const source = new EventSource(withQuery('/v1/live', { regionCode, token: grant.token }));
    this.source = source;
    let first = true;
    source.addEventListener('open', () => {
      if (generation !== this.generation) return;
      this.failures = 0;
      this.setStatus('open');
    });
    source.addEventListener('pipeline', (event) => {
      if (generation !== this.generation || !(event instanceof MessageEvent) || typeof event.data !== 'string') return;
      const statistics: PipelineStatistics = JSON.parse(event.data);
      this.setStatus('open');
      this.handlers.onStatistics(statistics, first);
      first = false;
    });
    source.addEventListener('error', () => {
      if (generation !== this.generation) return;
      // A new connection (after a drop) may have missed changes: its first event counts as fresh.
      first = true;
      if (source.readyState === EventSource.CLOSED) this.retryLater(generation);
      else this.setStatus('reconnecting');
    });
  }

  private retryLater(generation: number): void {
    this.close();
    this.setStatus('reconnecting');
    const pause = Math.min(MAX_PAUSE_MS, 500 * 2 ** this.failures);
    this.failures += 1;
    this.timer = window.setTimeout(() => {
      if (generation === this.generation) void this.open();
    }, pause);
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }
}
