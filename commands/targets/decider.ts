/**
 * A region's annual targets (标尺), stream `targets-<regionCode>-<year>`.
 *
 * Setting targets again REPLACES them: each AnnualTargetsSet carries the full set of measures
 * for that region and year, and a measure absent from it has no target any more. Why: the
 * HTTP contract is a PUT of the target measures (a full representation); a merge could never
 * remove a target set by mistake; and a read model (or an auditor asking "as of") needs only
 * the last event recorded, not a fold. Setting the very same targets again is a no-op (no
 * event), so a repeated PUT appends nothing.
 */
import { UnknownEventType, type Decided, type StoredEvent, type StreamDecider } from '../decider.js';
import type { Clock } from '../shared/clock.js';
import { canonicalJson } from '../hash-chain.js';
import { toJsonObject } from '../shared/json.js';
import { notInFuture, refuse } from '../rules.js';
import type { AnnualTargetsSetData, TargetsEvent } from './events.js';

export interface SetAnnualTargets extends Clock {
  readonly type: 'SetAnnualTargets';
  readonly data: AnnualTargetsSetData;
}

export type TargetsState =
  | { readonly status: 'unset' }
  | { readonly status: 'set'; readonly regionCode: string; readonly year: number; readonly targets: AnnualTargetsSetData['targets']; readonly setOn: string };

export const decideTargets = (command: SetAnnualTargets, state: TargetsState): Decided<TargetsEvent>[] => {
  const { data } = command;
  notInFuture(data.occurredOn, command.today);
  if (state.status === 'set') {
    if (state.regionCode !== data.regionCode || state.year !== data.year) {
      refuse('targets-stream-mismatch', `this stream holds ${state.regionCode}'s ${state.year} targets, not ${data.regionCode}'s ${data.year}`);
    }
    if (sameTargets(state.targets, data.targets)) return [];
  }
  return [{ type: 'AnnualTargetsSet', data }];
};

function sameTargets(a: AnnualTargetsSetData['targets'], b: AnnualTargetsSetData['targets']): boolean {
  return canonicalJson(toJsonObject(a)) === canonicalJson(toJsonObject(b));
}

export const evolveTargets = (_state: TargetsState, event: TargetsEvent): TargetsState => ({
  status: 'set', regionCode: event.data.regionCode, year: event.data.year, targets: event.data.targets, setOn: event.data.occurredOn,
});

export const targetsDecider: StreamDecider<SetAnnualTargets, TargetsEvent, TargetsState> = {
  initialState: () => ({ status: 'unset' }),
  evolve: evolveTargets,
  decide: decideTargets,
  decode: (stored: StoredEvent): TargetsEvent => {
    if (stored.type !== 'AnnualTargetsSet') throw new UnknownEventType(stored.type, 'targets');
    return { type: stored.type, data: stored.data } as TargetsEvent;
  },
};
