/**
 * The verifiable log (API.md): one Merkle tree over every event of the log, in log order,
 * followed from the store as it grows and kept in its own SQLite file (tree-file.ts), with a
 * checkpoint signed within a second of each growth.
 *
 * The tree follows the log through the port, so both stores are served alike: on KurrentDB
 * every replica follows $all and computes the same tree (it is a function of the log), and
 * with the operator's key they sign alike. It reads the store as recorded, never through the
 * upcasters: a leaf is what was written.
 *
 * Before it extends the tree it checks that the log still holds the tree's last leaf where the
 * tree says: a log edited or cut short behind the server's back is never built upon. It says
 * so (`problem`), keeps serving the checkpoints it signed, and signs none over the edited log.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromTreeWorker, ToTreeWorker, TreeWorkerData } from './tree-worker-thread.js';
import type { EventStore, RecordedEvent, Subscription } from '../event-store/port.js';
import { eventLeafHash } from './leaf.js';
import { consistencyProof, inclusionProof, type Hash } from './merkle.js';
import { checkpointText, openNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note.js';
import { TreeFile, type NewLeaf } from './tree-file.js';

export interface LogTreeOptions {
  /** The store as recorded (not upcasting). */
  readonly store: EventStore;
  /** The tree's SQLite file, or ':memory:'. */
  readonly path: string;
  readonly origin: string;
  readonly signers: readonly NoteSigner[];
  /** Checkpoints are signed at most this often (default 200 ms; the contract is within 1 s). */
  readonly signEveryMs?: number;
  readonly clock?: () => number;
  readonly logger?: { info(details: object, message: string): void; error(details: object, message: string): void };
  /**
   * The embedded store's file: the tree is then maintained by a worker thread reading it
   * directly (tree-worker-thread.ts), off the thread that answers commands. Absent (an
   * in-memory store, KurrentDB): the tree follows the log through the port, in process.
   */
  readonly eventsPath?: string;
}

export interface SignedCheckpoint {
  readonly size: number;
  readonly root: Hash;
  readonly note: string;
}

/** Leaves taken in per transaction while catching up. */
const BATCH = 4096;
const RETRY_MS = 1000;

export class LogTree {
  readonly tree: TreeFile;
  private readonly db: Database.Database;
  private pending: NewLeaf[] = [];
  private flushScheduled = false;
  private subscription: Subscription | undefined;
  private following: Promise<void> | undefined;
  private stopped = false;
  private latest: SignedCheckpoint | undefined;
  private signTimer: NodeJS.Timeout | undefined;
  private lastSignedAt = 0;
  private waiters: Array<{ position: number; resolve: (reached: boolean) => void; timer: NodeJS.Timeout }> = [];
  private worker: Worker | undefined;
  private workerStopped: Promise<void> | undefined;
  /** Why the tree stopped following the log, when it did. */
  problem: string | undefined;

  constructor(private readonly options: LogTreeOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.tree = new TreeFile(this.db);
  }

  get origin(): string {
    return this.options.origin;
  }

  get size(): number {
    return this.tree.size;
  }

  get verifierKey(): string {
    const [current] = this.options.signers;
    if (current === undefined) throw new Error('the log has no signing key');
    return current.verifierKey;
  }

  /** Checks the tree against the log's end, signs the current checkpoint, follows the log. */
  async start(): Promise<void> {
    await this.checkContinuity();
    this.adoptSavedCheckpoint();
    if (this.latest?.size !== this.tree.size) this.sign();
    if (this.problem !== undefined) return;
    if (this.options.eventsPath !== undefined && this.options.path !== ':memory:') await this.startWorker(this.options.eventsPath);
    else this.following = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close().catch(() => undefined);
    await this.following;
    if (this.worker !== undefined) {
      const stop: ToTreeWorker = { type: 'stop' };
      this.worker.postMessage(stop);
      await this.workerStopped;
      this.worker = undefined;
      this.tree.reload();
    }
    this.flush();
    if (this.signTimer !== undefined) clearTimeout(this.signTimer);
    if (this.latest?.size !== this.tree.size && this.problem === undefined) this.sign();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
    this.db.close();
  }

  /** The newest signed checkpoint. */
  checkpoint(): SignedCheckpoint {
    if (this.latest === undefined) this.sign();
    if (this.latest === undefined) throw new Error('no checkpoint');
    return this.latest;
  }

  /** A checkpoint of the tree as it is now: the newest signed one, or one signed now. */
  freshCheckpoint(): SignedCheckpoint {
    if (this.latest?.size !== this.tree.size && this.problem === undefined) this.sign();
    return this.checkpoint();
  }

  /** Resolves true once the tree holds the event at `position`, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.tree.lastPosition >= position) return Promise.resolve(true);
    if (this.problem !== undefined || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = { position, resolve, timer: setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs) };
      this.waiters.push(waiter);
    });
  }

  leafIndexOf(position: number): number | undefined {
    return this.tree.leafIndexOf(position);
  }

  inclusionProof(index: number, size: number): Hash[] {
    return inclusionProof(this.tree, index, size);
  }

  consistencyProof(from: number, to: number): Hash[] {
    return consistencyProof(this.tree, from, to);
  }

  root(size: number): Hash {
    return this.tree.root(size);
  }

  /** The log must still hold the tree's last leaf, unchanged, where the tree says it is. */
  private async checkContinuity(): Promise<void> {
    const size = this.tree.size;
    if (size === 0) return;
    const position = this.tree.lastPosition;
    const [event] = await this.options.store.readAll({ fromPosition: position, maxCount: 1 });
    if (event === undefined || event.position !== position) {
      this.diverged(`the log no longer holds leaf ${size - 1} at position ${position}: events were removed behind the server's back`);
    } else if (!eventLeafHash(event).equals(this.tree.leafHash(size - 1))) {
      this.diverged(`the event at position ${position} (${event.streamId}@${event.revision}) is not what leaf ${size - 1} recorded: the log was edited behind the server's back`);
    }
  }

  private diverged(problem: string): void {
    this.problem = problem;
    this.options.logger?.error({ problem, treeSize: this.tree.size }, 'the log tree stops: run GET /v1/audit/verify');
  }

  private adoptSavedCheckpoint(): void {
    const saved = this.tree.savedCheckpoint();
    if (saved === undefined || saved.size > this.tree.size) return;
    try {
      const { text } = openNote(saved.note, this.ownVerifiers());
      if (text !== checkpointText({ origin: this.options.origin, size: saved.size, root: this.tree.root(saved.size) })) return;
      this.latest = { size: saved.size, root: this.tree.root(saved.size), note: saved.note };
    } catch {
      // Signed by another key or for another origin: sign afresh.
    }
  }

  private ownVerifiers(): NoteVerifier[] {
    return this.options.signers.map((signer) => ({
      name: signer.name,
      keyHash: signer.keyHash,
      verifierKey: signer.verifierKey,
      // A note this server saved is re-signed rather than trusted when its signature differs.
      verify: (message, signature) => signature.equals(signer.sign(message)),
    }));
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        // From the start while the tree is empty: a log's first position may be 0.
        const size = this.tree.size + this.pending.length;
        const last = this.pending.at(-1)?.position ?? this.tree.lastPosition;
        this.subscription = this.options.store.subscribeToAll(size === 0 ? {} : { afterPosition: last });
        for await (const event of this.subscription) {
          this.take(event);
          if (this.problem !== undefined) return;
        }
        return;
      } catch (error) {
        if (this.stopped) return;
        this.options.logger?.error({ err: error }, 'the log tree lost the log; following again');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  /** Starts the worker; resolves once it has opened both files and is following the log. */
  private startWorker(eventsPath: string): Promise<void> {
    // 20 ms between looks: the tree (and so leafIndex) trails the log by tens of ms, in fewer, larger commits.
    const settings: TreeWorkerData = { eventsPath, treePath: this.options.path, idleMs: 20 };
    const worker = new Worker(new URL('./tree-worker.mjs', import.meta.url), { workerData: settings });
    this.worker = worker;
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => { ready = resolve; });
    this.workerStopped = new Promise((resolve) => {
      worker.on('message', (message: FromTreeWorker) => {
        switch (message.type) {
          case 'ready':
            ready();
            return;
          case 'appended':
            this.tree.reload();
            this.grew();
            return;
          case 'failed':
            this.options.logger?.error({ problem: message.message }, 'the log tree\'s worker could not take in the newest events; it tries again');
            return;
          case 'stopped':
            resolve();
            return;
          default: {
            const unknown: never = message;
            return unknown;
          }
        }
      });
      worker.on('error', (error) => {
        this.diverged(`the log tree's worker failed: ${error.message}`);
        ready();
        resolve();
      });
      worker.on('exit', () => { ready(); resolve(); });
    });
    return started;
  }

  private take(event: RecordedEvent): void {
    const last = this.pending.at(-1)?.position ?? this.tree.lastPosition;
    if (event.position <= last && this.tree.size + this.pending.length > 0) return; // delivered again after a resubscription
    this.pending.push({ position: event.position, hash: eventLeafHash(event) });
    if (this.pending.length >= BATCH) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const leaves = this.pending;
    if (leaves.length === 0 || !this.db.open) return;
    this.pending = [];
    this.tree.append(leaves);
    this.grew();
  }

  /** The tree took in more of the log: wake who waits for it, and sign soon. */
  private grew(): void {
    const reached = this.tree.lastPosition;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.position <= reached) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        this.waiters.push(waiter);
      }
    }
    this.scheduleSigning();
  }

  private scheduleSigning(): void {
    if (this.signTimer !== undefined || this.stopped) return;
    const now = this.now();
    const wait = Math.max(0, this.lastSignedAt + (this.options.signEveryMs ?? 200) - now);
    this.signTimer = setTimeout(() => {
      this.signTimer = undefined;
      if (this.latest?.size !== this.tree.size) this.sign();
    }, wait);
  }

  private sign(): void {
    const size = this.tree.size;
    const root = this.tree.root(size);
    const text = checkpointText({ origin: this.options.origin, size, root });
    const note = signNote(text, this.options.signers);
    if (this.worker !== undefined) {
      // The worker is the tree file's one writer while it runs.
      const save: ToTreeWorker = { type: 'save-checkpoint', size, note };
      this.worker.postMessage(save);
    } else {
      this.tree.saveCheckpoint(size, note);
    }
    this.latest = { size, root, note };
    this.lastSignedAt = this.now();
  }

  private now(): number {
    return this.options.clock?.() ?? Date.now();
  }
}
