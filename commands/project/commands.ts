/**
 * The project stream's commands: what the HTTP layer constructs.
 *
 * - `POST /v1/projects` → RegisterProject, `data` the parsed ProjectRegistered body (with the
 *   generated projectId when absent);
 * - `POST /v1/projects/{id}/milestones` → PostMilestone, `event` is `{ type: body.type, data }`
 *   with `data` the body parsed by `eventSchemas[body.type]` plus the path's projectId.
 *
 * `now` is the instant the command is decided at (the record time to be) and `today` its
 * business date in China (`chinaDateOf(now)`): the decider never reads a clock.
 */
import type { Clock } from '../shared/clock.js';
import type { ProjectEvent, ProjectEventData } from './events.js';

export { clockAt, type Clock } from '../shared/clock.js';

/** A project event other than its registration: what a milestone body describes. */
export type MilestoneEvent = Exclude<ProjectEvent, { type: 'ProjectRegistered' }>;

export interface RegisterProject extends Clock {
  readonly type: 'RegisterProject';
  readonly data: ProjectEventData<'ProjectRegistered'>;
}

/** A 集中开工 batch as scheduled: the projects it holds. */
export interface ScheduledBatch {
  readonly batchId: string;
  readonly projectIds: readonly string[];
}

export interface PostMilestone extends Clock {
  readonly type: 'PostMilestone';
  readonly event: MilestoneEvent;
  /**
   * For a Started naming a batch: that batch as its stream holds it, read by the handler
   * (post-milestone.ts); absent when no such batch is scheduled.
   */
  readonly namedBatch?: ScheduledBatch;
}

export type ProjectCommand = RegisterProject | PostMilestone;
