/**
 * CORS for the origins of CORS_ORIGINS (off when unset): a dashboard served from another
 * origin may call the API with its key in the Authorization header and open GET /v1/live
 * with a stream token. No credentials mode: keys never ride in cookies, so there is nothing a
 * foreign page could use without holding a key. Installed before authentication, so a 401 or
 * a 429 carries the headers too and the page can read why.
 */
import cors from '@fastify/cors';
import type { ZodApp } from './zod-app.js';

/** The request headers the API reads. */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'];
/** The answer headers a page may read. */
const EXPOSED_HEADERS = ['ETag', 'Location', 'X-Request-Id', 'X-Position', 'Retry-After', 'WWW-Authenticate', 'Content-Disposition'];

export async function installCors(app: ZodApp, origins: '*' | readonly string[] | undefined): Promise<void> {
  if (origins === undefined) return;
  await app.register(cors, {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
