/**
 * Scheduling a 集中开工 batch: "a project joins at most one batch, and only before it has
 * started" spans the batch stream and one stream per project, and the store appends
 * atomically to one stream only. The design:
 *
 * 1. Read the batch stream, every listed project's stream and its membership stream
 *    (`groundbreaking-membership-<projectId>`), and decide on that snapshot: most refusals
 *    (started, withdrawn, another batch, outside the region) happen here, before any write.
 * 2. Claim each project: append BatchMembershipClaimed to its membership stream with the
 *    revision read (`no_stream` the first time). Two batches racing for a project both try
 *    to append at the same revision; the store lets exactly one through, and the loser's
 *    handler re-reads and is refused `project-already-in-batch`.
 * 3. Append GroundbreakingBatchScheduled to `batch-<batchId>` (expected `no_stream`).
 * 4. If anything fails after a claim, release the claims this attempt made (and only those,
 *    and not those of a same-id batch that did get scheduled), then rethrow.
 *
 * Claims come first so the log never holds a batch with a project it cannot have: the worst
 * outcome of a crash between 2 and 3 is a project held by a batch that does not exist. It is
 * not lost: a claim naming the same batchId is adopted, so re-sending the same scheduling
 * finishes it. Trade-offs accepted: a batch of N projects costs N + 1 appends (rare: a few
 * batches a quarter); the project states are a snapshot, so a project started in the
 * milliseconds between the read and the batch append still joins (its Started and the batch
 * are then effectively simultaneous); and two concurrent schedulings of one new batchId with
 * different project lists can leave a claim released under the one that wins (one batch id,
 * two bodies, at the same moment; not closed here).
 */
import type { EventStore } from '../../src/event-store/port.js';
import { handleCommand, loadStream, type CommandContext, type CommandResult } from '../handle-command.js';
import { projectDecider } from '../project/decider.js';
import { projectStreamId } from '../project/events.js';
import type { ProjectState } from '../project/state.js';
import { batchDecider, type BatchScheduling, type BatchState, type ScheduleGroundbreakingBatch } from './decider.js';
import { batchStreamId, type BatchEvent } from './events.js';
import { membershipDecider, membershipStreamId } from './membership.js';

export async function scheduleGroundbreakingBatch(
  store: EventStore, command: ScheduleGroundbreakingBatch, context: CommandContext,
): Promise<CommandResult<BatchEvent, BatchState>> {
  const { batchId, projectIds, occurredOn } = command.data;
  const streamId = batchStreamId(batchId);
  const scheduling = await readFacts(store, command, context);
  batchDecider.decide(scheduling, (await loadStream(store, streamId, batchDecider)).state);

  // If-Match concerns the batch stream only; membership appends retry on their own.
  const { expectedRevision: _ifMatch, ...claimContext } = context;
  const results = await Promise.allSettled(projectIds.map((projectId) =>
    handleCommand(store, membershipStreamId(projectId), membershipDecider, { type: 'ClaimBatchMembership', projectId, batchId, occurredOn }, claimContext)));
  const claimed = projectIds.filter((_, i) => {
    const result = results[i];
    return result?.status === 'fulfilled' && result.value.events.length > 0;
  });
  try {
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return await handleCommand(store, streamId, batchDecider, scheduling, context);
  } catch (error) {
    await releaseClaims(store, batchId, claimed, occurredOn, claimContext, error);
    throw error;
  }
}

async function readFacts(store: EventStore, command: ScheduleGroundbreakingBatch, context: CommandContext): Promise<BatchScheduling> {
  const ids = command.data.projectIds;
  const [projects, memberships] = await Promise.all([
    Promise.all(ids.map(async (id) => [id, (await loadStream(store, projectStreamId(id), projectDecider)).state] as const)),
    Promise.all(ids.map(async (id) => [id, (await loadStream(store, membershipStreamId(id), membershipDecider)).state.batchId] as const)),
  ]);
  return {
    ...command,
    projects: new Map<string, ProjectState>(projects),
    memberships: new Map(memberships.flatMap(([id, batch]) => (batch === undefined ? [] : [[id, batch] as const]))),
  };
}

/** Best effort: a release that fails leaves a claim the same scheduling can adopt later. */
async function releaseClaims(
  store: EventStore, batchId: string, claimed: readonly string[], occurredOn: string, context: CommandContext, cause: unknown,
): Promise<void> {
  if (claimed.length === 0) return;
  const batch = await loadStream(store, batchStreamId(batchId), batchDecider).catch(() => undefined);
  const scheduled = new Set(batch?.state.status === 'scheduled' ? batch.state.batch.projectIds : []);
  const reason = `batch ${batchId} was not scheduled: ${cause instanceof Error ? cause.message : String(cause)}`.slice(0, 500);
  await Promise.allSettled(claimed.filter((id) => !scheduled.has(id)).map((projectId) =>
    handleCommand(store, membershipStreamId(projectId), membershipDecider, { type: 'ReleaseBatchMembership', projectId, batchId, occurredOn, reason }, context)));
}
