/**
 * The stand-in's storage: one in-memory transaction log, addressed like KurrentDB's.
 *
 * Every event is a self-committed record: its commit and prepare positions are both its
 * pre-position (the offset where the record starts), and the next record starts at its
 * post-position. Record sizes depend on the payload, so positions are log offsets with gaps,
 * never 0, 1, 2… The log opens with a 128-byte header record that is not an event, as a real
 * log opens with its epoch record, so the first event is not at position 0.
 */
import { randomUUID } from 'node:crypto';

export interface LogRecord {
  /** Pre-position: where the record starts. Both the commit and the prepare position. */
  readonly position: bigint;
  /** Where the next record starts. */
  readonly postPosition: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** 100 ns ticks since the Unix epoch, as the server's `created`. */
  readonly created: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export type ExpectedVersion =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'revision'; readonly revision: bigint };

export type AppendOutcome =
  | { readonly ok: true; readonly lastRevision: bigint; readonly position: bigint }
  /** `current` is -1 when the stream has no event. */
  | { readonly ok: false; readonly current: bigint };

/** A log position as the protocol sends it: compared commit first, then prepare. */
export interface TfPos {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const HEADER_SIZE = 128n;
const RECORD_OVERHEAD = 96n;
const encoder = new TextEncoder();

export function compareTfPos(a: TfPos, b: TfPos): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export class InMemoryLog {
  private readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  private readonly listeners = new Set<() => void>();
  private end = HEADER_SIZE;

  get length(): number {
    return this.records.length;
  }

  /** The post-position of the last record: where the next one will start. */
  get endPosition(): bigint {
    return this.end;
  }

  at(index: number): LogRecord | undefined {
    return this.records[index];
  }

  /** Calls `listener` after every commit, synchronously. */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastRevision(streamId: string): bigint {
    return BigInt((this.streams.get(streamId)?.length ?? 0) - 1);
  }

  stream(streamId: string): readonly LogRecord[] | undefined {
    return this.streams.get(streamId);
  }

  /**
   * Checks the expected version and writes all the events or none, as one commit. Like the
   * server, a retry of a write that already happened (same event ids right after the expected
   * revision) succeeds again without writing twice.
   */
  append(streamId: string, expected: ExpectedVersion, events: readonly ProposedEvent[]): AppendOutcome {
    const current = this.lastRevision(streamId);
    const retried = this.alreadyWritten(streamId, expected, events);
    if (retried) return retried;
    const met =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === -1n) ||
      (expected.kind === 'stream_exists' && current >= 0n) ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!met) return { ok: false, current };
    if (events.length === 0) return { ok: true, lastRevision: current, position: this.lastPosition() };
    const written = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, written);
    const created = BigInt(Date.now()) * 10_000n;
    let revision = current;
    for (const event of events) {
      revision += 1n;
      this.write({ ...event, streamId, revision, created });
      const record = this.records.at(-1);
      if (record) written.push(record);
    }
    for (const listener of [...this.listeners]) listener();
    return { ok: true, lastRevision: revision, position: this.lastPosition() };
  }

  /** What the server itself writes ($settings, $stats…), between the product's events. */
  appendSystemEvent(): LogRecord {
    const streamId = '$stats-127.0.0.1:2113';
    const outcome = this.append(streamId, { kind: 'any' }, [{
      id: randomUUID(),
      type: '$statsCollected',
      contentType: 'application/json',
      data: encoder.encode(JSON.stringify({ 'proc-mem': 1 })),
      metadata: new Uint8Array(),
    }]);
    const record = this.records.at(-1);
    if (!outcome.ok || !record) throw new Error('the stand-in could not write a system event');
    return record;
  }

  /** Index of the first record at or after `position` (compared as TFPos (p, p)). */
  firstIndexFrom(position: TfPos): number {
    return this.search((record) => compareTfPos({ commit: record.position, prepare: record.position }, position) >= 0);
  }

  /** Index of the first record after `position`. */
  firstIndexAfter(position: TfPos): number {
    return this.search((record) => compareTfPos({ commit: record.position, prepare: record.position }, position) > 0);
  }

  /** Index one past the last record that ends at or before `position` (post-positions). */
  endIndexBefore(position: TfPos): number {
    return this.search((record) => compareTfPos({ commit: record.postPosition, prepare: record.postPosition }, position) > 0);
  }

  /** Whether a read may start at `offset`: the start of the log, of a record, or the end. */
  isRecordBoundary(offset: bigint): boolean {
    if (offset <= 0n || offset >= this.end || offset === HEADER_SIZE) return true;
    const index = this.firstIndexFrom({ commit: offset, prepare: offset });
    return this.records[index]?.position === offset;
  }

  private lastPosition(): bigint {
    return this.records.at(-1)?.position ?? 0n;
  }

  /**
   * The server's idempotency check: the same ids where the expectation puts them (or, with
   * `any`/`stream_exists`, a run starting where the first id was written) answer the first
   * write; the ids repeated only in part are refused as a wrong expected version.
   */
  private alreadyWritten(streamId: string, expected: ExpectedVersion, events: readonly ProposedEvent[]): AppendOutcome | undefined {
    const written = this.streams.get(streamId);
    const firstId = events[0]?.id;
    if (!written || firstId === undefined) return undefined;
    const current = BigInt(written.length - 1);
    let first: number;
    if (expected.kind === 'no_stream' || expected.kind === 'revision') {
      const at = expected.kind === 'no_stream' ? -1n : expected.revision;
      if (at >= current) return undefined;
      first = Number(at) + 1;
    } else {
      first = written.findIndex((record) => record.id === firstId);
      if (first < 0) return undefined;
    }
    const matching = events.filter((event, i) => written[first + i]?.id === event.id).length;
    if (matching === 0) return undefined;
    const last = written[first + events.length - 1];
    if (matching < events.length || !last) return { ok: false, current };
    return { ok: true, lastRevision: last.revision, position: last.position };
  }

  private write(event: Omit<LogRecord, 'position' | 'postPosition'>): void {
    const size = RECORD_OVERHEAD + BigInt(
      encoder.encode(event.streamId).length + encoder.encode(event.type).length + event.data.length + event.metadata.length);
    this.records.push({ ...event, position: this.end, postPosition: this.end + size });
    this.end += size;
  }

  /** First index whose record satisfies `after` (monotonic over the log). */
  private search(after: (record: LogRecord) => boolean): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const record = this.records[middle];
      if (record && after(record)) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
