/**
 * A decider (emmett's shape): decide(command, state) → events, evolve(state, event) → state.
 * Pure and deterministic: time, ids and the acting key come in through the command.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  /** Returns the events to append, or throws a DomainRuleBroken naming the rule. */
  readonly decide: (command: Command, state: State) => readonly Decided<Event>[];
}

/**
 * An event a decision produced, with the soft rules it broke: it is recorded (it is what
 * happened), and the flags travel in its metadata to the compliance read model.
 */
export type Decided<Event> = Event & { readonly flags?: readonly SoftRule[] };

/** Soft rules (DOMAIN.md, "Rules"): recorded and flagged, never refused. */
export type SoftRule =
  | 'started-without-approval' // 未批先建
  | 'statistics-inconsistent' // 入统数据不一致: declared figure more than 10 % off 总投资
  | 'late-report'; // recordedAt more than LATE_REPORT_DAYS after occurredOn

/**
 * A hard rule refused the command: nothing is appended. Carries a stable `rule` name that the
 * HTTP layer reports in the problem's `rule` field with status 409; no HTTP status here.
 */
export class DomainRuleBroken extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainRuleBroken';
  }
}

/**
 * A decider whose events live in a store: `decode` turns a stored event (its data as written,
 * upcasted to the current schema) back into the decider's event. Stored data is trusted, it
 * was validated when decided, so decoding checks the type and does not re-parse the data
 * (the request schemas parse 万元 input, not the stored integer Amounts).
 */
export interface StreamDecider<Command, Event, State> extends Decider<Command, Event, State> {
  readonly decode: (stored: StoredEvent) => Event;
}

export interface StoredEvent {
  readonly type: string;
  readonly data: object;
}

/** An event type this code does not know was found in a stream it decides on. */
export class UnknownEventType extends Error {
  constructor(readonly type: string, readonly stream: string) {
    super(`unknown event type ${type} in a ${stream} stream`);
    this.name = 'UnknownEventType';
  }
}
