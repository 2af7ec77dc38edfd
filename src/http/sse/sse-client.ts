/**
 * One subscriber's connection, written with backpressure. A slow client never grows a queue:
 * while its socket buffer is full (write() said false, no 'drain' yet) it is "congested", and
 * of the events meant for it only the newest is kept (statistics are state, so the newest
 * replaces the rest); heartbeats are skipped. A client congested for `stallMs`, or holding
 * more than `maxBufferedBytes` unsent, is dropped: its socket is destroyed and EventSource
 * reconnects with Last-Event-ID when it can keep up again.
 */

/** What a client writes to: an http.ServerResponse, or any Writable in tests. */
export interface EventSink {
  write(chunk: Buffer): boolean;
  end(): unknown;
  destroy(): unknown;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  readonly writableLength: number;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
}

export interface SseClientOptions {
  /** How long a full socket buffer is tolerated before the client is dropped. */
  readonly stallMs: number;
  /** Bytes the socket may hold unsent before the client is dropped at once. */
  readonly maxBufferedBytes: number;
  /** Told once when the client is dropped for being too slow. */
  readonly onDropped?: (client: SseClient, reason: 'stalled' | 'overflow') => void;
  /** Told each time a pending event is replaced by a newer one. */
  readonly onCoalesced?: () => void;
}

export class SseClient {
  private congested = false;
  private pending: Buffer | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private finished = false;
  /** The position of the newest event written or pending; -1 before the first. */
  lastEventId = -1;

  constructor(
    private readonly sink: EventSink,
    private readonly options: SseClientOptions,
  ) {}

  get open(): boolean {
    return !this.finished && !this.sink.destroyed && !this.sink.writableEnded;
  }

  /** Whether the socket buffer is full and events are being coalesced. */
  get slow(): boolean {
    return this.congested;
  }

  /** An event: written now, or kept as the one pending event while the client is congested. */
  sendEvent(frame: Buffer, id: number): void {
    if (!this.open) return;
    this.lastEventId = id;
    if (this.congested) {
      if (this.pending !== undefined) this.options.onCoalesced?.();
      this.pending = frame;
      return;
    }
    this.write(frame);
  }

  /** A comment line or a retry hint: skipped while congested (a full buffer is not idle). */
  sendControl(frame: Buffer): void {
    if (this.open && !this.congested) this.write(frame);
  }

  /** Ends the stream cleanly (app shutdown): what is buffered is still flushed. */
  close(): void {
    if (this.finished) return;
    this.finish();
    if (!this.sink.destroyed && !this.sink.writableEnded) this.sink.end();
  }

  /** Marks the client gone (its socket closed); releases timers. */
  release(): void {
    this.finish();
  }

  private write(frame: Buffer): void {
    const roomLeft = this.sink.write(frame);
    if (this.sink.writableLength > this.options.maxBufferedBytes) {
      this.drop('overflow');
      return;
    }
    if (!roomLeft) {
      this.congested = true;
      this.sink.once('drain', this.onDrain);
      this.stallTimer = setTimeout(() => this.drop('stalled'), this.options.stallMs);
      this.stallTimer.unref();
    }
  }

  private readonly onDrain = (): void => {
    this.congested = false;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined && this.open) this.write(pending);
  };

  private drop(reason: 'stalled' | 'overflow'): void {
    if (this.finished) return;
    this.finish();
    this.sink.destroy();
    this.options.onDropped?.(this, reason);
  }

  private finish(): void {
    this.finished = true;
    this.pending = undefined;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    this.sink.removeListener('drain', this.onDrain);
  }
}
