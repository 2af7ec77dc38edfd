/**
 * A project of the simulation: its stream tip (the decider's state, revision and hash), who
 * posts for it, and the start day a 集中开工 batch may move.
 */
import type { Category } from '../../commands/project/events.js';
import type { ProjectState } from '../../commands/project/state.js';
import type { Actor } from '../../commands/metadata.js';
import type { County } from './regions.js';
import type { StreamTip } from './writer.js';

export type Origin = 'attracted' | 'local' | 'government';

export interface SimProject {
  readonly id: string;
  readonly county: County;
  readonly category: Category;
  readonly origin: Origin;
  /** The county bureau's key: who posts the project's events. */
  readonly actor: Actor;
  readonly tip: StreamTip<ProjectState>;
  /** The planned start day while waiting to start (+∞ before it is planned). */
  startDay: number;
  batchId: string | undefined;
  /** Bumped when the project is rescheduled: older wake-ups are stale. */
  wake: number;
}
