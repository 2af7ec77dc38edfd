/**
 * Issuing and revoking keys: the key decider run by the generic command handler, and the
 * committed event folded into the registry before the caller answers, so that a revoked key
 * fails on the very next request and a new key works on it.
 */
import { handleCommand, type CommandContext } from '../../../commands/handle-command.js';
import { keyDecider } from '../../../commands/keys/decider.js';
import { keyStreamId } from '../../../commands/keys/events.js';
import type { Role } from '../../../commands/metadata.js';
import { chinaDateOf } from '../../../commands/shared/dates.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import { applyCommitted } from '../../regions/follow-streams.js';
import type { KeyRegistry, KeyView } from './key-registry.js';
import { hashSecret, keyIdOfGivenSecret, newKeyId, newSecret } from './key-secrets.js';

export interface KeyCommandDeps {
  readonly store: EventStore;
  readonly registry: KeyRegistry;
  readonly regions: RegionCatalogue;
  readonly clock: Clock;
}

export interface KeyRequest {
  readonly name: string;
  readonly role: Role;
  readonly regions: readonly string[];
  /** Given only on first start (ADMIN_KEY, admin.key); otherwise a fresh random secret. */
  readonly secret?: string;
}

export interface IssuedKey {
  readonly key: KeyView;
  /** The secret, shown to the caller this once. */
  readonly secret: string;
  readonly position: number;
}

export async function issueKey(deps: KeyCommandDeps, request: KeyRequest, context: CommandContext): Promise<IssuedKey> {
  for (const region of request.regions) deps.regions.assertKnown(region);
  const keyId = request.secret === undefined ? newKeyId() : keyIdOfGivenSecret(request.secret);
  const secret = request.secret ?? newSecret();
  const data = {
    keyId, name: request.name, role: request.role, regions: [...request.regions],
    secretHash: hashSecret(secret), occurredOn: chinaDateOf(deps.clock.now()),
  };
  const streamId = keyStreamId(keyId);
  const result = await handleCommand(deps.store, streamId, keyDecider, { type: 'IssueKey', data }, context);
  await applyCommitted(deps.store, streamId, result, (event) => deps.registry.apply(event));
  const key = deps.registry.get(keyId);
  if (key === undefined) throw new Error(`key ${keyId} was appended but is not in the registry`);
  return { key, secret, position: result.position };
}

export async function revokeKey(deps: KeyCommandDeps, keyId: string, reason: string | undefined, context: CommandContext): Promise<void> {
  const streamId = keyStreamId(keyId);
  const command = { type: 'RevokeKey' as const, keyId, occurredOn: chinaDateOf(deps.clock.now()), ...(reason !== undefined ? { reason } : {}) };
  const result = await handleCommand(deps.store, streamId, keyDecider, command, context);
  await applyCommitted(deps.store, streamId, result, (event) => deps.registry.apply(event));
}
