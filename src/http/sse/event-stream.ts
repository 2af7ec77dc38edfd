/**
 * The text/event-stream wire format (WHATWG HTML, "Server-sent events"): frames are built
 * once as Buffers and the same Buffer is written to every subscriber of a region.
 */

/** The response headers of an event stream: no caching or transforming proxies, no buffering. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  // nginx buffers proxied answers unless told not to; a buffered event stream is no stream.
  'x-accel-buffering': 'no',
  // A stream is never reused for another request, and closing the socket with the stream
  // lets a graceful shutdown finish at once instead of waiting for keep-alive timeouts.
  connection: 'close',
};

export interface StreamEvent {
  readonly event: string;
  readonly id: number;
  /** Serialised once; JSON.stringify never emits a raw line break, so one `data:` line. */
  readonly data: string;
}

export function eventFrame({ event, id, data }: StreamEvent): Buffer {
  return Buffer.from(`event: ${event}\nid: ${id}\ndata: ${data}\n\n`);
}

/** Tells EventSource how long to wait before reconnecting after a drop. */
export function retryFrame(ms: number): Buffer {
  return Buffer.from(`retry: ${Math.round(ms)}\n\n`);
}

/** A comment line: keeps proxies and load balancers from closing an idle stream. */
export const HEARTBEAT_FRAME = Buffer.from(': heartbeat\n\n');

/**
 * The position a reconnecting client last saw (`Last-Event-ID`), or undefined when absent or
 * not a position this server could have sent.
 */
export function lastEventIdOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
