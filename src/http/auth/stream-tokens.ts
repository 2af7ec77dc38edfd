/**
 * Stream tokens: how a browser opens GET /v1/live. `EventSource` cannot send an
 * Authorization header, so a page trades its key (POST /v1/live/tokens, with the bearer key)
 * for a short-lived token and opens `/v1/live?regionCode=…&token=…`.
 *
 * - A token names a key and an expiry, signed with HMAC-SHA256 (LIVE_TOKEN_SECRET, else a
 *   random secret per process). It holds no role and no regions: they are read from the key
 *   registry when the stream opens, so a key revoked since, or narrowed, is what counts.
 * - It opens the stream only (routes that say `config: { streamToken: true }`); anywhere else
 *   it is no credential at all.
 * - It only has to be valid when the stream opens: an open stream outlives it, and
 *   EventSource's own reconnection within the lifetime reuses it; after that the page asks
 *   for a new one.
 * - Tokens travel in URLs, which proxies log: hence the short life, and the route redacts the
 *   token from its own request logs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../../../commands/metadata.js';

/** Longer `token` values are refused before any work. */
export const MAX_TOKEN_LENGTH = 512;

export interface StreamTokenGrant {
  readonly token: string;
  /** ISO 8601 UTC. */
  readonly expiresAt: string;
}

/** What a token says once its signature holds; the caller still checks the key is active. */
export interface StreamTokenClaims {
  readonly keyId: string;
  readonly expiresAtMs: number;
}

export class StreamTokens {
  private readonly secret: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(options: { readonly secret?: string | undefined; readonly ttlSeconds: number; readonly now: () => Date }) {
    this.secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret, 'utf8');
    this.ttlMs = options.ttlSeconds * 1000;
    this.now = options.now;
  }

  issue(actor: Pick<Actor, 'keyId'>): StreamTokenGrant {
    const expiresAtMs = this.now().getTime() + this.ttlMs;
    const payload = Buffer.from(JSON.stringify({ k: actor.keyId, e: expiresAtMs }), 'utf8').toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /** The claims of a well-signed token that has not expired; undefined otherwise. */
  verify(token: string): StreamTokenClaims | undefined {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = parseClaims(payload);
    if (claims === undefined || claims.expiresAtMs <= this.now().getTime()) return undefined;
    return claims;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`xmk-stream-token-v1.${payload}`).digest('base64url');
  }
}

function parseClaims(payload: string): StreamTokenClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const keyId: unknown = Reflect.get(parsed, 'k');
  const expiresAtMs: unknown = Reflect.get(parsed, 'e');
  if (typeof keyId !== 'string' || typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs)) return undefined;
  return { keyId, expiresAtMs };
}

/** The URL with any `token=` value hidden, for request logs. */
export function redactStreamToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}
