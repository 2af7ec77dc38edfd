/**
 * The keys as the server knows them now: a fold of the `key-*` streams, kept in memory (a few
 * hundred keys) so that authenticating a request is one hash and one map lookup.
 * GET /v1/keys lists it; nothing in it ever holds a secret, only its hash.
 */
import { KEY_STREAM_PREFIX, keyIssuedSchema, keyRevokedSchema } from '../../../commands/keys/events.js';
import type { Actor, Role } from '../../../commands/metadata.js';
import type { RecordedEvent } from '../../event-store/port.js';
import { hashSecret, MAX_SECRET_LENGTH, sameHash } from './key-secrets.js';

export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly regions: readonly string[];
  /** When the store recorded the KeyIssued event (ISO 8601 UTC). */
  readonly issuedAt: string;
  /** The key id of the admin who issued it (`system` for the first admin key). */
  readonly issuedBy: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revocationReason: string | null;
}

interface Entry {
  view: KeyView;
  readonly secretHash: string;
  /** The last revision of the key's stream folded here. */
  revision: number;
}

export class KeyRegistry {
  private readonly byId = new Map<string, Entry>();
  /** Active keys only: a revoked key's hash leaves at once. */
  private readonly activeByHash = new Map<string, string>();
  /** Every hash ever issued, revoked or not: a revoked secret must never be issued again. */
  private readonly everIssued = new Set<string>();
  /** Told of each revocation as it is folded (open streams of the key end: routes/live.ts). */
  private readonly revocationListeners = new Set<(keyId: string) => void>();

  /** Calls `listener` with the key id of every key revoked from now on; returns the unsubscribe. */
  onRevoked(listener: (keyId: string) => void): () => void {
    this.revocationListeners.add(listener);
    return () => { this.revocationListeners.delete(listener); };
  }

  /** Folds one event of a `key-*` stream; a revision already folded changes nothing. */
  apply(event: RecordedEvent): void {
    if (!event.streamId.startsWith(KEY_STREAM_PREFIX)) return;
    const keyId = event.streamId.slice(KEY_STREAM_PREFIX.length);
    const entry = this.byId.get(keyId);
    if (entry && event.revision <= entry.revision) return;
    switch (event.type) {
      case 'KeyIssued': {
        const data = keyIssuedSchema.parse(event.data);
        if (entry || data.keyId !== keyId) return;
        const view: KeyView = {
          id: data.keyId, name: data.name, role: data.role, regions: data.regions,
          issuedAt: event.recordedAt, issuedBy: actorKeyId(event), revokedAt: null, revokedBy: null, revocationReason: null,
        };
        this.byId.set(data.keyId, { view, secretHash: data.secretHash, revision: event.revision });
        this.activeByHash.set(data.secretHash, data.keyId);
        this.everIssued.add(data.secretHash);
        return;
      }
      case 'KeyRevoked': {
        if (!entry) return;
        const data = keyRevokedSchema.parse(event.data);
        entry.view = { ...entry.view, revokedAt: event.recordedAt, revokedBy: actorKeyId(event), revocationReason: data.reason ?? null };
        entry.revision = event.revision;
        this.activeByHash.delete(entry.secretHash);
        for (const listener of this.revocationListeners) listener(keyId);
        return;
      }
      default:
        return;
    }
  }

  /** The actor a bearer secret stands for, or undefined when no active key has it. */
  authenticate(secret: string): Actor | undefined {
    if (secret.length === 0 || secret.length > MAX_SECRET_LENGTH) return undefined;
    const hash = hashSecret(secret);
    const id = this.activeByHash.get(hash);
    const entry = id === undefined ? undefined : this.byId.get(id);
    // The map lookup already matched; comparing again in constant time costs nothing and
    // keeps the check safe should the lookup ever become a scan or a prefix index.
    if (entry === undefined || entry.view.revokedAt !== null || !sameHash(entry.secretHash, hash)) return undefined;
    return { keyId: entry.view.id, role: entry.view.role, regions: entry.view.regions };
  }

  /** The actor of an active key by id (a stream token names its key by id), as the key stands now. */
  activeActor(id: string): Actor | undefined {
    const view = this.byId.get(id)?.view;
    if (view === undefined || view.revokedAt !== null) return undefined;
    return { keyId: view.id, role: view.role, regions: view.regions };
  }

  get(id: string): KeyView | undefined {
    return this.byId.get(id)?.view;
  }

  list(): KeyView[] {
    return [...this.byId.values()].map((entry) => entry.view).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.id.localeCompare(b.id));
  }

  hasActiveAdmin(): boolean {
    return [...this.byId.values()].some((entry) => entry.view.role === 'admin' && entry.view.revokedAt === null);
  }

  /** Whether a key with this secret is active now. */
  isActiveSecret(secret: string): boolean {
    return this.activeByHash.has(hashSecret(secret));
  }

  /** Whether a key with this secret was ever issued (and perhaps revoked since). */
  wasIssued(secret: string): boolean {
    return this.everIssued.has(hashSecret(secret));
  }
}

function actorKeyId(event: RecordedEvent): string {
  const actor = event.metadata['actor'];
  if (actor !== null && typeof actor === 'object' && !Array.isArray(actor)) {
    const keyId = actor['keyId'];
    if (typeof keyId === 'string') return keyId;
  }
  return 'unknown';
}
