/** Apps with authentication on, over a fresh store (test/support/test-store.ts), and helpers to call them with a key. */
import type { EventStore } from '../../src/event-store/port.js';
import type { ZodApp } from '../../src/http/zod-app.js';
import { buildTestApp } from '../http/build-test-app.js';

export const ADMIN_SECRET = 'test-admin-secret-0123456789-abcdef';

export async function buildAuthApp(env: Record<string, string> = {}, given?: EventStore) {
  return buildTestApp({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET, ...env }, given);
}

export function bearer(secret: string): { authorization: string } {
  return { authorization: `Bearer ${secret}` };
}

export interface IssuedTestKey {
  readonly id: string;
  readonly key: string;
}

/** Issues a key as the first admin and returns its id and secret. */
export async function issue(app: ZodApp, body: { name?: string; role: string; regions: string[] }, adminSecret = ADMIN_SECRET): Promise<IssuedTestKey> {
  const answer = await app.inject({ method: 'POST', url: '/v1/keys', headers: bearer(adminSecret), payload: { name: `${body.role} key`, ...body } });
  if (answer.statusCode !== 201) throw new Error(`issuing a key answered ${answer.statusCode}: ${answer.body}`);
  const json: unknown = answer.json();
  if (typeof json !== 'object' || json === null) throw new Error('no key in the answer');
  const id: unknown = Reflect.get(json, 'id');
  const key: unknown = Reflect.get(json, 'key');
  if (typeof id !== 'string' || typeof key !== 'string') throw new Error('no key in the answer');
  return { id, key };
}
