/**
 * A key's region scope (API.md, "Authentication"): a key covers each of its regions with
 * every child region, rolled up by code prefix; `000000` covers everything. The role says
 * what a key may do, its regions where, for every role: an auditor "reads everything in its
 * regions" (API.md's roles table), so an auditor of a county reads that county's projects,
 * history and audit log, and only a `000000` auditor reads the whole country. An admin is
 * bound by its regions like any key (the first admin key covers 000000), so an admin of a
 * city issues, revokes and reads within that city only.
 */
import type { Actor } from '../../../commands/metadata.js';
import type { RegionCode } from '../../../commands/shared/region-code.js';
import { anyCovers } from '../../regions/coverage.js';
import { errors } from '../errors.js';

export type Access = 'read' | 'write';

/**
 * Whether the actor may `access` data of region `code` (for filtering lists). Reading and
 * writing are bounded by the same regions; the role decides which of the two a key may do.
 */
export function covers(actor: Actor, code: RegionCode, _access: Access = 'write'): boolean {
  return anyCovers(actor.regions, code);
}

/** Throws PIPELINE_FORBIDDEN (403) unless the actor may `access` data of region `code`. */
export function assertCovers(actor: Actor, code: RegionCode, access: Access = 'write'): void {
  if (!covers(actor, code, access)) {
    throw new errors.Forbidden(`key ${actor.keyId} covers ${actor.regions.join(', ')}, not region ${code}`);
  }
}

/** Throws PIPELINE_FORBIDDEN (403) unless the actor may `access` every one of `codes`. */
export function assertCoversAll(actor: Actor, codes: readonly RegionCode[], access: Access = 'write'): void {
  for (const code of codes) assertCovers(actor, code, access);
}
