/**
 * The streams the app read lately, kept in memory and brought up to date on each read: a
 * command reads its whole stream to decide (twice for a milestone: the route checks the
 * project first), and re-reading and re-parsing a hot stream's every event was most of a
 * command's own work (bench/commands.ts). A stream only grows, so a read asks the store for
 * the events after the revision kept (one indexed lookup, usually none) and adds them: what
 * another process appended is seen as before, and no append is ever decided on an event
 * the store does not hold (the append names the revision it decided on, as always).
 *
 * Only whole forward reads are served from memory; anything else passes through. A stream
 * the store no longer has, or whose revisions do not follow on, is forgotten and read again.
 * Bounded: the least recently read streams go first, and a very long stream is not kept.
 */
import { decoratedStore } from './decorated-store.js';
import type { EventStore, RecordedEvent } from './port.js';

export interface StreamCacheLimits {
  /** Events kept at most, over all streams (an event in memory is of the order of a KiB). */
  readonly maxEvents: number;
  /** A stream longer than this is read from the store every time. */
  readonly maxEventsPerStream: number;
}

const DEFAULT_LIMITS: StreamCacheLimits = { maxEvents: 100_000, maxEventsPerStream: 2_000 };

export function cachingStreams(store: EventStore, limits: StreamCacheLimits = DEFAULT_LIMITS): EventStore {
  // Insertion order is recency: a stream read is deleted and set again.
  const kept = new Map<string, readonly RecordedEvent[]>();
  let total = 0;

  const forget = (streamId: string): void => {
    total -= kept.get(streamId)?.length ?? 0;
    kept.delete(streamId);
  };
  const keep = (streamId: string, events: readonly RecordedEvent[]): void => {
    forget(streamId);
    if (events.length === 0 || events.length > limits.maxEventsPerStream) return;
    kept.set(streamId, events);
    total += events.length;
    for (const oldest of kept.keys()) {
      if (total <= limits.maxEvents) break;
      forget(oldest);
    }
  };

  const readWhole = async (streamId: string): Promise<RecordedEvent[]> => {
    const known = kept.get(streamId);
    if (known === undefined) {
      const events = await store.readStream(streamId);
      keep(streamId, events);
      return [...events];
    }
    const lastRevision = known.at(-1)?.revision ?? -1;
    let newer: RecordedEvent[];
    try {
      newer = await store.readStream(streamId, { fromRevision: lastRevision + 1 });
    } catch (error) {
      forget(streamId); // StreamNotFound, or the store failing: nothing kept is trusted
      throw error;
    }
    // Another read may have brought the stream further meanwhile: join at the revision.
    const base = kept.get(streamId) ?? known;
    const baseLast = base.at(-1)?.revision ?? -1;
    const added = newer.filter((event) => event.revision > baseLast);
    if (added.length > 0 && added[0]?.revision !== baseLast + 1) {
      forget(streamId);
      const events = await store.readStream(streamId);
      keep(streamId, events);
      return [...events];
    }
    const events = added.length === 0 ? base : [...base, ...added];
    keep(streamId, events);
    return [...events];
  };

  return decoratedStore(store, {
    readStream: (streamId, options) => {
      const whole = options === undefined
        || ((options.direction ?? 'forwards') === 'forwards' && (options.fromRevision ?? 0) === 0 && options.maxCount === undefined);
      return whole ? readWhole(streamId) : store.readStream(streamId, options);
    },
  });
}
