/**
 * The real embedded store (in memory) for handler tests, and a wrapper that holds the first
 * appends until every racer has read: it turns "two handlers at once" into a certainty.
 */
import type { Test } from 'tap';
import type { AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../../src/event-store/port.js';
import { WrongExpectedRevision } from '../../src/event-store/errors.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { CommandContext } from '../../commands/handle-command.js';
import { DomainRuleBroken } from '../../commands/decider.js';

export function openStore(t: Test): EventStore {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  return store;
}

export const bureau = (fields: Partial<CommandContext> = {}): CommandContext => ({
  actor: { keyId: 'key-zq-1', role: 'bureau', regions: ['131121'] },
  correlationId: 'req-1',
  ...fields,
});

/** Delegates to `inner`; appends wait until `racers` stream reads have been answered. */
export class RacingStore implements EventStore {
  readonly kind = 'embedded' as const;
  conflicts = 0;
  private reads = 0;
  private release: () => void = () => {};
  private readonly allRead: Promise<void>;

  constructor(private readonly inner: EventStore, private readonly racers: number) {
    this.allRead = new Promise((resolve) => { this.release = resolve; });
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    try {
      return await this.inner.readStream(streamId, options);
    } finally {
      this.reads += 1;
      if (this.reads >= this.racers) this.release();
    }
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options?: { readonly expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    await this.allRead;
    try {
      return await this.inner.appendToStream(streamId, events, options);
    } catch (error) {
      if (error instanceof WrongExpectedRevision) this.conflicts += 1;
      throw error;
    }
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> { return this.inner.readAll(options); }
  subscribeToAll(options?: SubscribeOptions): Subscription { return this.inner.subscribeToAll(options); }
  headPosition(): Promise<number> { return this.inner.headPosition(); }
  logId(): Promise<string> { return this.inner.logId(); }
  readEventAt(position: number): Promise<RecordedEvent | undefined> { return this.inner.readEventAt(position); }
  ping(): Promise<void> { return this.inner.ping(); }
  close(): Promise<void> { return this.inner.close(); }
}

/** Asserts the promise is refused by the named rule. */
export async function refusedWith(t: Test, promise: Promise<unknown>, rule: string, message = `refused: ${rule}`): Promise<void> {
  try {
    await promise;
    t.fail(`${message}: it was accepted`);
  } catch (error) {
    if (!(error instanceof DomainRuleBroken)) throw error;
    t.equal(error.rule, rule, message);
  }
}
