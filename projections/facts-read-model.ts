/**
 * A read model over the shared project facts: the ledger, the statistics, compliance and
 * batches all need every project's facts (project-facts.ts), so the facts are folded once
 * and each read model folds only what is its own (the statistics cube, the late reports, the
 * batches) beside them. It stays a pure fold, in two steps per event:
 *
 *   beforeFacts(state, event, facts as they were)   — e.g. retract a contribution
 *   the shared facts take the event
 *   evolve(state, event, facts as they are now)       — e.g. apply it again
 *
 * `standalone` makes one into a Projection with a facts table of its own (tests, and any
 * tool that wants a single read model); ReadModels folds the four over one table
 * (read-models.ts).
 */
import type { RecordedEvent } from '../src/event-store/port.js';
import { PROJECT_EVENT_TYPES } from '../commands/project/events.js';
import type { Projection } from './projection.js';
import { domainEventOf, type DomainEvent } from './shared/domain-events.js';
import {
  applyToFacts, emptyFactsTable, factsChunks, factsFromChunks, type FactsTable, type ProjectFacts,
} from './shared/project-facts.js';

export interface FactsReadModel<State> {
  readonly name: string;
  /** Bump it when `evolve` or the state's shape changes (the facts have their own version). */
  readonly version: number;
  /** The event types its own part reacts to (the facts take every project and batch event). */
  readonly handles: readonly string[];
  /** A fresh state over `facts` (its `projects` is the table's: queries read them there). */
  readonly initialState: (facts: FactsTable) => State;
  /** Called before the facts take the event; `facts` is undefined before the registration. */
  readonly beforeFacts?: (state: State, event: DomainEvent, facts: ProjectFacts | undefined, recorded: RecordedEvent) => void;
  /** Called after; `facts` is undefined for events of no registered project. */
  readonly evolve: (state: State, event: DomainEvent, facts: ProjectFacts | undefined, recorded: RecordedEvent) => State;
  /** Its own part of the state as JSON data, without the facts. */
  readonly toSnapshot: (state: State) => unknown;
  readonly fromSnapshot: (snapshot: unknown, facts: FactsTable) => State;
}

/**
 * Version of the shared facts: bump it when evolveFacts or ProjectFacts change; every read
 * model over them then rebuilds. 2: PeriodAmounts kept sorted by month. 3: every milestone's
 * fields (approval authority, land method, commissioning, output and tax, the withdrawal's
 * approval), a full commissioning after a partial one keeps the first date. 4: the partial
 * commissioning's capacity, kept after the full one.
 */
export const FACTS_VERSION = 4;

/** The events the shared facts take. */
export const FACTS_EVENTS: readonly string[] = [...PROJECT_EVENT_TYPES, 'GroundbreakingBatchScheduled'];

/** One event through the facts and every read model over them, in the order the contract above says. */
export function foldOverFacts<States extends Record<string, unknown>>(
  facts: FactsTable,
  models: readonly { readonly key: keyof States & string; readonly model: FactsReadModel<any>; readonly handles: ReadonlySet<string> }[],
  states: States,
  recorded: RecordedEvent,
): void {
  const event = domainEventOf(recorded);
  if (event === undefined) return;
  const before = event.type === 'AnnualTargetsSet' || event.type === 'GroundbreakingBatchScheduled'
    ? undefined
    : facts.projects[event.data.projectId];
  for (const { key, model, handles } of models) {
    if (model.beforeFacts !== undefined && handles.has(event.type)) model.beforeFacts(states[key], event, before, recorded);
  }
  const after = applyToFacts(facts, event, recorded);
  for (const { key, model, handles } of models) {
    if (handles.has(event.type)) (states as Record<string, unknown>)[key] = model.evolve(states[key], event, after, recorded);
  }
}

/** The facts table behind each standalone state (the state itself shows only its `projects`). */
const tables = new WeakMap<object, FactsTable>();

function tableOf(state: object): FactsTable {
  const table = tables.get(state);
  if (table === undefined) throw new Error('not a state of this standalone read model');
  return table;
}

/**
 * The read model as a Projection of its own, with its own facts table: handles every event the
 * facts need as well as its own. Its snapshot is its part, then the facts in chunks.
 */
export function standalone<State extends object>(model: FactsReadModel<State>): Projection<State> {
  const handles = new Set([...FACTS_EVENTS, ...model.handles]);
  const entry = [{ key: 'state', model, handles: new Set(model.handles) }] as const;
  const track = (state: State, table: FactsTable): State => {
    tables.set(state, table);
    return state;
  };
  return {
    name: model.name,
    version: FACTS_VERSION * 1000 + model.version,
    handles: [...handles],
    initialState: () => {
      const table = emptyFactsTable();
      return track(model.initialState(table), table);
    },
    evolve: (state, recorded) => {
      const table = tableOf(state);
      const states = { state };
      foldOverFacts(table, entry, states, recorded);
      return states.state === state ? state : track(states.state, table);
    },
    serialise: function* (state) {
      yield JSON.stringify(model.toSnapshot(state));
      yield* factsChunks(tableOf(state));
    },
    deserialise: (chunks) => {
      const iterator = chunks[Symbol.iterator]();
      const first = iterator.next();
      if (first.done) throw new Error(`an empty snapshot of ${model.name}`);
      const own: unknown = JSON.parse(first.value);
      const table = factsFromChunks(iterator);
      return track(model.fromSnapshot(own, table), table);
    },
  };
}
