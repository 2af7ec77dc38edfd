/**
 * API keys (API.md, "Authentication"), admin only. An admin acts within its own regions: it
 * issues, revokes, lists and reads only keys for regions its key covers (the first admin key
 * covers 000000).
 */
import { z } from 'zod';
import { keyId, keyName, keyRegions, keyRole } from '../../../commands/keys/events.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import { assertCoversAll, covers } from '../auth/region-scope.js';
import type { Actor } from '../../../commands/metadata.js';
import { issueKey, revokeKey, type KeyCommandDeps } from '../auth/key-commands.js';
import type { KeyView } from '../auth/key-registry.js';

const keyView = z.object({
  id: z.string(),
  name: z.string(),
  role: keyRole(),
  regions: z.array(z.string()),
  issuedAt: z.string().meta({ description: 'When the issue was recorded, ISO 8601 UTC' }),
  issuedBy: z.string().meta({ description: 'Key id of the admin who issued it (system: the first admin key)' }),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revocationReason: z.string().nullable(),
}).meta({ description: 'An API key, without its secret' });

const issueBody = z.strictObject({ name: keyName(), role: keyRole(), regions: keyRegions() });
const idParams = z.object({ id: keyId() });
const tags = ['keys'];

function view(key: KeyView): z.output<typeof keyView> {
  return { ...key, regions: [...key.regions] };
}

export async function keyRoutes(app: ZodApp, deps: KeyCommandDeps): Promise<void> {
  app.post('/v1/keys', {
    config: { roles: ['admin'] },
    schema: {
      tags, summary: 'Issue an API key; its secret is in this answer only',
      body: issueBody,
      response: { 201: keyView.extend({ key: z.string().meta({ description: 'The secret: send it as Authorization: Bearer <key>. Shown this once.' }) }) },
    },
  }, async (request, reply) => {
    assertCoversAll(request.actor, request.body.regions);
    const issued = await issueKey(deps, request.body, { actor: request.actor, correlationId: request.id });
    return reply.code(201).header('location', `/v1/keys/${issued.key.id}`).header('cache-control', 'no-store')
      .send({ ...view(issued.key), key: issued.secret });
  });

  app.get('/v1/keys', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'The keys, issued and revoked, without secrets', response: { 200: z.object({ keys: z.array(keyView) }) } },
  }, async (request) => ({ keys: deps.registry.list().filter((key) => coversKey(request.actor, key)).map(view) }));

  app.get('/v1/keys/:id', {
    config: { roles: ['admin'] },
    schema: { tags, summary: 'One key, without its secret', params: idParams, response: { 200: keyView } },
  }, async (request) => {
    const key = knownKey(deps, request.params.id);
    assertCoversAll(request.actor, key.regions);
    return view(key);
  });

  app.delete('/v1/keys/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags, summary: 'Revoke a key: it stops working with the next request',
      params: idParams,
      querystring: z.object({ reason: z.string().trim().min(1).max(500).optional() }),
      response: { 204: z.void().meta({ description: 'Revoked (or already revoked)' }) },
    },
  }, async (request, reply) => {
    const key = knownKey(deps, request.params.id);
    assertCoversAll(request.actor, key.regions);
    // DELETE is idempotent: revoking a revoked key changes nothing and says so the same way.
    if (key.revokedAt === null) {
      await revokeKey(deps, key.id, request.query.reason, { actor: request.actor, correlationId: request.id });
    }
    return reply.code(204).send();
  });
}

/** An admin sees the keys within its own regions: those it could have issued. */
function coversKey(actor: Actor, key: KeyView): boolean {
  return key.regions.every((code) => covers(actor, code));
}

function knownKey(deps: KeyCommandDeps, id: string): KeyView {
  const key = deps.registry.get(id);
  if (key === undefined) throw new errors.NotFound(`no key ${id}`);
  return key;
}
