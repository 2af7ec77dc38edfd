/**
 * Each stream's hash chain (DOMAIN.md: auditors "verify nothing was rewritten"):
 *
 *   hash = sha256hex(prevHash + canonicalJson({ type, data, occurredOn }))
 *
 * with prevHash the previous event's hash in the same stream, 64 zeros for the first. The
 * chain is over the data as written: verify the stored events, never upcasted ones.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue, RecordedEvent } from '../src/event-store/port.js';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted (by UTF-16 code units, as RFC 8785) and no whitespace. Built
 * with string appends rather than map/join: the log's leaves (src/log-tree/leaf.ts) run every
 * event through it.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i] ?? null);
    return `${out}]`;
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] ?? '';
    out += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`;
  }
  return `${out}}`;
}

export function chainHash(prevHash: string, event: { readonly type: string; readonly data: JsonObject }): string {
  const occurredOn = event.data['occurredOn'];
  const hashed: JsonObject = typeof occurredOn === 'string'
    ? { type: event.type, data: event.data, occurredOn }
    : { type: event.type, data: event.data };
  return createHash('sha256').update(prevHash + canonicalJson(hashed)).digest('hex');
}

export interface ChainVerification {
  readonly intact: boolean;
  /** The first revision whose prevHash or hash does not hold (or that is missing). */
  readonly firstBrokenRevision?: number;
}

/**
 * Verifies one stream's events, read forwards from revision 0. A missing revision, an event
 * whose prevHash is not the previous hash, or whose hash does not match its content breaks
 * the chain there; everything after it is unverifiable.
 */
export function verifyChain(events: readonly RecordedEvent[]): ChainVerification {
  let previous = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const hash = event.metadata['hash'];
    if (event.revision !== index || event.streamId !== events[0]?.streamId ||
        event.metadata['prevHash'] !== previous || hash !== chainHash(previous, event) || typeof hash !== 'string') {
      return { intact: false, firstBrokenRevision: index };
    }
    previous = hash;
  }
  return { intact: true };
}
