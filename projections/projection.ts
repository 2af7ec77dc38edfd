/**
 * A projection: a fold of the global log into a read model, and nothing else (no I/O, no
 * clock, no appends). The runner feeds it the events of `handles` in global order and keeps
 * snapshots of its state.
 *
 * Ownership: `evolve` may update `state` in place and returns the state to use next. A read
 * model over 10^5 projects cannot be copied per event (rebuilds run at ≥ 300,000 events/s),
 * so the runner owns the one live state; to keep a version of it, serialise it. States hold
 * only JSON values (plain objects, arrays, strings, finite numbers), so `serialise` /
 * `deserialise` are JSON by default, and folding a log in one go equals folding its first part,
 * serialising, deserialising and folding the rest (test/projections/snapshot.test.ts).
 *
 * A snapshot is a sequence of chunks, written and read one at a time: the state of a province
 * is more JSON than V8's longest string, and more than is worth holding twice in memory.
 *
 * Version: bump it when `evolve` or the state's shape changes; the runner then drops the
 * snapshots and checkpoint of the old version and rebuilds from the start of the log.
 */
import type { RecordedEvent } from '../src/event-store/port.js';
import type { Sliced } from './shared/sliced.js';

export interface Projection<State> {
  readonly name: string;
  readonly version: number;
  /** The event types `evolve` reacts to; it leaves the state unchanged for any other. */
  readonly handles: readonly string[];
  readonly initialState: () => State;
  readonly evolve: (state: State, event: RecordedEvent) => State;
  /** The state as chunks of text, produced lazily (the snapshot store writes each as it comes). */
  readonly serialise: (state: State) => Iterable<string>;
  /**
   * The state as it is now, as chunks read later while the fold goes on (a snapshot written
   * over many turns without holding the fold): the chunks must not change as the state does.
   * Release it when written. Without it, the runner holds the fold while it writes.
   */
  readonly serialiseFrozen?: (state: State) => { readonly chunks: Iterable<string>; release(): void };
  /** Consumes the chunks `serialise` made, in order, one at a time. */
  readonly deserialise: (chunks: Iterable<string>) => State;
  /**
   * The same, pausing between chunks (shared/sliced.ts), for a load while the server serves
   * (an "as of" replay): a province-sized state takes seconds to parse.
   */
  readonly deserialiseSliced?: (chunks: Iterable<string>) => Sliced<State>;
}

/** The JSON codec every projection here uses: its state is plain JSON data. */
export function jsonCodec<State>(): Pick<Projection<State>, 'serialise' | 'deserialise'> {
  return {
    serialise: (state) => [JSON.stringify(state)],
    // The snapshot was written by `serialise` of the same projection version: one chunk.
    deserialise: (chunks) => {
      for (const chunk of chunks) return JSON.parse(chunk) as State;
      throw new Error('an empty snapshot');
    },
  };
}

/** Folds events into a fresh state (tests, rebuilds, "as of" answers). */
export function foldAll<State>(projection: Projection<State>, events: Iterable<RecordedEvent>, from?: State): State {
  let state = from ?? projection.initialState();
  for (const event of events) state = projection.evolve(state, event);
  return state;
}
