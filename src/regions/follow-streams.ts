/**
 * Keeps in-memory folds (the region catalogue, the key registry) in step with the streams of
 * some prefixes: it catches up before the app serves (a key must work, a region be known, from
 * the first request), then follows live. Requests never wait for the live feed: a command
 * applies what it committed itself (`applyCommitted`), so its effect (a revocation above all)
 * holds for the very next request; the feed then brings the same event again and `apply`
 * must ignore what it has seen (fold by stream revision).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventStore, RecordedEvent } from '../event-store/port.js';

export interface StreamFollower {
  /** False once the live feed has ended or an event could not be folded. */
  readonly healthy: () => boolean;
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
    if (last === undefined || fresh.length === 0 || page.length < PAGE) break;
    seen = last.position;
  }

  // Everything after `head` comes again through the subscription, some of it perhaps
  // already read above: `apply` ignores the repeats, and nothing falls in a gap.
  const subscription = store.subscribeToAll({ afterPosition: head, filter });
  let healthy = true;
  let closing = false;
  const running = (async () => {
    try {
      for await (const event of subscription) {
        try {
          apply(event);
        } catch (error) {
          healthy = false;
          log.error({ err: error, streamId: event.streamId, revision: event.revision }, `cannot fold an event of the ${streams} streams`);
        }
      }
    } catch (error) {
      if (!closing) log.error({ err: error }, `the live feed of the ${streams} streams ended`);
    } finally {
      healthy = false;
    }
  })();

  return {
    healthy: () => healthy,
    close: async () => {
      closing = true;
      await subscription.close().catch(() => undefined);
      await running;
    },
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
