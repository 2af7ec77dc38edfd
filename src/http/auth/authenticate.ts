/**
 * Authentication and roles, for every route under /v1:
 * - a route declares who may call it: `preHandler: requireRole('bureau', 'admin')`, or the same
 *   as data, `config: { roles: ['bureau', 'admin'] }` (ALL_ROLES for any key). Either way the
 *   check runs in onRequest, before the body is read. A /v1 route that declares no roles
 *   stops the app at start, so no route is open by omission. Routes outside /v1 (health,
 *   readiness, metrics, OpenAPI, docs) are public.
 * - `Authorization: Bearer <key>` names the key; missing, unknown or revoked → 401 with
 *   `WWW-Authenticate: Bearer`; a role the route does not admit → 403.
 * - a route that says `config: { streamToken: true }` (GET /v1/live) also takes a stream
 *   token in `?token=` (stream-tokens.ts) when there is no Authorization header: the key it
 *   names, as the registry holds it now, is the caller.
 * - the handler reads the caller as `request.actor` (commands/metadata.ts's Actor) and checks
 *   region scope with `assertCovers(request.actor, code)` (region-scope.ts).
 * With AUTH=off every request acts as an admin covering 000000.
 */
import type { FastifyRequest } from 'fastify';
import { ROLES, type Actor, type Role } from '../../../commands/metadata.js';
import { COUNTRY } from '../../../commands/shared/region-code.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import type { KeyRegistry } from './key-registry.js';
import type { StreamTokens } from './stream-tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles that may call this route; required on every /v1 route that is not `public`. */
    roles?: readonly Role[];
    /** A /v1 route anyone may call, with no key (the log's verifier key). */
    public?: boolean;
    /** The route also takes a stream token in `?token=` (an EventSource cannot send headers). */
    streamToken?: boolean;
  }
  interface FastifyRequest {
    /** The caller's key; on a route without `roles` reading it throws PIPELINE_UNAUTHENTICATED. */
    readonly actor: Actor;
  }
}

export const ALL_ROLES: readonly Role[] = ROLES;

/** The roles each requireRole hook admits: read at route registration (onRoute). */
const declaredRoles = new WeakMap<object, readonly Role[]>();

/**
 * A route hook admitting only `roles` (403 for any other). Put it in the route's `preHandler`
 * (or `onRequest`): the app lifts the roles into the route's config at registration, so the
 * role is checked in onRequest with authentication, before the body is read.
 */
export function requireRole(...roles: readonly Role[]): (request: FastifyRequest) => Promise<void> {
  const hook = async (request: FastifyRequest): Promise<void> => {
    checkRole(request, roles, request.actor);
  };
  declaredRoles.set(hook, roles);
  return hook;
}

function checkRole(request: FastifyRequest, roles: readonly Role[], actor: Actor): void {
  if (!roles.includes(actor.role)) {
    throw new errors.Forbidden(`${request.method} ${request.routeOptions.url ?? request.url} is for ${roles.join(', ')}; key ${actor.keyId} is ${actor.role}`);
  }
}

export const AUTH_OFF_ACTOR: Actor = { keyId: 'auth-off', role: 'admin', regions: [COUNTRY] };

const BEARER = /^Bearer +(\S+) *$/i;
const API_PREFIX = '/v1';

export interface Authenticator {
  /** The actor of a request that has been authenticated, if any. */
  readonly actorOf: (request: FastifyRequest) => Actor | undefined;
}

export interface AuthenticationOptions {
  readonly registry: KeyRegistry;
  readonly streamTokens: StreamTokens;
  readonly authOff: boolean;
}

export function installAuthentication(app: ZodApp, options: AuthenticationOptions): Authenticator {
  const actors = new WeakMap<FastifyRequest, Actor>();

  app.decorateRequest('actor', {
    getter(this: FastifyRequest): Actor {
      const actor = actors.get(this);
      if (actor === undefined) throw new errors.Unauthenticated(`${this.method} ${this.url} is not an authenticated route`);
      return actor;
    },
  });

  app.addHook('onRoute', (route) => {
    const hooks: unknown[] = [route.onRequest, route.preValidation, route.preHandler].flat();
    const required = hooks.flatMap((hook) => (typeof hook === 'function' ? declaredRoles.get(hook) ?? [] : []));
    const declared = route.config?.roles;
    if (declared === undefined && required.length > 0) route.config = { ...route.config, roles: [...new Set(required)] };
    if (route.url !== API_PREFIX && !route.url.startsWith(`${API_PREFIX}/`)) return;
    if (route.config?.public === true) return;
    const roles = route.config?.roles;
    if (roles === undefined || roles.length === 0) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no roles: add preHandler: requireRole(...) or config: { roles: [...] } (src/http/auth)`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    const token = request.routeOptions.config.streamToken === true ? streamTokenOf(request) : undefined;
    const actor = options.authOff ? AUTH_OFF_ACTOR
      : request.headers.authorization === undefined && token !== undefined ? actorOfStreamToken(token, options)
        : authenticate(request, options.registry);
    if (actor === undefined) {
      const given = request.headers.authorization !== undefined || token !== undefined;
      reply.header('www-authenticate', given ? 'Bearer realm="pipeline", error="invalid_token"' : 'Bearer realm="pipeline"');
      throw new errors.Unauthenticated(request.headers.authorization !== undefined
        ? 'the key is unknown or revoked, or the Authorization header is not "Bearer <key>"'
        : token !== undefined ? 'the stream token is expired, malformed or from another server, or its key was revoked: get a new one from POST /v1/live/tokens'
          : 'send the API key as Authorization: Bearer <key>');
    }
    actors.set(request, actor);
    checkRole(request, roles, actor);
  });

  return { actorOf: (request) => actors.get(request) };
}

/** `?token=` as given (one value), before the route's schema has run. */
function streamTokenOf(request: FastifyRequest): string | undefined {
  const query: unknown = request.query;
  if (typeof query !== 'object' || query === null) return undefined;
  const token: unknown = Reflect.get(query, 'token');
  return typeof token === 'string' ? token : undefined;
}

function actorOfStreamToken(token: string, options: AuthenticationOptions): Actor | undefined {
  const claims = options.streamTokens.verify(token);
  return claims === undefined ? undefined : options.registry.activeActor(claims.keyId);
}

function authenticate(request: FastifyRequest, registry: KeyRegistry): Actor | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const secret = BEARER.exec(header)?.[1];
  return secret === undefined ? undefined : registry.authenticate(secret);
}
