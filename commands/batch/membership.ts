/**
 * A project's 集中开工 batch membership, stream `groundbreaking-membership-<projectId>`:
 * the lock behind "a project joins at most one batch" (see schedule-batch.ts for the design).
 *
 * The prefix is deliberately not `batch-` nor `project-`, so that read models filtering on
 * those prefixes never see these bookkeeping events.
 */
import { UnknownEventType, type Decided, type StoredEvent, type StreamDecider } from '../decider.js';
import { refuse } from '../rules.js';

export const MEMBERSHIP_STREAM_PREFIX = 'groundbreaking-membership-';
export function membershipStreamId(projectId: string): string {
  return `${MEMBERSHIP_STREAM_PREFIX}${projectId}`;
}

interface Membership {
  readonly projectId: string;
  readonly batchId: string;
  readonly occurredOn: string;
}

export type MembershipEvent =
  | { readonly type: 'BatchMembershipClaimed'; readonly data: Membership }
  /** Only the scheduling that claimed it releases it, when that batch was not scheduled. */
  | { readonly type: 'BatchMembershipReleased'; readonly data: Membership & { readonly reason: string } };

export type MembershipCommand =
  | ({ readonly type: 'ClaimBatchMembership' } & Membership)
  | ({ readonly type: 'ReleaseBatchMembership'; readonly reason: string } & Membership);

export interface MembershipState {
  /** The batch holding the project, if any. */
  readonly batchId?: string;
}

export const membershipDecider: StreamDecider<MembershipCommand, MembershipEvent, MembershipState> = {
  initialState: () => ({}),
  evolve: (_state, event) => (event.type === 'BatchMembershipClaimed' ? { batchId: event.data.batchId } : {}),
  decide: (command, state): Decided<MembershipEvent>[] => {
    const { projectId, batchId, occurredOn } = command;
    if (command.type === 'ReleaseBatchMembership') {
      return state.batchId === batchId ? [{ type: 'BatchMembershipReleased', data: { projectId, batchId, occurredOn, reason: command.reason } }] : [];
    }
    if (state.batchId === batchId) return []; // already this batch's: a retried scheduling adopts it
    if (state.batchId !== undefined) refuse('project-already-in-batch', `project ${projectId} is in batch ${state.batchId}`);
    return [{ type: 'BatchMembershipClaimed', data: { projectId, batchId, occurredOn } }];
  },
  decode: (stored: StoredEvent): MembershipEvent => {
    if (stored.type !== 'BatchMembershipClaimed' && stored.type !== 'BatchMembershipReleased') throw new UnknownEventType(stored.type, 'batch membership');
    return { type: stored.type, data: stored.data } as MembershipEvent;
  },
};
