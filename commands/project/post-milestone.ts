/**
 * Posting a milestone: the project decider on the project's stream, given the facts of the
 * other streams its rules need. Today that is the batch a Started names (`batch-<batchId>`),
 * read before the decision; a batch is scheduled once and never changes, so the read cannot go
 * stale (a batch scheduled just after the read is refused now and can be named on a retry).
 */
import type { EventStore } from '../../src/event-store/port.js';
import { handleCommand, loadStream, type CommandContext, type CommandResult } from '../handle-command.js';
import { batchDecider } from '../batch/decider.js';
import { batchStreamId } from '../batch/events.js';
import type { PostMilestone, ScheduledBatch } from './commands.js';
import { projectDecider } from './decider.js';
import type { ProjectEvent } from './events.js';
import type { ProjectState } from './state.js';

export async function postMilestone(
  store: EventStore, streamId: string, command: PostMilestone, context: CommandContext,
): Promise<CommandResult<ProjectEvent, ProjectState>> {
  const batchId = command.event.type === 'Started' ? command.event.data.batchId : undefined;
  const namedBatch = batchId === undefined ? undefined : await scheduledBatch(store, batchId);
  return handleCommand(store, streamId, projectDecider, namedBatch === undefined ? command : { ...command, namedBatch }, context);
}

/** The batch as its stream holds it, if it is scheduled. */
export async function scheduledBatch(store: EventStore, batchId: string): Promise<ScheduledBatch | undefined> {
  const { state } = await loadStream(store, batchStreamId(batchId), batchDecider);
  return state.status === 'scheduled' ? { batchId, projectIds: state.batch.projectIds } : undefined;
}
