/**
 * The offline auditor's checks, each a pure function of what it is given: a checkpoint against
 * the pinned key, a consistency proof between two checkpoints, a leaf's inclusion, a root
 * rebuilt from every leaf, and an audit package. Each returns what holds or throws an
 * AuditFailure saying what does not.
 */
import { leafHash, RootBuilder, verifyConsistency, verifyInclusion } from '../../log-tree/merkle.js';
import { parseLeaf, type LeafContent } from '../../log-tree/leaf.js';
import { NoteFormatError, openCheckpoint, parseVerifierKey, type Checkpoint } from '../../log-tree/signed-note.js';
import { AuditFailure } from './log-client.js';

export interface VerifiedCheckpoint extends Checkpoint {
  readonly note: string;
}

export function verifyCheckpoint(note: string, verifierKey: string, origin?: string): VerifiedCheckpoint {
  try {
    return { ...openCheckpoint(note, [parseVerifierKey(verifierKey)], origin), note };
  } catch (error) {
    if (error instanceof NoteFormatError) throw new AuditFailure(`the checkpoint does not verify against the pinned key: ${error.message}`);
    throw error;
  }
}

const hashes = (encoded: readonly string[]) => encoded.map((hash) => Buffer.from(hash, 'base64'));

/** The newer checkpoint extends the older one: nothing before it was changed, removed or reordered. */
export function checkConsistency(older: Checkpoint, newer: Checkpoint, proof: readonly string[]): void {
  if (newer.size < older.size) {
    throw new AuditFailure(`the log shrank: the kept checkpoint has ${older.size} leaves, the server's newest ${newer.size}`);
  }
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, hashes(proof))) {
    throw new AuditFailure(`the log of ${newer.size} leaves is not an extension of the kept checkpoint of ${older.size}: history before it was rewritten`);
  }
}

/** Leaf `index` with these bytes is in the checkpoint's tree; the leaf's event is returned. */
export function checkInclusion(checkpoint: Checkpoint, index: number, leaf: string, proof: readonly string[]): LeafContent {
  const bytes = Buffer.from(leaf, 'base64');
  if (!verifyInclusion(index, checkpoint.size, leafHash(bytes), hashes(proof), checkpoint.root)) {
    throw new AuditFailure(`leaf ${index} is not in the checkpoint's tree of ${checkpoint.size} leaves as given`);
  }
  const event = parseLeaf(bytes);
  if (event === undefined) throw new AuditFailure(`leaf ${index} is not an event of this log`);
  return event;
}

/** Rebuilds a root from leaves fed in order. */
export class RootCheck {
  private readonly builder = new RootBuilder();

  add(leaf: string): void {
    this.builder.push(leafHash(Buffer.from(leaf, 'base64')));
  }

  get size(): number {
    return this.builder.size;
  }

  check(checkpoint: Checkpoint): void {
    if (this.builder.size !== checkpoint.size) throw new AuditFailure(`got ${this.builder.size} leaves for a tree of ${checkpoint.size}`);
    if (!this.builder.root().equals(checkpoint.root)) {
      throw new AuditFailure(`the root of the ${checkpoint.size} leaves as served is not the checkpoint's: the log was changed`);
    }
  }
}

export interface AuditPackageFile {
  readonly format: string;
  readonly origin: string;
  readonly regionCode: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly checkpoint: string;
  readonly entries: ReadonlyArray<{ readonly leafIndex: number; readonly leaf: string; readonly proof: readonly string[] }>;
}

export function isAuditPackage(value: unknown): value is AuditPackageFile {
  if (typeof value !== 'object' || value === null) return false;
  const record: Record<string, unknown> = { ...value };
  return record['format'] === 'xiangmu-pipeline/audit-package/v1' && typeof record['checkpoint'] === 'string' &&
    typeof record['origin'] === 'string' && Array.isArray(record['entries']);
}

/** Every entry of a package against its checkpoint, the checkpoint against the pinned key. */
export function verifyPackage(pkg: AuditPackageFile, verifierKey: string): { checkpoint: VerifiedCheckpoint; events: LeafContent[] } {
  const checkpoint = verifyCheckpoint(pkg.checkpoint, verifierKey, pkg.origin);
  const seen = new Set<number>();
  const events = pkg.entries.map((entry) => {
    if (typeof entry.leafIndex !== 'number' || typeof entry.leaf !== 'string' || !Array.isArray(entry.proof)) {
      throw new AuditFailure('a package entry holds a leafIndex, a leaf and a proof');
    }
    if (seen.has(entry.leafIndex)) throw new AuditFailure(`leaf ${entry.leafIndex} is in the package twice`);
    seen.add(entry.leafIndex);
    return checkInclusion(checkpoint, entry.leafIndex, entry.leaf, entry.proof);
  });
  return { checkpoint, events };
}
