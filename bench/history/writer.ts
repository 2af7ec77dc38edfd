/**
 * Writes a generated history the way the app writes it: each command is decided by the real
 * decider on the stream's state, stamped by `stampEvents` (actor, correlation, schema version,
 * the stream's hash chain) and appended with the revision it was decided on. Appends are not
 * awaited one by one: the store groups them (group commit), the simulation awaits them once a
 * simulated day. Refusals by a decider are counted, not written: a history that breaks a hard
 * rule is a bug of the generator, and the count says so.
 */
import type { EventStore } from '../../src/event-store/port.js';
import { DomainRuleBroken, type StoredEvent, type StreamDecider } from '../../commands/decider.js';
import { stampEvents, type CommandContext } from '../../commands/handle-command.js';
import { GENESIS_HASH } from '../../commands/hash-chain.js';
import type { Actor } from '../../commands/metadata.js';
import { uuid, type Random } from './random.js';
import { checkStoredForm } from './stored-form.js';

/** What the writer knows of a stream: enough to decide and chain the next command. */
export interface StreamTip<State> {
  readonly streamId: string;
  state: State;
  /** Revision of the stream's last event; -1 when empty. */
  revision: number;
  lastHash: string;
}

export function newTip<State>(streamId: string, state: State): StreamTip<State> {
  return { streamId, state, revision: -1, lastHash: GENESIS_HASH };
}

export interface WriterOptions {
  /** Absent: a dry run that decides and counts but writes nothing (calibration). */
  readonly store?: EventStore;
  readonly rnd: Random;
  /** Stop accepting commands after this many events. */
  readonly limit: number;
}

export class HistoryWriter {
  written = 0;
  readonly byType = new Map<string, number>();
  readonly refusals = new Map<string, number>();
  private pending: Promise<unknown>[] = [];
  private failure: unknown;

  constructor(private readonly options: WriterOptions) {}

  get full(): boolean {
    return this.written >= this.options.limit;
  }

  /** Room for `n` more events before the limit. */
  hasRoomFor(n: number): boolean {
    return this.written + n <= this.options.limit;
  }

  /**
   * Decides `command` on the tip's state and appends what was decided. Returns false when the
   * decider refused it (counted by rule) or the limit is reached.
   */
  decide<Command, Event extends StoredEvent, State>(
    tip: StreamTip<State>, decider: StreamDecider<Command, Event, State>, command: Command, actor: Actor,
  ): boolean {
    if (this.full) return false;
    let decided;
    try {
      decided = decider.decide(command, tip.state);
    } catch (error) {
      if (!(error instanceof DomainRuleBroken)) throw error;
      this.refusals.set(error.rule, (this.refusals.get(error.rule) ?? 0) + 1);
      return false;
    }
    if (decided.length === 0) return true;
    const { rnd } = this.options;
    const requestId = uuid(rnd);
    const context: CommandContext = { actor, correlationId: requestId, causationId: requestId, newEventId: () => uuid(rnd) };
    const events = stampEvents(decided, tip.lastHash, context);
    for (const event of events) {
      const count = (this.byType.get(event.type) ?? 0) + 1;
      this.byType.set(event.type, count);
      checkStoredForm(event.type, event.data, count);
    }
    const expectedRevision = tip.revision < 0 ? 'no_stream' as const : tip.revision;
    const store = this.options.store;
    if (store) {
      this.pending.push(store.appendToStream(tip.streamId, events, { expectedRevision }).catch((error: unknown) => {
        this.failure ??= error;
      }));
    }
    tip.state = decided.reduce(decider.evolve, tip.state);
    tip.revision += events.length;
    const last = events.at(-1)?.metadata?.['hash'];
    if (typeof last === 'string') tip.lastHash = last;
    this.written += events.length;
    return true;
  }

  /** Waits for every append issued so far; throws the first failure. */
  async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
    if (this.failure !== undefined) throw this.failure;
  }
}
