/**
 * The server's side of the read worker (read-worker-thread.ts): hands it a long read and
 * receives the answer's position, then its parts (CSV text, rows of cells) or its value. The
 * worker reads the history file on its own connection, so it exists only for a history in a
 * file; in memory (tests) the same reads run here, a slice per turn.
 */
import { Worker } from 'node:worker_threads';
import type { FromReadWorker, ReadAt, ReadRequest, ReadWorkerData, ToReadWorker } from './read-worker-thread.js';
import type { FactScope } from './facts-history.js';

interface Pending {
  readonly onPosition: (position: number) => void;
  readonly onPart: (part: unknown) => void;
  readonly onDone: (value: unknown) => void;
  readonly onFailed: (error: Error) => void;
}

/** A long read being answered: its position first, then its parts, then its end. */
export interface WorkerRead {
  readonly position: Promise<number>;
  /** The parts in order (CSV text, rows of cells), then the value (a compliance list). */
  parts(): AsyncGenerator<unknown, unknown>;
}

export class ReadWorker {
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private failure: Error | undefined;

  constructor(private readonly path: string, private readonly logger?: { error(details: object, message: string): void }) {}

  /** The thread, started at the first read (a start of the server need not wait for one more thread to load its modules). */
  private get worker(): Worker {
    if (this.thread !== undefined) return this.thread;
    const data: ReadWorkerData = { path: this.path };
    const worker = new Worker(new URL('./read-worker.mjs', import.meta.url), { workerData: data });
    worker.on('message', (message: FromReadWorker) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      switch (message.type) {
        case 'position':
          pending.onPosition(message.position);
          return;
        case 'part':
          pending.onPart(message.part);
          return;
        case 'done':
          this.settled(message.id);
          pending.onDone(message.value);
          return;
        case 'failed':
          this.settled(message.id);
          pending.onFailed(new Error(message.message));
      }
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the read worker stopped')));
    worker.unref();
    this.thread = worker;
    return worker;
  }

  private thread: Worker | undefined;

  /** False once the thread has failed or stopped: reads then run on the server's thread (read-models.ts). */
  get available(): boolean {
    return this.failure === undefined;
  }

  /** Starts a read; its parts are buffered until taken (a province's CSV is tens of MB at most). */
  read(at: ReadAt, scope: FactScope, request: ReadRequest): WorkerRead {
    if (this.failure !== undefined) throw this.failure;
    const id = this.next++;
    const parts: unknown[] = [];
    let done: { value: unknown } | undefined;
    let failed: Error | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    let resolvePosition!: (position: number) => void;
    let rejectPosition!: (error: Error) => void;
    const position = new Promise<number>((resolve, reject) => { resolvePosition = resolve; rejectPosition = reject; });
    position.catch(() => undefined);
    this.pending.set(id, {
      onPosition: resolvePosition,
      onPart: (part) => { parts.push(part); notify(); },
      onDone: (value) => { done = { value }; notify(); },
      onFailed: (error) => { failed = error; rejectPosition(error); notify(); },
    });
    // A read under way keeps the process alive (the worker is otherwise unref'd: it never holds a stop).
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ type: 'read', id, at, scope, request } satisfies ToReadWorker);
    return {
      position,
      parts: async function* () {
        for (;;) {
          if (parts.length > 0) {
            yield parts.shift();
            continue;
          }
          if (failed !== undefined) throw failed;
          if (done !== undefined) return done.value;
          await new Promise<void>((resolve) => { wake = resolve; });
        }
      },
    };
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    this.failure ??= new Error('the read worker was stopped');
    if (this.thread === undefined) return;
    this.thread.postMessage({ type: 'stop' } satisfies ToReadWorker);
    await this.thread.terminate();
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.thread?.unref();
  }

  private fail(error: Error): void {
    if (this.failure === undefined && !this.stopping) {
      this.logger?.error({ err: error }, 'the read worker failed: long reads (CSV, compliance lists) run on the server\'s thread until the next start');
    }
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.onFailed(error);
    this.pending.clear();
  }
}
