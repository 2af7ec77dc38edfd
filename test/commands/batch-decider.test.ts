import t, { type Test } from 'tap';
import { batchDecider, type BatchScheduling } from '../../commands/batch/decider.js';
import type { BatchEvent, GroundbreakingBatchScheduledData } from '../../commands/batch/events.js';
import { membershipDecider } from '../../commands/batch/membership.js';
import { projectDecider } from '../../commands/project/decider.js';
import type { ProjectEvent } from '../../commands/project/events.js';
import type { ProjectState } from '../../commands/project/state.js';
import { deciderSpec } from './decider-spec.js';
import { approved, at, registered, started, withdrawn } from './project-fixtures.js';

const batch = (fields: Partial<GroundbreakingBatchScheduledData> = {}): GroundbreakingBatchScheduledData => ({
  batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '枣强县2025年第二季度重点项目集中开工', occurredOn: '2025-03-20',
  ceremonyOn: '2025-04-08', mustStartBy: '2025-06-30', projectIds: ['ZQ-2025-0017'], ...fields,
});
const scheduled = (fields: Partial<GroundbreakingBatchScheduledData> = {}): BatchEvent => ({ type: 'GroundbreakingBatchScheduled', data: batch(fields) });
const fold = (...events: ProjectEvent[]): ProjectState => events.reduce(projectDecider.evolve, projectDecider.initialState());
const schedule = (
  projects: Record<string, ProjectState>, memberships: Record<string, string> = {}, fields: Partial<GroundbreakingBatchScheduledData> = {},
): BatchScheduling => ({
  type: 'ScheduleGroundbreakingBatch', data: batch({ projectIds: Object.keys(projects), ...fields }), ...at('2025-03-20'),
  projects: new Map(Object.entries(projects)), memberships: new Map(Object.entries(memberships)),
});
const given = (t: Test, events: BatchEvent[]) => deciderSpec(t, batchDecider).given(events);
const planned = fold(registered());

t.test('when the batch is not scheduled', async (t) => {
  t.test('GroundbreakingBatchScheduled', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': planned })).then([scheduled()]));
  t.test('a project already in another batch is refused', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': planned }, { 'ZQ-2025-0017': 'ZQ-2025-Q1' })).thenThrows('project-already-in-batch'));
  t.test("a claim by this very batch (a retried scheduling) is its own", async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': planned }, { 'ZQ-2025-0017': 'ZQ-2025-Q2' })).then([scheduled()]));
  t.test('a started project is refused', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': fold(registered(), approved(), started({ occurredOn: '2025-03-18' })) })).thenThrows('batch-project-already-started'));
  t.test('an unknown project is refused', async (t) =>
    given(t, []).when(schedule({ 'ZQ-404': projectDecider.initialState() })).thenThrows('project-not-registered'));
  t.test('a withdrawn project is refused', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': fold(registered(), withdrawn({ occurredOn: '2025-03-01' })) })).thenThrows('nothing-follows-withdrawn'));
  t.test("a project outside the batch's region is refused", async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': fold(registered({ regionCode: '410225' })) })).thenThrows('batch-project-outside-region'));
  t.test('a city batch takes its counties’ projects', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': planned }, {}, { regionCode: '131100' })).then([scheduled({ regionCode: '131100' })]));
  t.test('dated in the future is refused', async (t) =>
    given(t, []).when(schedule({ 'ZQ-2025-0017': planned }, {}, { occurredOn: '2025-03-21' })).thenThrows('occurred-on-not-in-future'));
});

t.test('when the batch is scheduled', async (t) => {
  t.test('scheduling it again is refused', async (t) =>
    given(t, [scheduled()]).when(schedule({ 'ZQ-2025-0017': planned })).thenThrows('batch-already-scheduled'));
});

t.test('a membership', async (t) => {
  const claim = { type: 'ClaimBatchMembership', projectId: 'P1', batchId: 'B1', occurredOn: '2025-03-20' } as const;
  const release = { type: 'ReleaseBatchMembership', projectId: 'P1', batchId: 'B1', occurredOn: '2025-03-20', reason: 'not scheduled' } as const;
  const claimed = { type: 'BatchMembershipClaimed', data: { projectId: 'P1', batchId: 'B1', occurredOn: '2025-03-20' } } as const;
  const released = { type: 'BatchMembershipReleased', data: { ...claimed.data, reason: 'not scheduled' } } as const;
  const given = (t: Test, events: Parameters<typeof membershipDecider.evolve>[1][]) => deciderSpec(t, membershipDecider).given(events);
  t.test('is claimed when free', async (t) => given(t, []).when(claim).then([claimed]));
  t.test('is claimed again after a release', async (t) => given(t, [claimed, released]).when(claim).then([claimed]));
  t.test('is adopted by the same batch', async (t) => given(t, [claimed]).when(claim).then([]));
  t.test('is refused to another batch', async (t) => given(t, [claimed]).when({ ...claim, batchId: 'B2' }).thenThrows('project-already-in-batch'));
  t.test('is released by its batch only', async (t) => {
    given(t, [claimed]).when(release).then([released]);
    given(t, [claimed]).when({ ...release, batchId: 'B2' }).then([]);
    given(t, []).when(release).then([]);
  });
});
