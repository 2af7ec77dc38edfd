/**
 * API key secrets: 32 random bytes, base64url, behind a recognisable prefix (so a leaked key
 * is easy to spot in logs and by secret scanners). Only a hash is ever stored.
 *
 * Why plain sha256 and not bcrypt/scrypt/argon2: a slow, salted KDF protects low-entropy
 * secrets (passwords) against guessing. These secrets carry 256 bits of randomness, so no
 * guessing of a preimage is possible whatever the hash speed, and a deterministic fast hash
 * lets every request find its key with one map lookup instead of a KDF run per key.
 * An ADMIN_KEY chosen by an operator (≥ 24 characters) is the exception: it should be
 * generated the same way (`openssl rand -base64 32`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SECRET_PREFIX = 'xmk_';
/** Longer bearer tokens are refused before hashing. */
export const MAX_SECRET_LENGTH = 256;

export function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function newKeyId(): string {
  return `k_${randomBytes(9).toString('base64url')}`;
}

/**
 * The id of a key whose secret was given (ADMIN_KEY, admin.key): derived from the secret, so
 * that replicas starting together on one store all issue the same key, and only one succeeds.
 */
export function keyIdOfGivenSecret(secret: string): string {
  return `k_${createHash('sha256').update(`key id\n${secret}`, 'utf8').digest().subarray(0, 9).toString('base64url')}`;
}

/** sha256 hex of the secret: what KeyIssued stores. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests in time independent of where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
