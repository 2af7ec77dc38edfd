/**
 * The key that signs the log's checkpoints: given by the operator (LOG_SIGNING_KEY, so that
 * every replica signs alike), else made on first start and kept in DATA_DIR/log-signing.key
 * (mode 0600), like the first admin key. During a rotation the previous key co-signs
 * (LOG_PREVIOUS_SIGNING_KEY), so auditors who pinned it keep verifying while they move on.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateSigner, parseSignerKey, type NoteSigner } from './signed-note.js';

export const SIGNING_KEY_FILE = 'log-signing.key';

export interface SigningKeys {
  /** The current key first, then the previous one when rotating. */
  readonly signers: readonly NoteSigner[];
  /** Where the current key came from, for the log (never the secret). */
  readonly source: 'environment' | 'file' | 'generated';
  readonly path?: string;
}

export function loadSigningKeys(options: {
  readonly dataDir: string;
  readonly origin: string;
  readonly signingKey?: string | undefined;
  readonly previousSigningKey?: string | undefined;
}): SigningKeys {
  const previous = options.previousSigningKey === undefined ? [] : [parseSignerKey(options.previousSigningKey)];
  if (options.signingKey !== undefined) return { signers: [parseSignerKey(options.signingKey), ...previous], source: 'environment' };
  const path = join(options.dataDir, SIGNING_KEY_FILE);
  if (existsSync(path)) return { signers: [parseSignerKey(readFileSync(path, 'utf8')), ...previous], source: 'file', path };
  const signer = generateSigner(options.origin);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${signer.signerKey}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { signers: [signer, ...previous], source: 'generated', path };
}
