/**
 * A leaf of the log's tree (API.md, "The verifiable log"): the event as recorded, as UTF-8
 * canonical JSON (keys sorted, no whitespace) of
 *
 *   { data, id, metadata, recordedAt, revision, streamId, type }
 *
 * `data` and `metadata` exactly as stored (never upcasted: the proof is of what was recorded),
 * so the leaf binds who did what (actor, correlation and causation ids, flags), to which
 * stream at which revision, and when the store recorded it. The global position is not in it:
 * it is the store's address of the event (KurrentDB's are log offsets), and the leaf's index
 * is its place in the log.
 */
import { canonicalJson } from '../../commands/hash-chain.js';
import type { JsonObject } from '../event-store/port.js';
import { leafHash, type Hash } from './merkle.js';

export interface LeafContent {
  readonly streamId: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly recordedAt: string;
}

export function leafText(event: LeafContent): string {
  return canonicalJson({
    data: event.data,
    id: event.id,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
    revision: event.revision,
    streamId: event.streamId,
    type: event.type,
  });
}

export function leafBytes(event: LeafContent): Buffer {
  return Buffer.from(leafText(event), 'utf8');
}

export function eventLeafHash(event: LeafContent): Hash {
  return leafHash(leafText(event));
}

/** The event a leaf's bytes describe, or undefined when they are not a leaf of this log. */
export function parseLeaf(bytes: Uint8Array): LeafContent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record: Record<string, unknown> = { ...parsed };
  const { streamId, revision, id, type, data, metadata, recordedAt } = record;
  if (typeof streamId !== 'string' || typeof revision !== 'number' || typeof id !== 'string' ||
      typeof type !== 'string' || typeof recordedAt !== 'string' || !isObject(data) || !isObject(metadata)) return undefined;
  return { streamId, revision, id, type, data, metadata, recordedAt };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
