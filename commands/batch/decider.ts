/**
 * A 集中开工 (groundbreaking) batch, stream `batch-<batchId>`. DOMAIN.md: "a project joins at
 * most one 集中开工 batch, and only before it has started".
 *
 * The rule spans streams, so the decider decides on facts read by the handler
 * (schedule-batch.ts): each listed project's state and the batch its membership stream names.
 * It stays pure; the handler makes the membership rule hold under concurrency.
 */
import { UnknownEventType, type Decided, type StoredEvent, type StreamDecider } from '../decider.js';
import type { Clock } from '../shared/clock.js';
import { contains } from '../shared/region-code.js';
import { notInFuture, refuse } from '../rules.js';
import type { ProjectState } from '../project/state.js';
import type { BatchEvent, GroundbreakingBatchScheduledData } from './events.js';

/** What the HTTP layer constructs for `POST /v1/batches`. */
export interface ScheduleGroundbreakingBatch extends Clock {
  readonly type: 'ScheduleGroundbreakingBatch';
  readonly data: GroundbreakingBatchScheduledData;
}

/** The command with the facts the handler read from the other streams. */
export interface BatchScheduling extends ScheduleGroundbreakingBatch {
  readonly projects: ReadonlyMap<string, ProjectState>;
  /** projectId → the batch already holding it. */
  readonly memberships: ReadonlyMap<string, string>;
}

export type BatchState =
  | { readonly status: 'unscheduled' }
  | { readonly status: 'scheduled'; readonly batch: GroundbreakingBatchScheduledData };

export const decideBatch = (command: BatchScheduling, state: BatchState): Decided<BatchEvent>[] => {
  const { data } = command;
  if (state.status === 'scheduled') refuse('batch-already-scheduled', `batch ${data.batchId} is already scheduled`);
  notInFuture(data.occurredOn, command.today);
  for (const projectId of data.projectIds) {
    const project = command.projects.get(projectId);
    if (project === undefined || project.status === 'unregistered') refuse('project-not-registered', `project ${projectId} is not registered`);
    if (project.stage === 'WITHDRAWN') refuse('nothing-follows-withdrawn', `project ${projectId} was withdrawn`);
    if (project.milestones.Started !== undefined) {
      refuse('batch-project-already-started', `project ${projectId} started on ${project.milestones.Started}`);
    }
    if (!contains(data.regionCode, project.details.regionCode)) {
      refuse('batch-project-outside-region', `project ${projectId} (${project.details.regionCode}) is outside ${data.regionCode}`);
    }
    const holder = command.memberships.get(projectId);
    if (holder !== undefined && holder !== data.batchId) refuse('project-already-in-batch', `project ${projectId} is in batch ${holder}`);
  }
  return [{ type: 'GroundbreakingBatchScheduled', data }];
};

export const batchDecider: StreamDecider<BatchScheduling, BatchEvent, BatchState> = {
  initialState: () => ({ status: 'unscheduled' }),
  evolve: (_state, event) => ({ status: 'scheduled', batch: event.data }),
  decide: decideBatch,
  decode: (stored: StoredEvent): BatchEvent => {
    if (stored.type !== 'GroundbreakingBatchScheduled') throw new UnknownEventType(stored.type, 'batch');
    return { type: stored.type, data: stored.data } as BatchEvent;
  },
};
