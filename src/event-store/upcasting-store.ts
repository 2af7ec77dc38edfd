/**
 * The one place where stored events are lifted to the current schema (migrations/upcasters):
 * a decorator around the store, so every reader (the command handler's streams, the read
 * side's feed, project history, the key and region followers, the CLI) sees current events
 * and none of them upcasts on its own. Appends pass through untouched.
 *
 * Only what proves the log reads the store as recorded, around this decorator: the log's
 * tree and the audit routes (a leaf is what was written, never what it reads as today).
 */
import type { UpcasterRegistry } from '../../migrations/upcasters/registry.js';
import { decoratedStore } from './decorated-store.js';
import type { EventStore, RecordedEvent, Subscription } from './port.js';

export function upcastingStore(store: EventStore, upcasters: UpcasterRegistry): EventStore {
  const lift = (events: RecordedEvent[]): RecordedEvent[] => {
    // Most events are current: upcast returns them as they are, and the array is kept.
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i];
      if (event === undefined) continue;
      const current = upcasters.upcast(event);
      if (current !== event) events[i] = current;
    }
    return events;
  };
  return decoratedStore(store, {
    readStream: async (streamId, options) => lift(await store.readStream(streamId, options)),
    readAll: async (options) => lift(await store.readAll(options)),
    subscribeToAll: (options) => upcastingSubscription(store.subscribeToAll(options), upcasters),
    readEventAt: async (position) => {
      const event = await store.readEventAt(position);
      return event === undefined ? undefined : upcasters.upcast(event);
    },
  });
}

function upcastingSubscription(subscription: Subscription, upcasters: UpcasterRegistry): Subscription {
  return {
    close: () => subscription.close(),
    [Symbol.asyncIterator]: () => {
      const inner = subscription[Symbol.asyncIterator]();
      return {
        next: async () => {
          const result = await inner.next();
          return result.done === true ? result : { done: false, value: upcasters.upcast(result.value) };
        },
        return: async () => {
          await subscription.close();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
