import t, { type Test } from 'tap';
import { scheduleGroundbreakingBatch } from '../../commands/batch/schedule-batch.js';
import type { ScheduleGroundbreakingBatch } from '../../commands/batch/decider.js';
import { membershipDecider, membershipStreamId } from '../../commands/batch/membership.js';
import { batchStreamId } from '../../commands/batch/events.js';
import { handleCommand } from '../../commands/handle-command.js';
import { verifyChain } from '../../commands/hash-chain.js';
import { projectDecider } from '../../commands/project/decider.js';
import { projectStreamId } from '../../commands/project/events.js';
import type { MilestoneEvent } from '../../commands/project/commands.js';
import { StreamNotFound } from '../../src/event-store/errors.js';
import type { EventStore } from '../../src/event-store/port.js';
import { approved, at, post, register, registered, started } from './project-fixtures.js';
import { bureau, openStore, RacingStore, refusedWith } from './store-helpers.js';

const PROJECTS = ['ZQ-1', 'ZQ-2', 'ZQ-3'];

async function withProjects(t: Test): Promise<EventStore> {
  const store = openStore(t);
  for (const id of PROJECTS) {
    const event = registered();
    await handleCommand(store, projectStreamId(id), projectDecider, register({ ...event, data: { ...event.data, projectId: id } }), bureau());
  }
  return store;
}

const schedule = (batchId: string, projectIds: string[]): ScheduleGroundbreakingBatch => ({
  type: 'ScheduleGroundbreakingBatch', ...at('2025-03-20'),
  data: { batchId, regionCode: '131121', name: `集中开工 ${batchId}`, occurredOn: '2025-03-20', ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds },
});

const holder = async (store: EventStore, projectId: string) => {
  const events = await store.readStream(membershipStreamId(projectId)).catch((error: unknown) => {
    if (error instanceof StreamNotFound) return [];
    throw error;
  });
  return events.reduce((state, e) => membershipDecider.evolve(state, membershipDecider.decode(e)), membershipDecider.initialState()).batchId;
};

t.test('a batch claims its projects, then is scheduled', async (t) => {
  const store = await withProjects(t);
  const result = await scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1', 'ZQ-2']), bureau());
  t.strictSame(result.events, ['GroundbreakingBatchScheduled']);
  t.equal(result.revision, 0);
  t.equal(result.state.status, 'scheduled');
  t.equal(await holder(store, 'ZQ-1'), 'Q2');
  t.equal(await holder(store, 'ZQ-2'), 'Q2');
  t.equal(await holder(store, 'ZQ-3'), undefined);
  t.strictSame(verifyChain(await store.readStream(membershipStreamId('ZQ-1'))), { intact: true });
  t.strictSame(verifyChain(await store.readStream(batchStreamId('Q2'))), { intact: true });
});

t.test('a project joins at most one batch', async (t) => {
  const store = await withProjects(t);
  await scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1']), bureau());
  await refusedWith(t, scheduleGroundbreakingBatch(store, schedule('Q3', ['ZQ-2', 'ZQ-1']), bureau()), 'project-already-in-batch');
  t.equal(await holder(store, 'ZQ-2'), undefined, 'refused before claiming anything');
});

t.test('only before it has started', async (t) => {
  const store = await withProjects(t);
  const approval = approved();
  const start = started({ occurredOn: '2025-03-18' });
  const events: MilestoneEvent[] = [
    { ...approval, data: { ...approval.data, projectId: 'ZQ-3' } },
    { ...start, data: { ...start.data, projectId: 'ZQ-3' } },
  ];
  for (const event of events) await handleCommand(store, projectStreamId('ZQ-3'), projectDecider, post(event), bureau());
  await refusedWith(t, scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1', 'ZQ-3']), bureau()), 'batch-project-already-started');
  await t.rejects(store.readStream(batchStreamId('Q2')), StreamNotFound, 'no batch');
  t.equal(await holder(store, 'ZQ-1'), undefined, 'no claim');
});

t.test('a batch id is scheduled once', async (t) => {
  const store = await withProjects(t);
  await scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1']), bureau());
  await refusedWith(t, scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-2']), bureau()), 'batch-already-scheduled');
  t.equal(await holder(store, 'ZQ-2'), undefined);
});

t.test('two batches racing for a project: exactly one has it, the other releases its claims', async (t) => {
  const inner = await withProjects(t);
  // Each scheduling reads 2 project streams, 2 membership streams and its batch stream.
  const store = new RacingStore(inner, 10);
  const results = await Promise.allSettled([
    scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1', 'ZQ-2']), bureau()),
    scheduleGroundbreakingBatch(store, schedule('Q3', ['ZQ-2', 'ZQ-3']), bureau()),
  ]);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one batch is scheduled');
  const loser = results.findIndex((r) => r.status === 'rejected');
  const refused = results[loser];
  t.equal(refused?.status === 'rejected' && refused.reason instanceof Error && 'rule' in refused.reason && refused.reason.rule, 'project-already-in-batch');
  const [winnerId, loserId] = loser === 0 ? ['Q3', 'Q2'] : ['Q2', 'Q3'];
  t.equal(await holder(inner, 'ZQ-2'), winnerId, 'the shared project is the winner’s');
  const loserOnly = loserId === 'Q2' ? 'ZQ-1' : 'ZQ-3';
  t.equal(await holder(inner, loserOnly), undefined, 'the loser released its other claim');
  await t.rejects(inner.readStream(batchStreamId(loserId)), StreamNotFound, 'the loser was not scheduled');
  await t.resolves(scheduleGroundbreakingBatch(inner, schedule('Q4', [loserOnly]), bureau()), 'the released project can join another batch');
});

t.test('a claim left by a crash is adopted when the same batch is sent again', async (t) => {
  const store = await withProjects(t);
  await handleCommand(store, membershipStreamId('ZQ-1'), membershipDecider,
    { type: 'ClaimBatchMembership', projectId: 'ZQ-1', batchId: 'Q2', occurredOn: '2025-03-20' }, bureau());
  await refusedWith(t, scheduleGroundbreakingBatch(store, schedule('Q3', ['ZQ-1']), bureau()), 'project-already-in-batch', 'another batch cannot take it');
  await t.resolves(scheduleGroundbreakingBatch(store, schedule('Q2', ['ZQ-1', 'ZQ-2']), bureau()));
  t.equal((await store.readStream(membershipStreamId('ZQ-1'))).length, 1, 'the claim was adopted, not written twice');
});
