/**
 * Metadata recorded with every event (DOMAIN.md, "Streams and events"). The hash chain
 * (`prevHash`, `hash`) is what auditors verify: `hash` = sha256 over the previous hash and
 * the canonical JSON of { type, data, occurredOn }.
 */
export type Role = 'bureau' | 'auditor' | 'dashboard' | 'admin';
export const ROLES: readonly Role[] = ['bureau', 'auditor', 'dashboard', 'admin'];

export interface Actor {
  readonly keyId: string;
  readonly role: Role;
  /** The region codes the key covers. */
  readonly regions: readonly string[];
}

export interface EventMetadata {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  readonly schemaVersion: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly flags?: readonly string[];
  readonly idempotencyKey?: string;
}
