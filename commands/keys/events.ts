/**
 * API keys as events (API.md, "Authentication"), stream `key-<keyId>`: an issue and a
 * revocation are facts auditors can read (who was given access, when, by whom: the acting
 * admin is the event's metadata.actor). The secret itself is never stored, only its hash.
 */
import { z } from 'zod';
import { ROLES } from '../metadata.js';
import { isoDate } from '../shared/dates.js';
import { regionCode } from '../shared/region-code.js';

export const keyId = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'key ids are 1–64 letters, digits, _ or -' })
    .meta({ description: 'API key id', example: 'k_3mT9qZ0xW1aB' });

export const keyName = () => z.string().trim().min(1).max(200).meta({ description: 'Who or what holds the key', example: '枣强县招商局 项目系统' });
export const keyRole = () => z.enum(ROLES).meta({ description: 'What the key may do (API.md, "Authentication")' });
export const keyRegions = () =>
  z
    .array(regionCode())
    .min(1)
    .max(100)
    .meta({ description: 'The regions the key covers, with every child region; 000000 is the whole country', example: ['131121'] });

export const SECRET_HASH_PATTERN = /^[0-9a-f]{64}$/;

export const keyIssuedSchema = z.strictObject({
  keyId: keyId(),
  name: keyName(),
  role: keyRole(),
  regions: keyRegions(),
  /** sha256 hex of the secret (src/http/auth/key-secrets.ts says why a fast hash is right here). */
  secretHash: z.string().regex(SECRET_HASH_PATTERN),
  occurredOn: isoDate(),
});

export const keyRevokedSchema = z.strictObject({
  keyId: keyId(),
  reason: z.string().trim().min(1).max(500).optional(),
  occurredOn: isoDate(),
});

export type KeyIssuedData = z.output<typeof keyIssuedSchema>;
export type KeyRevokedData = z.output<typeof keyRevokedSchema>;
export type KeyEvent =
  | { readonly type: 'KeyIssued'; readonly data: KeyIssuedData }
  | { readonly type: 'KeyRevoked'; readonly data: KeyRevokedData };

export const KEY_STREAM_PREFIX = 'key-';
export function keyStreamId(id: string): string {
  return `${KEY_STREAM_PREFIX}${id}`;
}
