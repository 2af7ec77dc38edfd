/**
 * Rate limiting per key (RATE_LIMIT_PER_MINUTE): requests are counted by key id, or by client
 * IP where there is no key (AUTH=off). Only /v1 routes count; probes and metrics scrapes do
 * not. A request over the limit answers 429 problem+json (PIPELINE_RATE_LIMITED) with
 * Retry-After. The count runs after authentication: a request with a bad key is answered
 * 401 before it is counted (guessing a 256-bit key is hopeless; a flood is the proxy's job).
 */
import rateLimit from '@fastify/rate-limit';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import type { Authenticator } from './authenticate.js';

export async function installRateLimit(app: ZodApp, options: { readonly perMinute: number; readonly auth: Authenticator; readonly authOff: boolean }): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const actor = options.authOff ? undefined : options.auth.actorOf(request);
      return actor === undefined ? `ip:${request.ip}` : `key:${actor.keyId}`;
    },
    allowList: (request) => request.routeOptions.config.roles === undefined,
    errorResponseBuilder: (_request, context) =>
      new errors.RateLimited(`more than ${context.max} requests a minute with this key; retry in ${context.after}`),
  });
}
