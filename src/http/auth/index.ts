/**
 * What routes use of authentication and region scope:
 * - declare the roles: `preHandler: requireRole('bureau', 'admin')` (or `config: { roles }`);
 * - the caller: `request.actor` (Actor: keyId, role, regions);
 * - region scope: `assertCovers(request.actor, code)` for writes, `assertCovers(request.actor,
 *   code, 'read')` for reads (every role within its key's regions); `covers(...)` to filter lists;
 * - region codes: `app.regions.assertKnown(code)` (src/regions/catalogue.ts), 409
 *   `region-unknown` when the code names no known region.
 */
export { ALL_ROLES, AUTH_OFF_ACTOR, requireRole } from './authenticate.js';
export { assertCovers, assertCoversAll, covers, type Access } from './region-scope.js';
export { SYSTEM_ACTOR } from './first-admin-key.js';
