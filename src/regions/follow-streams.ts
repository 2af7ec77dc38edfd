/**
 * Keeps in-memory folds (the region catalogue, the key registry) in step with the streams of
 * some prefixes: it catches up before the app serves (a key must work, a region be known, from
 * the first request), then follows live. Requests never wait for the live feed: a command
 * applies what it committed itself (`applyCommitted`), so its effect (a revocation above all)
 * holds for the very next request; the feed then brings the same event again and `apply`
 * must ignore what it has seen (fold by stream revision).
 */
import type { FastifyBaseLogger } from 'fastify';
import { LogFeed } from '../event-store/log-feed.js';
import type { EventStore, RecordedEvent } from '../event-store/port.js';

export interface StreamFollower {
  /** False while the feed has lost the store (it resubscribes by itself), and for good once an event could not be folded. */
  readonly healthy: () => boolean;
  /** What readiness says of it: following, resubscribing (and why), or halted at which event. */
  readonly detail: () => string;
  readonly close: () => Promise<void>;
}

const PAGE = 1000;

export async function followStreams(
  store: EventStore,
  prefixes: readonly string[],
  apply: (event: RecordedEvent) => void,
  log: FastifyBaseLogger,
): Promise<StreamFollower> {
  // One follower for all the prefixes: catching up reads the log once, not once per fold.
  const filter = { streamPrefixes: prefixes };
  const streams = prefixes.map((prefix) => `${prefix}*`).join(', ');
  const head = await store.headPosition();
  // Positions are the store's own (KurrentDB's are log offsets, where position + 1 is not a
  // readable position): each page starts at the last event read, which is skipped.
  let seen = -1;
  for (;;) {
    const page = await store.readAll({ ...(seen >= 0 ? { fromPosition: seen } : {}), maxCount: PAGE, filter });
    const fresh = page.filter((event) => event.position > seen);
    for (const event of fresh) apply(event);
    const last = page.at(-1);
    if (fresh.length > 0 && last !== undefined) seen = last.position;
    if (last === undefined || fresh.length === 0 || page.length < PAGE) break;
  }

  // The live feed goes on after the newer of the head and the last event read (the catch-up
  // read to the end of the log, which may be past `head`); after a store outage it
  // resubscribes after the last event it delivered, so nothing is lost or folded twice.
  let halted: string | undefined;
  let lost: string | undefined;
  const feed: LogFeed = new LogFeed({ store, afterPosition: Math.max(head, seen, 0), filter }, {
    onEvent: (event) => {
      // A fold that threw stops the feed for good: a key's revocation folded after a key event
      // it skipped would be a registry no request can trust.
      if (halted !== undefined) return;
      try {
        apply(event);
      } catch (error) {
        halted = `halted before ${event.streamId}@${event.revision} (${event.type}, position ${event.position}): ${error instanceof Error ? error.message : String(error)}`;
        log.error({ err: error, streamId: event.streamId, revision: event.revision, position: event.position }, `cannot fold an event of the ${streams} streams; the feed stopped before it`);
        void feed.stop();
      }
    },
    onLost: (error, retryInMs) => {
      lost = `resubscribing in ${retryInMs} ms: ${error instanceof Error ? error.message : String(error)}`;
      log.error({ err: error, retryInMs }, `the live feed of the ${streams} streams lost the store; resubscribing`);
    },
    onResubscribed: () => {
      lost = undefined;
      log.info(`the live feed of the ${streams} streams resubscribed`);
    },
  });
  await feed.start();

  return {
    healthy: () => halted === undefined && lost === undefined,
    detail: () => halted ?? lost ?? 'following',
    close: () => feed.stop(),
  };
}

/** Reads back what a command just appended to `streamId` and folds it, before answering. */
export async function applyCommitted(
  store: EventStore,
  streamId: string,
  result: { readonly revision: number; readonly events: readonly unknown[] },
  apply: (event: RecordedEvent) => void,
): Promise<void> {
  if (result.events.length === 0) return;
  const committed = await store.readStream(streamId, { fromRevision: result.revision - result.events.length + 1 });
  for (const event of committed) apply(event);
}
