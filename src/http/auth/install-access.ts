/**
 * Regions, keys and authentication, installed on the root app before any /v1 route:
 * - `app.regions`: the region catalogue (official + custom child regions), caught up with the
 *   `region-*` streams and following them;
 * - the key registry, caught up with the `key-*` streams and following them, and on first
 *   start the admin key (first-admin-key.ts);
 * - authentication and roles (authenticate.ts), then rate limiting per key (rate-limit.ts);
 * - stream tokens, a browser's way into GET /v1/live (stream-tokens.ts);
 * - the routes /v1/keys, /v1/regions and /v1/live/tokens.
 */
import type { Config } from '../../config.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import { KEY_STREAM_PREFIX } from '../../../commands/keys/events.js';
import { REGION_STREAM_PREFIX } from '../../../commands/regions/events.js';
import { RegionCatalogue } from '../../regions/catalogue.js';
import { followStreams } from '../../regions/follow-streams.js';
import { keyRoutes } from '../routes/keys.js';
import { regionRoutes } from '../routes/regions.js';
import { liveTokenRoutes } from '../routes/live-tokens.js';
import type { ZodApp } from '../zod-app.js';
import { installAuthentication } from './authenticate.js';
import { ensureAdminKey } from './first-admin-key.js';
import { KeyRegistry } from './key-registry.js';
import { installRateLimit } from './rate-limit.js';
import { StreamTokens } from './stream-tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The region catalogue: `app.regions.assertKnown(code)`, `nameOf`, `fullName`, `childrenOf`. */
    regions: RegionCatalogue;
    /** Calls `listener` with each key revoked from now on (on any replica); returns the unsubscribe. */
    onKeyRevoked: (listener: (keyId: string) => void) => () => void;
  }
}

export interface AccessDeps {
  readonly store: EventStore;
  readonly config: Config;
  readonly clock: Clock;
}

export async function installAccess(app: ZodApp, deps: AccessDeps): Promise<void> {
  const { store, config, clock } = deps;
  const authOff = config.AUTH === 'off';
  const regions = new RegionCatalogue();
  app.decorate('regions', regions);
  const registry = new KeyRegistry();
  app.decorate('onKeyRevoked', (listener: (keyId: string) => void) => registry.onRevoked(listener));
  const feed = await followStreams(store, [REGION_STREAM_PREFIX, KEY_STREAM_PREFIX], (event) => {
    if (event.streamId.startsWith(REGION_STREAM_PREFIX)) regions.apply(event);
    else registry.apply(event);
  }, app.log);
  app.addHook('onClose', feed.close);
  app.readiness.push({
    name: 'regions-and-keys',
    probe: async () => ({ ok: feed.healthy(), detail: `the region and key feed: ${feed.detail()}` }),
  });

  const keyDeps = { store, registry, regions, clock };
  if (authOff) {
    app.log.warn('AUTH=off: AUTHENTICATION IS DISABLED. Every request acts as an admin covering 000000. For local demos only, never in service.');
  } else {
    // buildApp fails here on a revoked ADMIN_KEY: no app to close, so stop the feeds now.
    await ensureAdminKey(keyDeps, config, app.log).catch(async (error: unknown) => {
      await feed.close();
      throw error;
    });
  }

  const streamTokens = new StreamTokens({ secret: config.LIVE_TOKEN_SECRET, ttlSeconds: config.LIVE_TOKEN_TTL_SECONDS, now: () => clock.now() });
  const auth = installAuthentication(app, { registry, streamTokens, authOff });
  await installRateLimit(app, { perMinute: config.RATE_LIMIT_PER_MINUTE, auth, authOff });
  await app.register(keyRoutes, keyDeps);
  await app.register(regionRoutes, { store, regions, clock });
  await app.register(liveTokenRoutes, { registry, streamTokens, ttlSeconds: config.LIVE_TOKEN_TTL_SECONDS });
}
