/**
 * A store that passes every call through to `inner` except those `overrides` replace. The
 * decorators around the store (upcasting, the stream cache, tests that count reads) each change
 * one or two reads; written out by hand, each pass-through list drifted from the port (the
 * stream cache had dropped the commit observer the metrics need).
 */
import type { EventStore } from './port.js';

export type StoreOverrides = Partial<Omit<EventStore, 'kind'>>;

export function decoratedStore(inner: EventStore, overrides: StoreOverrides): EventStore {
  const { observeCommits } = inner;
  return {
    kind: inner.kind,
    appendToStream: (streamId, events, options) => inner.appendToStream(streamId, events, options),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    subscribeToAll: (options) => inner.subscribeToAll(options),
    headPosition: () => inner.headPosition(),
    logId: () => inner.logId(),
    readEventAt: (position) => inner.readEventAt(position),
    ping: () => inner.ping(),
    close: () => inner.close(),
    ...(observeCommits === undefined ? {} : { observeCommits: (observer) => observeCommits.call(inner, observer) }),
    ...overrides,
  };
}
