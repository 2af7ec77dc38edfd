/**
 * The decider of one key's stream `key-<keyId>`: issued once, revoked at most once, never
 * revived (a revoked secret must not work again, whoever asks).
 */
import { DomainRuleBroken, UnknownEventType, type StoredEvent, type StreamDecider } from '../decider.js';
import type { Role } from '../metadata.js';
import { keyIssuedSchema, keyRevokedSchema, type KeyEvent } from './events.js';
import type { KeyCommand } from './commands.js';
import type { KeyRuleName } from './rules.js';

export type KeyState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'revoked'; readonly keyId: string; readonly role: Role };

function refuse(rule: KeyRuleName, message: string): never {
  throw new DomainRuleBroken(rule, message);
}

export function decideKey(command: KeyCommand, state: KeyState): KeyEvent[] {
  switch (command.type) {
    case 'IssueKey': {
      const { data } = command;
      if (state.status !== 'none') refuse('key-already-issued', `key ${data.keyId} is already issued`);
      if (new Set(data.regions).size !== data.regions.length) refuse('key-regions-distinct', `key ${data.keyId} lists a region twice`);
      return [{ type: 'KeyIssued', data }];
    }
    case 'RevokeKey': {
      if (state.status === 'none') refuse('key-not-issued', `key ${command.keyId} was never issued`);
      if (state.status === 'revoked') refuse('key-already-revoked', `key ${command.keyId} is already revoked`);
      const data = { keyId: command.keyId, occurredOn: command.occurredOn, ...(command.reason !== undefined ? { reason: command.reason } : {}) };
      return [{ type: 'KeyRevoked', data }];
    }
    default: {
      const unexpected: never = command;
      return unexpected;
    }
  }
}

export function evolveKey(state: KeyState, event: KeyEvent): KeyState {
  switch (event.type) {
    case 'KeyIssued':
      return { status: 'active', keyId: event.data.keyId, role: event.data.role };
    case 'KeyRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

export function decodeKeyEvent(stored: StoredEvent): KeyEvent {
  switch (stored.type) {
    case 'KeyIssued': return { type: stored.type, data: keyIssuedSchema.parse(stored.data) };
    case 'KeyRevoked': return { type: stored.type, data: keyRevokedSchema.parse(stored.data) };
    default: throw new UnknownEventType(stored.type, 'key');
  }
}

export const keyDecider: StreamDecider<KeyCommand, KeyEvent, KeyState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveKey,
  decide: decideKey,
  decode: decodeKeyEvent,
};
