/**
 * Verification of the whole log against its tree (GET /v1/audit/verify): one pass over the
 * log in position order beside the tree's leaves, recomputing each event's leaf from what is
 * stored and checking every stream of every kind as it goes.
 *
 * - The tree: leaf i must be the event at the position the tree recorded for it, with the same
 *   leaf hash. An event that differs is altered (or, when it holds another leaf's content,
 *   reordered); a leaf whose event is gone is missing (a gap); an event where the tree has no
 *   leaf was inserted. The root rebuilt from the log's own first `size` events must be the
 *   signed checkpoint's root.
 * - Each stream: revisions 0, 1, 2… with no gap, and (every stream but idempotency records)
 *   each event's hash chain: prevHash is the previous event's hash, hash is its content's.
 *
 * The pass is a fold (`take` each event, then `finish`), so it can run in slices that let
 * commands through, or anywhere else; it holds per stream only where the stream stands.
 */
import { chainHash, GENESIS_HASH } from '../../commands/hash-chain.js';
import type { RecordedEvent } from '../event-store/port.js';
import { eventLeafHash } from './leaf.js';
import { RootBuilder, type Hash } from './merkle.js';

/** Findings listed in full up to this many of each kind; counts are always whole. */
const LISTED = 100;
/** Altered leaves remembered to tell a reorder from an edit. */
const REMEMBERED = 100_000;

export interface LeafFinding {
  readonly kind: 'altered' | 'reordered' | 'missing' | 'inserted';
  /** The leaf (absent for an inserted event: the tree has none). */
  readonly leafIndex: number | null;
  readonly position: number;
  /** The event now at that position, when there is one. */
  readonly streamId: string | null;
  readonly revision: number | null;
  /** For a reordered leaf: the leaf whose recorded content this position now holds. */
  readonly recordedAsLeaf?: number;
}

export interface BrokenStream {
  readonly streamId: string;
  readonly firstBrokenRevision: number;
  readonly why: string;
}

export interface TreeReader {
  /** Leaves [from, to) with their positions, in order. */
  positions(from: number, to: number): Array<{ leaf: number; position: number }>;
  leafHash(index: number): Hash;
}

export interface VerificationReport {
  /** Everything holds: every leaf, every stream, the root. */
  readonly ok: boolean;
  readonly streams: number;
  readonly intact: number;
  readonly broken: BrokenStream[];
  readonly events: number;
  readonly throughPosition: number;
  readonly tree: {
    readonly size: number;
    readonly checkpointRoot: string;
    /** The root of the log's own first `size` events, rebuilt from what is stored. */
    readonly logRoot: string | null;
    readonly rootMatches: boolean;
    readonly firstMismatch: LeafFinding | null;
    readonly mismatches: number;
    readonly findings: LeafFinding[];
    /** Leaves whose events are gone: the log's gaps. */
    readonly gaps: number;
    readonly reordered: number;
    readonly inserted: number;
  };
}

interface StreamWalk {
  /** Whether the caller may see the stream named. */
  readonly shown: boolean;
  next: number;
  previousHash: string;
  broken?: { revision: number; why: string };
}

export interface VerificationScope {
  /** Whether the caller may see this stream named (a regional key sees its own). */
  readonly shows: (event: RecordedEvent) => boolean;
}

export class LogVerification {
  private readonly streams = new Map<string, StreamWalk>();
  private readonly builder = new RootBuilder();
  private readonly findings: LeafFinding[] = [];
  private firstMismatch: LeafFinding | null = null;
  private mismatches = 0;
  private gaps = 0;
  private inserted = 0;
  private events = 0;
  private throughPosition = 0;
  private leaf = 0;
  private expected: Array<{ leaf: number; position: number }> = [];
  private expectedAt = 0;
  /** Altered leaves: stored hash → leaf, and leaf → the hash its position now holds. */
  private readonly alteredStored = new Map<string, number>();
  private readonly alteredNow = new Map<number, { hash: string; finding: LeafFinding }>();

  constructor(
    private readonly tree: TreeReader,
    private readonly size: number,
    private readonly checkpointRoot: Hash,
    private readonly isChained: (streamId: string) => boolean,
    private readonly scope?: VerificationScope,
  ) {}

  /** The next event of the log, in position order. */
  take(event: RecordedEvent): void {
    this.events += 1;
    this.throughPosition = event.position;
    const shown = this.scope === undefined || this.scope.shows(event);
    const hash = eventLeafHash(event);
    // The root of the log as it is: its first `size` events, whatever the tree says of them.
    if (this.builder.size < this.size) this.builder.push(hash);
    let leafHolds = true;
    for (let at = this.expectedPosition(); at !== undefined && at.position < event.position; at = this.expectedPosition()) {
      this.gaps += 1;
      this.record({ kind: 'missing', leafIndex: at.leaf, position: at.position, streamId: null, revision: null }, true);
      this.advance();
    }
    const at = this.expectedPosition();
    if (at !== undefined && at.position === event.position) {
      const stored = this.tree.leafHash(at.leaf);
      if (!hash.equals(stored)) {
        leafHolds = false;
        const finding: LeafFinding = { kind: 'altered', leafIndex: at.leaf, position: event.position, ...named(event, shown) };
        this.record(finding, shown);
        if (this.alteredNow.size < REMEMBERED) {
          this.alteredStored.set(stored.toString('hex'), at.leaf);
          this.alteredNow.set(at.leaf, { hash: hash.toString('hex'), finding });
        }
      }
      this.advance();
    } else if (at !== undefined) {
      // Before the tree's next leaf, at a position the tree never recorded: inserted.
      leafHolds = false;
      this.inserted += 1;
      this.record({ kind: 'inserted', leafIndex: null, position: event.position, ...named(event, shown) }, shown);
    }
    this.checkStream(event, leafHolds, shown);
  }

  finish(): VerificationReport {
    for (let at = this.expectedPosition(); at !== undefined; at = this.expectedPosition()) {
      this.gaps += 1;
      this.record({ kind: 'missing', leafIndex: at.leaf, position: at.position, streamId: null, revision: null }, true);
      this.advance();
    }
    const reordered = this.findReorders();
    const rebuilt = this.builder.size === this.size ? this.builder.root() : undefined;
    const rootMatches = rebuilt !== undefined && rebuilt.equals(this.checkpointRoot);
    const walks = [...this.streams];
    const anyBroken = walks.some(([, walk]) => walk.broken !== undefined);
    const shown = walks.filter(([, walk]) => walk.shown);
    const broken = shown.flatMap(([streamId, walk]) =>
      walk.broken === undefined ? [] : [{ streamId, firstBrokenRevision: walk.broken.revision, why: walk.broken.why }]);
    return {
      ok: rootMatches && this.mismatches === 0 && !anyBroken,
      streams: shown.length,
      intact: shown.length - broken.length,
      broken,
      events: this.events,
      throughPosition: this.throughPosition,
      tree: {
        size: this.size,
        checkpointRoot: this.checkpointRoot.toString('base64'),
        logRoot: rebuilt === undefined ? null : rebuilt.toString('base64'),
        rootMatches,
        firstMismatch: this.firstMismatch,
        mismatches: this.mismatches,
        findings: this.findings,
        gaps: this.gaps,
        reordered,
        inserted: this.inserted,
      },
    };
  }

  /** An altered leaf whose position now holds what another altered leaf recorded was moved. */
  private findReorders(): number {
    let count = 0;
    for (const [leaf, now] of this.alteredNow) {
      const recordedAs = this.alteredStored.get(now.hash);
      if (recordedAs === undefined || recordedAs === leaf) continue;
      count += 1;
      const moved: LeafFinding = { ...now.finding, kind: 'reordered', recordedAsLeaf: recordedAs };
      const index = this.findings.indexOf(now.finding);
      if (index >= 0) this.findings[index] = moved;
      if (this.firstMismatch === now.finding) this.firstMismatch = moved;
    }
    return count;
  }

  private record(finding: LeafFinding, shown: boolean): void {
    this.mismatches += 1;
    const listed = shown ? finding : { ...finding, streamId: null, revision: null };
    this.firstMismatch ??= listed;
    if (this.findings.length < LISTED) this.findings.push(listed);
  }

  private expectedPosition(): { leaf: number; position: number } | undefined {
    if (this.expectedAt >= this.expected.length) {
      if (this.leaf >= this.size) return undefined;
      this.expected = this.tree.positions(this.leaf, Math.min(this.size, this.leaf + 4096));
      this.expectedAt = 0;
      if (this.expected.length === 0) {
        // The tree's own map of positions ends early: the tree file itself was cut.
        this.leaf = this.size;
        return undefined;
      }
    }
    return this.expected[this.expectedAt];
  }

  private advance(): void {
    this.expectedAt += 1;
    this.leaf += 1;
  }

  private checkStream(event: RecordedEvent, leafHolds: boolean, shown: boolean): void {
    let walk = this.streams.get(event.streamId);
    if (walk === undefined) {
      walk = { shown, next: 0, previousHash: GENESIS_HASH };
      this.streams.set(event.streamId, walk);
    }
    if (walk.broken !== undefined) return;
    const revision = event.revision;
    if (revision !== walk.next) {
      walk.broken = revision > walk.next
        ? { revision: walk.next, why: `revision ${walk.next} is missing: the next event is revision ${revision}` }
        : { revision, why: `revision ${revision} comes again, or out of order, after ${walk.next - 1}` };
      return;
    }
    walk.next += 1;
    if (!leafHolds) {
      walk.broken = { revision, why: 'the event is not what the log\'s tree recorded' };
      return;
    }
    if (!this.isChained(event.streamId)) return;
    const hash = event.metadata['hash'];
    if (event.metadata['prevHash'] !== walk.previousHash) {
      walk.broken = { revision, why: 'its prevHash is not the previous event\'s hash' };
    } else if (typeof hash !== 'string' || hash !== chainHash(walk.previousHash, event)) {
      walk.broken = { revision, why: 'its hash is not the hash of its content' };
    } else {
      walk.previousHash = hash;
    }
  }
}

function named(event: RecordedEvent, shown: boolean): { streamId: string | null; revision: number | null } {
  return shown ? { streamId: event.streamId, revision: event.revision } : { streamId: null, revision: null };
}
