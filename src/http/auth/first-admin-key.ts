/**
 * First start (API.md, "Authentication"): when the store holds no active admin key, one is
 * issued, as a KeyIssued event by the `system` actor, with the secret
 * - of ADMIN_KEY when set;
 * - else of `<DATA_DIR>/admin.key` when that file exists (a store wiped beside a kept file);
 * - else a fresh one, written to `<DATA_DIR>/admin.key` with mode 0600. The log names the
 *   file, never the secret.
 * A secret once revoked is never issued again: a revoked ADMIN_KEY stops the start (a leaked
 * key must not come back with a restart), a revoked admin.key is replaced by a fresh one.
 *
 * Replicas starting together on one store (KurrentDB) with the same ADMIN_KEY issue one key: its
 * id derives from the secret, so all but one find it already issued, and take that as done.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../../../commands/metadata.js';
import { COUNTRY } from '../../../commands/shared/region-code.js';
import type { Config } from '../../config.js';
import { issueKey, type KeyCommandDeps } from './key-commands.js';
import { keyIdOfGivenSecret, newSecret } from './key-secrets.js';
import { DomainRuleBroken } from '../../../commands/decider.js';
import { keyStreamId } from '../../../commands/keys/events.js';

export const SYSTEM_ACTOR: Actor = { keyId: 'system', role: 'admin', regions: [COUNTRY] };
export const ADMIN_KEY_FILE = 'admin.key';

export class RevokedAdminKey extends Error {
  constructor() {
    super('ADMIN_KEY is a key that was revoked: set a new secret (e.g. `openssl rand -base64 32`) or unset it');
    this.name = 'RevokedAdminKey';
  }
}

export async function ensureAdminKey(
  deps: KeyCommandDeps,
  config: Pick<Config, 'ADMIN_KEY' | 'DATA_DIR'>,
  log: FastifyBaseLogger,
): Promise<void> {
  const { registry } = deps;
  if (registry.hasActiveAdmin()) {
    if (config.ADMIN_KEY !== undefined && !registry.isActiveSecret(config.ADMIN_KEY)) {
      log.warn('ADMIN_KEY is set but is no active key: it is only used on first start, when no admin key exists');
    }
    return;
  }
  const context = { actor: SYSTEM_ACTOR, correlationId: `first-start-${randomUUID()}` };
  const admin = { name: 'first admin key', role: 'admin' as const, regions: [COUNTRY] };

  if (config.ADMIN_KEY !== undefined) {
    if (registry.wasIssued(config.ADMIN_KEY)) throw new RevokedAdminKey();
    try {
      const { key } = await issueKey(deps, { ...admin, secret: config.ADMIN_KEY }, context);
      log.info({ keyId: key.id }, 'no admin key in the store: issued one with the secret of ADMIN_KEY');
    } catch (error) {
      if (!(error instanceof DomainRuleBroken && error.rule === 'key-already-issued')) throw error;
      await followUntilIssued(deps, keyIdOfGivenSecret(config.ADMIN_KEY));
      log.info('another replica issued the admin key of ADMIN_KEY first');
    }
    return;
  }

  const path = resolve(join(config.DATA_DIR, ADMIN_KEY_FILE));
  const kept = await readKept(path, log);
  if (kept !== undefined && !registry.wasIssued(kept)) {
    const { key } = await issueKey(deps, { ...admin, secret: kept }, context);
    log.warn({ keyId: key.id, path }, 'no admin key in the store: issued one with the secret kept in this file');
    return;
  }
  if (kept !== undefined) await unlink(path);
  const secret = newSecret();
  await mkdir(config.DATA_DIR, { recursive: true });
  // 'wx': never write through a file (or link) someone put there since we looked.
  await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  const { key } = await issueKey(deps, { ...admin, secret }, context);
  log.warn({ keyId: key.id, path }, 'no admin key in the store: generated one; its secret is in this file (mode 0600), readable only by this user');
}

/** The key another replica issued: fold its stream into the registry (the feed may lag). */
async function followUntilIssued(deps: KeyCommandDeps, keyId: string): Promise<void> {
  const events = await deps.store.readStream(keyStreamId(keyId));
  for (const event of events) deps.registry.apply(event);
}

async function readKept(path: string, log: FastifyBaseLogger): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < 24) throw new Error(`${path} holds no admin key (fewer than 24 characters): delete it to have one generated`);
  if (((await stat(path)).mode & 0o077) !== 0) log.warn({ path }, 'the admin key file is readable by other users: chmod 600 it');
  return secret;
}
