import t from 'tap';
import { z } from 'zod';
import { DomainRuleBroken } from '../../commands/decider.js';
import { handleCommand, StaleRevision } from '../../commands/handle-command.js';
import { GENESIS_HASH, verifyChain } from '../../commands/hash-chain.js';
import { projectDecider } from '../../commands/project/decider.js';
import { projectStreamId } from '../../commands/project/events.js';
import type { ProjectCommand } from '../../commands/project/commands.js';
import { targetsDecider } from '../../commands/targets/decider.js';
import { WrongExpectedRevision } from '../../src/event-store/errors.js';
import { createUpcasterRegistry, defineUpcaster } from '../../migrations/upcasters/registry.js';
import { upcastingStore } from '../../src/event-store/upcasting-store.js';
import { busyStreams } from '../../commands/stream-queue.js';
import { approved, at, fundsArrived, investmentReported, landAcquired, post, PROJECT, register, registered, started, statisticsEntered } from './project-fixtures.js';
import { bureau, openStore, RacingStore, refusedWith } from './store-helpers.js';

const STREAM = projectStreamId(PROJECT);
/**
 * The same store as another process sees it: commands from one process on one stream are
 * queued (commands/stream-queue.ts), so a race needs a second writer, which a second object
 * over the same store stands for.
 */
const otherProcess = <S extends object>(store: S): S => new Proxy(store, {});
const run = (store: Parameters<typeof handleCommand>[0], command: ProjectCommand, context = bureau()) =>
  handleCommand(store, STREAM, projectDecider, command, context);

t.test('a command appends its events, stamped and chained', async (t) => {
  const store = openStore(t);
  let ids = 0;
  const first = await run(store, register(), bureau({ idempotencyKey: 'k-1', newEventId: () => `00000000-0000-4000-8000-00000000000${ids++}` }));
  t.equal(first.revision, 0);
  t.strictSame(first.events, ['ProjectRegistered']);
  t.equal(first.state.status === 'registered' && first.state.stage, 'PLANNED');
  const second = await run(store, post(started()), bureau({ correlationId: 'req-2', causationId: 'cmd-2' }));
  t.equal(second.revision, 1);
  t.ok(second.position > first.position);
  t.equal(second.state.status === 'registered' && second.state.stage, 'STARTED');

  const [e0, e1] = await store.readStream(STREAM);
  t.equal(e0?.id, '00000000-0000-4000-8000-000000000000');
  t.strictSame(e0?.metadata, {
    actor: { keyId: 'key-zq-1', role: 'bureau', regions: ['131121'] }, correlationId: 'req-1', causationId: 'req-1',
    schemaVersion: 1, prevHash: GENESIS_HASH, hash: e0?.metadata['hash'], idempotencyKey: 'k-1',
  });
  t.equal(e1?.metadata['prevHash'], e0?.metadata['hash'], 'chained to the previous event');
  t.equal(e1?.metadata['causationId'], 'cmd-2');
  t.strictSame(e1?.metadata['flags'], ['started-without-approval'], 'soft rules travel in metadata');
  t.notOk('flags' in (e1?.data ?? {}), 'flags are not event data');
  t.strictSame(verifyChain(await store.readStream(STREAM)), { intact: true });
});

t.test('a refused command appends nothing', async (t) => {
  const store = openStore(t);
  await run(store, register());
  await refusedWith(t, run(store, post(statisticsEntered())), 'statistics-needs-started');
  t.equal((await store.readStream(STREAM)).length, 1);
  t.equal((await run(store, post(started()))).revision, 1, 'the stream carries on');
});

t.test('If-Match', async (t) => {
  const store = openStore(t);
  await t.resolves(run(store, register(), bureau({ expectedRevision: 'no_stream' })), 'no_stream on a new stream');
  await t.rejects(run(store, register(), bureau({ expectedRevision: 'no_stream' })), StaleRevision, 'no_stream on an existing stream');
  t.equal((await run(store, post(approved()), bureau({ expectedRevision: 0 }))).revision, 1);
  const stale = run(store, post(started()), bureau({ expectedRevision: 0 }));
  await t.rejects(stale, { name: 'StaleRevision', expected: 0, actual: 1 });
  t.equal((await store.readStream(STREAM)).length, 2, 'nothing appended');
});

t.test('If-Match is never retried: an append between its read and its append is a StaleRevision', async (t) => {
  const inner = openStore(t);
  await run(inner, register());
  const store = new RacingStore(inner, 2);
  // Both read revision 0; the first to read is the first to append.
  const [other, ifMatch] = await Promise.allSettled([
    run(store, post(landAcquired())),
    run(otherProcess(store), post(approved()), bureau({ expectedRevision: 0 })),
  ]);
  t.equal(other.status, 'fulfilled');
  t.ok(ifMatch.status === 'rejected' && ifMatch.reason instanceof StaleRevision, 'StaleRevision');
  t.strictSame((await store.readStream(STREAM)).map((e) => e.type), ['ProjectRegistered', 'LandAcquired']);
});

t.test('concurrent commands on one stream', async (t) => {
  const given = async () => {
    const inner = openStore(t);
    for (const command of [register(), post(approved()), post(started())]) await run(inner, command);
    return new RacingStore(inner, 2);
  };

  t.test('both succeed when the rules allow it, one through a retry', async (t) => {
    const store = await given();
    const results = await Promise.all([
      run(store, post(investmentReported({ period: '2025-04' }))),
      run(otherProcess(store), post(investmentReported({ period: '2025-05', occurredOn: '2025-06-03' }))),
    ]);
    t.strictSame(results.map((r) => r.revision).sort(), [3, 4]);
    t.equal(store.conflicts, 1, 'the loser of the race retried');
    const stored = await store.readStream(STREAM);
    t.strictSame(stored.slice(3).map((e) => e.data['period']).sort(), ['2025-04', '2025-05']);
    t.strictSame(verifyChain(stored), { intact: true }, 'the retry chained to the winner');
  });

  t.test('exactly one wins when they conflict', async (t) => {
    const store = await given();
    const results = await Promise.allSettled([run(store, post(statisticsEntered())), run(otherProcess(store), post(statisticsEntered({ occurredOn: '2025-04-21' })))]);
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    t.equal(refused?.status === 'rejected' && refused.reason instanceof DomainRuleBroken && refused.reason.rule, 'statistics-once');
    t.equal((await store.readStream(STREAM)).filter((e) => e.type === 'StatisticsEntered').length, 1);
  });

  t.test('from one process they are queued, not raced: 200 at once all succeed, with no conflict', async (t) => {
    const inner = openStore(t);
    for (const command of [register(), post(approved()), post(started())]) await run(inner, command);
    const store = new RacingStore(inner, 1);
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => run(store, post(fundsArrived({ amount: 1_000 + i })))));
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 200, 'every command succeeded');
    t.equal(store.conflicts, 0, 'none read a revision another had moved past');
    const stored = await store.readStream(STREAM);
    t.equal(stored.length, 203);
    t.strictSame(verifyChain(stored), { intact: true });
    t.equal(busyStreams(store), 0, 'no queue left behind');
  });

  t.test('a refused command does not hold up the ones queued behind it', async (t) => {
    const store = openStore(t);
    const results = await Promise.allSettled([run(store, post(started())), run(store, register()), run(store, post(started()))]);
    t.equal(results[0]?.status, 'rejected', 'a milestone of a project not registered yet');
    t.equal(results[1]?.status, 'fulfilled');
    t.equal(results[2]?.status, 'fulfilled', 'queued behind a refusal, it ran');
  });

  t.test('gives up after maxAttempts', async (t) => {
    const inner = openStore(t);
    await run(inner, register());
    let attempts = 0;
    const stubborn = new (class extends RacingStore {
      override appendToStream(): never {
        attempts += 1;
        throw new WrongExpectedRevision(STREAM, 0, 1);
      }
    })(inner, 1);
    await t.rejects(run(stubborn, post(approved()), bureau({ maxAttempts: 3 })), WrongExpectedRevision);
    t.equal(attempts, 3);
  });
});

t.test('a decision of no events appends nothing', async (t) => {
  const store = openStore(t);
  const command = { type: 'SetAnnualTargets', data: { regionCode: '131121', year: 2025, occurredOn: '2025-01-20', targets: { reserveCount: 100 } }, ...at('2025-01-20') } as const;
  const first = await handleCommand(store, 'targets-131121-2025', targetsDecider, command, bureau());
  const again = await handleCommand(store, 'targets-131121-2025', targetsDecider, command, bureau());
  t.strictSame(again.events, []);
  t.equal(again.revision, first.revision);
  t.equal(again.position, first.position);
});

t.test('events are read through the upcasting store', async (t) => {
  const recorded = openStore(t);
  await run(recorded, register());
  await run(recorded, post(approved()));
  await run(recorded, post(started()));
  // An InvestmentReported written when its period was called `month` (its v1).
  await recorded.appendToStream(STREAM, [{
    type: 'InvestmentReported', data: { projectId: PROJECT, occurredOn: '2025-05-05', month: '2025-04', amount: 150_000 },
    metadata: { schemaVersion: 1 },
  }]);
  const upcasters = createUpcasterRegistry([defineUpcaster({
    type: 'InvestmentReported', fromVersion: 1,
    from: z.object({ projectId: z.string(), occurredOn: z.string(), month: z.string(), amount: z.number().int() }),
    upcast: ({ month, ...rest }) => ({ ...rest, period: month }),
  })]);
  const store = upcastingStore(recorded, upcasters);
  await refusedWith(t, run(store, post(investmentReported()), bureau({ upcasters })), 'investment-period-once', 'the decider saw the v1 report as a v2 one');
  await run(store, post(investmentReported({ period: '2025-05', occurredOn: '2025-06-02' })), bureau({ upcasters }));
  const last = (await recorded.readStream(STREAM)).at(-1);
  t.equal(last?.metadata['schemaVersion'], 2, 'new events are written at the current version');
  const v1 = (await recorded.readStream(STREAM)).find((e) => e.data['month'] !== undefined);
  t.equal(v1?.data['month'], '2025-04', 'the store as recorded still holds the v1 event as written');
});

t.test('the fixture clock', async (t) => t.strictSame(at('2025-06-15'), { now: '2025-06-15T02:00:00.000Z', today: '2025-06-15' }));
t.test('the fixture project', async (t) => t.equal(registered().data.projectId, PROJECT));
