/**
 * The decider of a custom region's stream `region-<code>`: it is registered once, under an
 * official region that the catalogue knows (not the country, not a 市辖区 grouping, not
 * another custom region: custom regions do not nest, so that roll-up by prefix stays exact).
 */
import { DomainRuleBroken, UnknownEventType, type StoredEvent, type StreamDecider } from '../decider.js';
import { customRegionRegisteredSchema, parentCodeOf, type RegionEvent } from './events.js';
import type { RegionCommand } from './commands.js';
import type { RegionRuleName } from './rules.js';

export type RegionState =
  | { readonly status: 'unregistered' }
  | { readonly status: 'registered'; readonly code: string; readonly parentCode: string; readonly name: string };

function refuse(rule: RegionRuleName | 'occurred-on-not-in-future', message: string): never {
  throw new DomainRuleBroken(rule, message);
}

export function decideRegion(command: RegionCommand, state: RegionState): RegionEvent[] {
  const { code, parent } = command;
  if (state.status === 'registered') refuse('region-already-registered', `region ${code} is already registered as ${state.name}`);
  const parentCode = parentCodeOf(code);
  if (parent === undefined || parent.code !== parentCode) refuse('region-unknown', `the parent region ${parentCode} of ${code} is not known`);
  if (parent.grouping || parent.level === 'country' || parent.level === 'custom') {
    refuse('region-parent-not-official', `${parentCode} cannot have custom child regions: choose an official province, city, county or township`);
  }
  if (command.occurredOn > command.today) refuse('occurred-on-not-in-future', `occurredOn ${command.occurredOn} is after today, ${command.today}`);
  return [{ type: 'CustomRegionRegistered', data: { code, parentCode, name: command.name, occurredOn: command.occurredOn } }];
}

export function evolveRegion(state: RegionState, event: RegionEvent): RegionState {
  switch (event.type) {
    case 'CustomRegionRegistered':
      return { status: 'registered', code: event.data.code, parentCode: event.data.parentCode, name: event.data.name };
    default: {
      const unexpected: never = event.type;
      return unexpected;
    }
  }
}

export function decodeRegionEvent(stored: StoredEvent): RegionEvent {
  if (stored.type === 'CustomRegionRegistered') return { type: stored.type, data: customRegionRegisteredSchema.parse(stored.data) };
  throw new UnknownEventType(stored.type, 'region');
}

export const regionDecider: StreamDecider<RegionCommand, RegionEvent, RegionState> = {
  initialState: () => ({ status: 'unregistered' }),
  evolve: evolveRegion,
  decide: decideRegion,
  decode: decodeRegionEvent,
};
