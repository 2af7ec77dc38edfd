/**
 * POST /v1/live/tokens: a browser's way into GET /v1/live (auth/stream-tokens.ts). Any key
 * may ask, with its bearer key; the answer also says who the key is (name, role, regions), so
 * a page signing in learns what to show from the same call.
 */
import { z } from 'zod';
import { keyRole } from '../../../commands/keys/events.js';
import { ALL_ROLES } from '../auth/authenticate.js';
import type { KeyRegistry } from '../auth/key-registry.js';
import type { StreamTokens } from '../auth/stream-tokens.js';
import type { ZodApp } from '../zod-app.js';

export interface LiveTokenRoutesDeps {
  readonly registry: KeyRegistry;
  readonly streamTokens: StreamTokens;
  readonly ttlSeconds: number;
}

const grant = z.object({
  token: z.string().meta({ description: 'Pass as `token` to GET /v1/live; it opens streams until `expiresAt`' }),
  expiresAt: z.string().meta({ description: 'ISO 8601 UTC; a stream opened before stays open after it' }),
  ttlSeconds: z.number().int(),
  keyId: z.string(),
  name: z.string().meta({ description: 'The key\'s name' }),
  role: keyRole(),
  regions: z.array(z.string()).meta({ description: 'The regions the key covers: what its streams and queries may show' }),
});

export async function liveTokenRoutes(app: ZodApp, deps: LiveTokenRoutesDeps): Promise<void> {
  app.post('/v1/live/tokens', {
    config: { roles: ALL_ROLES },
    schema: {
      tags: ['queries'],
      summary: 'A short-lived token that opens GET /v1/live from a browser (EventSource cannot send a bearer key)',
      description: 'Send the key as `Authorization: Bearer <key>`; open `/v1/live?regionCode=…&token=<token>`. ' +
        'The token names the key only: when the stream opens, the key must still be active and cover the region. ' +
        'It opens streams for LIVE_TOKEN_TTL_SECONDS (default 60 s) and is no credential for any other route.',
      response: { 201: grant },
    },
  }, async (request, reply) => {
    const { actor } = request;
    const issued = deps.streamTokens.issue(actor);
    const name = deps.registry.get(actor.keyId)?.name ?? actor.keyId;
    return reply.code(201).header('cache-control', 'no-store').send({
      ...issued, ttlSeconds: deps.ttlSeconds, keyId: actor.keyId, name, role: actor.role, regions: [...actor.regions],
    });
  });
}
