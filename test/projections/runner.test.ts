/**
 * The projection runner on a real embedded store: catch-up then live, read-your-writes,
 * resuming from snapshots, rebuilding in the background, "as of" replays.
 */
import t from 'tap';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { jsonCodec, type Projection } from '../../projections/projection.js';
import { ProjectionRunner } from '../../projections/runner/projection-runner.js';
import { openSnapshotStore } from '../../projections/runner/snapshot-store.js';

interface Tally { counts: Record<string, number>; folded: number }

/** Counts events by type; `folded` counts every evolve call, to see what was replayed. */
const tally = (version = 1, calls = { evolve: 0 }): Projection<Tally> => ({
  name: 'tally',
  version,
  handles: ['Signed', 'Started'],
  initialState: () => ({ counts: {}, folded: 0 }),
  evolve: (state, event) => {
    calls.evolve += 1;
    if (event.type !== 'Signed' && event.type !== 'Started') return state;
    state.counts[event.type] = (state.counts[event.type] ?? 0) + 1;
    state.folded += 1;
    return state;
  },
  ...jsonCodec<Tally>(),
});

async function append(store: EventStore, n: number, type = 'Signed'): Promise<number> {
  let position = 0;
  for (let i = 0; i < n; i++) position = (await store.appendToStream(`p-${i % 7}`, [{ type, data: { i } }, { type: 'Noise', data: {} }])).position;
  return position;
}

t.test('catches up on history, then follows live appends; waitFor is read-your-writes', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await append(store, 500);
  const runner = new ProjectionRunner({ store, projection: tally(), snapshots, yieldEvery: 64 });
  await runner.start();
  t.ok(await runner.caughtUp(5000), 'caught up');
  t.equal(runner.state.counts['Signed'], 500);
  t.equal(runner.status, 'live');

  const position = await append(store, 10, 'Started');
  t.ok(await runner.waitFor(position, 2000), 'waitFor resolves once the position is applied');
  t.equal(runner.state.counts['Started'], 10);
  t.equal(runner.state.counts['Noise'], undefined, 'events it does not handle are skipped');
  t.equal(runner.position, position);
  t.equal(await runner.waitFor(position + 1000, 50), false, 'a position never reached times out');
  t.same(await runner.lag(), { events: 0, ms: 0 });
});

t.test('a restart resumes from the snapshot; a new version starts over', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await store.close(); });
  await append(store, 300);
  const first = new ProjectionRunner({ store, projection: tally(), snapshots, snapshotEvery: 100, snapshotIntervalMs: 0 });
  await first.start();
  await first.caughtUp();
  await first.stop();

  await append(store, 20);
  const calls = { evolve: 0 };
  const second = new ProjectionRunner({ store, projection: tally(1, calls), snapshots });
  await second.start();
  await second.caughtUp();
  t.equal(second.state.counts['Signed'], 320, 'the state is whole');
  t.equal(calls.evolve, 20, 'only the events after the snapshot were folded (unhandled ones never reach evolve)');
  await second.stop();

  const newVersion = { evolve: 0 };
  const third = new ProjectionRunner({ store, projection: tally(2, newVersion), snapshots });
  await third.start();
  await third.caughtUp();
  t.equal(third.state.folded, 320, 'a new version folds the whole log');
  t.ok(newVersion.evolve >= 320);
  t.equal(third.state.counts['Signed'], 320);
  await third.stop();
});

t.test('rebuild: the old state answers until the rebuilt one is swapped in at the same position', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await append(store, 2000);
  const runner = new ProjectionRunner({ store, projection: tally(), snapshots, yieldEvery: 100 });
  await runner.start();
  await runner.caughtUp();
  const before = runner.state;
  // Corrupt the live state to see the rebuild replace it.
  before.counts['Signed'] = -1;
  const rebuilt = runner.rebuild();
  t.ok(runner.rebuilding);
  t.equal(runner.state, before, 'the current state keeps answering while rebuilding');
  const during = append(store, 50);
  await Promise.all([rebuilt, during]);
  await runner.waitFor(await store.headPosition(), 2000);
  t.notOk(runner.rebuilding);
  t.equal(runner.state.counts['Signed'], 2050, 'the rebuilt state has history and what came during the rebuild, once');
  t.not(runner.state, before);
});

t.test('listeners hear each burst once, coalesced', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await runner.stop(); await store.close(); });
  const runner = new ProjectionRunner({ store, projection: tally(), snapshots });
  await runner.start();
  const bursts: number[] = [];
  runner.onApplied((events) => bursts.push(events.length));
  await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendToStream(`s-${i}`, [{ type: 'Signed', data: {} }])));
  await runner.waitFor(await store.headPosition(), 2000);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(bursts.reduce((a, b) => a + b, 0), 20, 'every event heard');
  t.ok(bursts.length < 20, `coalesced into ${bursts.length} burst(s)`);
});

t.test('a runner that loses the log resubscribes from what it applied', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await append(store, 5);
  // The first subscription fails after delivering two events, as a KurrentDB restart would.
  let subscriptions = 0;
  const flaky: EventStore = Object.assign(Object.create(store) as EventStore, {
    subscribeToAll: (options?: { afterPosition?: number }) => {
      subscriptions += 1;
      const inner = store.subscribeToAll(options);
      if (subscriptions > 1) return inner;
      let delivered = 0;
      const iterator = inner[Symbol.asyncIterator]();
      return {
        close: () => inner.close(),
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            if (delivered++ >= 2) throw new Error('connection reset');
            return iterator.next();
          },
        }),
      };
    },
    headPosition: () => store.headPosition(),
    readAll: (options?: object) => store.readAll(options),
  });
  const runner = new ProjectionRunner({ store: flaky, projection: tally(), snapshots });
  await runner.start();
  t.ok(await runner.waitFor(await store.headPosition(), 5000), 'caught up after resubscribing');
  t.equal(subscriptions, 2, 'subscribed again once');
  t.equal(runner.state.counts['Signed'], 5, 'no event lost, none applied twice');
  t.equal(runner.status, 'live');
});

t.test('snapshots wait for both enough events and enough time, and one is taken on catching up', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await append(store, 300);
  const runner = new ProjectionRunner({ store, projection: tally(), snapshots, snapshotEvery: 10, snapshotIntervalMs: 60_000 });
  await runner.start();
  await runner.caughtUp();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(snapshots.latest('tally', 1)?.position, runner.position, 'the catch-up ends with a snapshot, taken once live');
  const caughtUpAt = runner.position;
  await append(store, 50);
  await runner.waitFor(await store.headPosition(), 2000);
  t.equal(snapshots.latest('tally', 1)?.position, caughtUpAt, 'fifty more events within the minute: no snapshot yet');
});

t.test('a snapshot that cannot be written is logged, and the read model carries on', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  const errors: string[] = [];
  const logger = { info: () => undefined, error: (_details: object, message: string) => { errors.push(message); } };
  // A state too large to serialise, as a province-sized one past V8's string limit is.
  const unwritable: Projection<Tally> = { ...tally(), serialise: () => { throw new RangeError('Invalid string length'); } };
  const runner = new ProjectionRunner({ store, projection: unwritable, snapshots, logger, snapshotEvery: 10, snapshotIntervalMs: 0 });
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await runner.start();
  await append(store, 100);
  t.ok(await runner.waitFor(await store.headPosition(), 2000), 'every event applied');
  t.equal(runner.state.counts['Signed'], 100);
  t.equal(runner.status, 'live', 'still live: no resubscribe loop');
  t.ok(errors.some((m) => /snapshot failed/.test(m)), 'the failure is logged');
});

/** A big state's snapshot, slowed down: 40 chunks of 6 ms each (240 ms in all), `first` then placeholders; `seen` runs before each. */
const SLOW_CHUNKS = 40;
function* slowChunks(first: string, seen: () => void): Generator<string> {
  for (let i = 0; i < SLOW_CHUNKS; i++) {
    const until = performance.now() + 6;
    while (performance.now() < until);
    seen();
    yield i === 0 ? first : '""';
  }
}

t.test('a large snapshot is written over many turns: the loop keeps turning, the state holds still, nothing is lost', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  const counted: number[] = [];
  // The chunks read the state as they are made: held still, it is the same in every one.
  const slow: Projection<Tally> = {
    ...tally(),
    serialise: (state) => slowChunks(JSON.stringify(state), () => counted.push(state.counts['Signed'] ?? 0)),
  };
  const runner = new ProjectionRunner({ store, projection: slow, snapshots, snapshotEvery: 1, snapshotIntervalMs: 60_000 });
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await append(store, 30);
  await runner.start();
  await runner.caughtUp();
  // The catch-up snapshot starts on the next turn; meanwhile the loop must keep turning.
  await new Promise((resolve) => setImmediate(resolve));
  let ticks = 0;
  const ticker = setInterval(() => { ticks += 1; }, 1);
  const more = append(store, 20);
  while (counted.length < SLOW_CHUNKS) await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  await more;
  t.ok(ticks >= 5, `timers ran while the snapshot was written (${ticks} ticks)`);
  t.same(new Set(counted), new Set([30]), 'every chunk saw the state at the snapshot position: no event applied during the write');
  t.ok(await runner.waitFor(await store.headPosition(), 2000), 'the events that came meanwhile are applied after it');
  t.equal(runner.state.counts['Signed'], 50);
  const saved = snapshots.latest('tally', 1);
  t.equal(saved?.position, 60, 'the snapshot is of the position it was started at (30 events + 30 noise)');
  t.same(JSON.parse([...(saved?.chunks ?? [])][0] ?? '{}').counts, { Signed: 30 });
});

t.test('a projection that can freeze its state is snapshotted while the fold goes on, of the position it was taken at', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  const liveWhileWriting: number[] = [];
  let runner: ProjectionRunner<Tally> | undefined;
  // The state as it is when frozen, then slow chunks, each noting the live state meanwhile.
  const frozen: Projection<Tally> = {
    ...tally(),
    serialiseFrozen: (state) => ({
      chunks: slowChunks(JSON.stringify(state), () => liveWhileWriting.push(runner?.state.counts['Signed'] ?? 0)),
      release: () => undefined,
    }),
  };
  runner = new ProjectionRunner({ store, projection: frozen, snapshots, snapshotEvery: 1, snapshotIntervalMs: 60_000 });
  t.teardown(async () => { await runner?.stop(); await store.close(); });
  await append(store, 30);
  await runner.start();
  await runner.caughtUp();
  const more = append(store, 20);
  while (liveWhileWriting.length < SLOW_CHUNKS) await new Promise((resolve) => setTimeout(resolve, 5));
  await more;
  t.ok(Math.max(...liveWhileWriting) > 30, `events were applied while the snapshot was written (the live count reached ${Math.max(...liveWhileWriting)} during it)`);
  t.ok(await runner.waitFor(await store.headPosition(), 2000));
  t.equal(runner.state.counts['Signed'], 50);
  // The one snapshot (the next waits a minute) is of the caught-up position, whatever came during its write.
  const saved = snapshots.latest('tally', 1);
  t.equal(saved?.position, 60, 'a snapshot of the position it was taken at (30 events + 30 noise)');
  t.same(JSON.parse([...(saved?.chunks ?? [])][0] ?? '{}').counts, { Signed: 30 }, 'with the state of that position');
});

t.test('whileHolding: the state holds still through the work, and what came meanwhile is applied after', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  const runner = new ProjectionRunner({ store, projection: tally(), snapshots });
  t.teardown(async () => { await runner.stop(); await store.close(); });
  await runner.start();
  await append(store, 10);
  await runner.waitFor(await store.headPosition(), 2000);
  const seen: number[] = [];
  const answer = await runner.whileHolding(async () => {
    const position = runner.position;
    await append(store, 15); // appended and pushed to the runner while it is held
    for (let turn = 0; turn < 5; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      seen.push(runner.state.counts['Signed'] ?? 0);
    }
    return { position, samePosition: runner.position === position };
  });
  t.same(seen, [10, 10, 10, 10, 10], 'no event applied during the work');
  t.ok(answer.samePosition, 'the position did not move either');
  t.ok(await runner.waitFor(await store.headPosition(), 2000), 'the held events are applied after');
  t.equal(runner.state.counts['Signed'], 25);
});

t.test('an event the fold throws on halts the read model before it, never past it; a fixed fold folds it after the restart', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const snapshots = openSnapshotStore(':memory:');
  t.teardown(async () => { await store.close(); });
  const poisoned = (version: number, throws: boolean): Projection<Tally> => {
    const base = tally(version);
    return {
      ...base,
      evolve: (state, event) => {
        const next = base.evolve(state, event);
        // A fold that changed part of its state before throwing: the half it left must never be served.
        if (throws && (event.data as { poison?: boolean }).poison === true) throw new Error('cannot fold a poisoned event');
        return next;
      },
    };
  };
  await append(store, 40);
  const runner = new ProjectionRunner({ store, projection: poisoned(1, true), snapshots, snapshotIntervalMs: 0, snapshotEvery: 1 });
  await runner.start();
  t.ok(await runner.caughtUp(5000));
  const before = runner.position;
  await store.appendToStream('p-poison', [{ type: 'Signed', data: { poison: true } }]);
  const after = (await store.appendToStream('p-0', [{ type: 'Started', data: {} }])).position;
  t.equal(await runner.waitFor(after, 500), false, 'a waiter for a later position is told no, not left hanging');
  t.equal(runner.status, 'halted');
  t.equal(runner.position, before, 'the position stays before the event it could not fold');
  t.throws(() => runner.state, { name: 'ReadModelHalted', message: /stopped at position \d+ \(Signed p-poison@0\): its fold failed: cannot fold a poisoned event/ },
    'its state is not served: it may hold half of the event');
  await runner.stop();
  t.equal(snapshots.latest('tally', 1)?.position, before, 'nothing past the good position was snapshotted, not even on stopping');

  // The fold fixed (the same version: the data was right, the code wrong), the process restarted.
  const fixed = new ProjectionRunner({ store, projection: poisoned(1, false), snapshots });
  await fixed.start();
  t.ok(await fixed.waitFor(after, 5000), 'the fixed fold resumes from the snapshot');
  t.equal(fixed.status, 'live');
  t.same(fixed.state.counts, { Signed: 41, Started: 1 }, 'and folds the event it stopped at, exactly once');
  await fixed.stop();
});
