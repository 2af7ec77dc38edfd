/**
 * The four read models of the product folded as one projection over one shared facts table:
 * each event is applied to the facts once, and the ledger, the statistics, compliance and
 * batches fold only their own parts beside them (facts-read-model.ts). The server runs this
 * one projection (runner/read-models.ts), with one position, one snapshot and one rebuild.
 *
 * Its version is derived from the facts' and every read model's: a change to any one rebuilds
 * them all (in the background, the old state answering meanwhile). At ~10⁵–10⁶ projects that
 * costs less than keeping four copies of every project's facts.
 */
import type { RecordedEvent } from '../src/event-store/port.js';
import type { Projection } from './projection.js';
import { FACTS_EVENTS, FACTS_VERSION, type FactsReadModel } from './facts-read-model.js';
import { domainEventOf } from './shared/domain-events.js';
import { idRecordOf } from './shared/id-record.js';
import { applyToFacts, emptyFactsTable, factsChunks, factsFromChunksSliced, type FactsTable } from './shared/project-facts.js';
import { runNow, type Sliced } from './shared/sliced.js';
import { ledgerModel, type LedgerState } from './project-ledger/projection.js';
import { statisticsModel, type PipelineState } from './pipeline-statistics/projection.js';
import type { Cube } from './pipeline-statistics/cube.js';
import { complianceModel, type ComplianceState, type LateReport } from './compliance/projection.js';
import { batchesModel, type BatchesState } from './batches/projection.js';

export interface ReadModelStates {
  'project-ledger': LedgerState;
  'pipeline-statistics': PipelineState;
  compliance: ComplianceState;
  batches: BatchesState;
}

export type ReadModelName = keyof ReadModelStates;

export interface AllReadModelsState extends ReadModelStates {
  readonly facts: FactsTable;
}


const MODELS: { readonly [K in ReadModelName]: FactsReadModel<ReadModelStates[K]> } = {
  'project-ledger': ledgerModel,
  'pipeline-statistics': statisticsModel,
  compliance: complianceModel,
  batches: batchesModel,
};

export const READ_MODEL_NAMES = Object.keys(MODELS) as ReadModelName[];

const LEDGER = 1;
const STATISTICS = 2;
const COMPLIANCE = 4;
const BATCHES = 8;
/** Event type → which read models handle it (one lookup per event instead of one per read model). */
const HANDLED_BY = new Map<string, number>();
for (const [bit, model] of [[LEDGER, ledgerModel], [STATISTICS, statisticsModel], [COMPLIANCE, complianceModel], [BATCHES, batchesModel]] as const) {
  for (const type of model.handles) HANDLED_BY.set(type, (HANDLED_BY.get(type) ?? 0) | bit);
}
const retractStatistics = statisticsModel.beforeFacts ?? (() => undefined);

/**
 * foldOverFacts (facts-read-model.ts) written out for the four: the same steps in the same
 * order, with each read model's state at a fixed property. This is the rebuild's inner loop,
 * and the generic one's keyed accesses and calls through a list cost a third of it.
 */
function evolveAll(state: AllReadModelsState, recorded: RecordedEvent): AllReadModelsState {
  const event = domainEventOf(recorded);
  if (event === undefined) return state;
  const handledBy = HANDLED_BY.get(event.type) ?? 0;
  if ((handledBy & STATISTICS) !== 0) {
    const before = event.type === 'AnnualTargetsSet' || event.type === 'GroundbreakingBatchScheduled'
      ? undefined
      : state.facts.projects[event.data.projectId];
    retractStatistics(state['pipeline-statistics'], event, before, recorded);
  }
  const after = applyToFacts(state.facts, event, recorded);
  if ((handledBy & LEDGER) !== 0) state['project-ledger'] = ledgerModel.evolve(state['project-ledger'], event, after, recorded);
  if ((handledBy & STATISTICS) !== 0) state['pipeline-statistics'] = statisticsModel.evolve(state['pipeline-statistics'], event, after, recorded);
  if ((handledBy & COMPLIANCE) !== 0) state.compliance = complianceModel.evolve(state.compliance, event, after, recorded);
  if ((handledBy & BATCHES) !== 0) state.batches = batchesModel.evolve(state.batches, event, after, recorded);
  return state;
}

/** What the version is derived from: the facts' and each read model's version. */
export const READ_MODEL_VERSIONS: string = [`facts:${FACTS_VERSION}`, ...READ_MODEL_NAMES.map((name) => `${name}:${MODELS[name].version}`)].join(' ');

/**
 * Where the fold keeps the projects' facts, and what a snapshot keeps of them after the read
 * models' own parts: all of them in the heap (`IN_HEAP`: tests, tools), or in the read side's
 * history rows with a few in memory (runner/facts-on-rows.ts: the server).
 */
export interface FactsStorage {
  /** Named in each snapshot: a snapshot is read back by the storage that wrote it. */
  readonly kind: string;
  /** The table of a fold from the log's start. */
  empty(): FactsTable;
  chunks(table: FactsTable): Iterable<string>;
  fromChunks(chunks: Iterator<string>): Sliced<FactsTable>;
  /**
   * Compliance's late reports, when the storage keeps them with each project's facts (the
   * history's rows do): compliance reads and appends them there, and they are not in snapshots.
   */
  lateReports?(table: FactsTable): Record<string, LateReport[]>;
  /**
   * The statistics cube as it stood at a position, when the storage can read it (the history's
   * checkpoints and changes can): snapshots then hold none, and a start reads a region's nodes
   * when something first asks for them.
   */
  cube?(position: number): Cube;
}

/** Every project's facts in the heap, every one in each snapshot (2,000 a chunk). */
export const IN_HEAP: FactsStorage = {
  kind: 'heap',
  empty: emptyFactsTable,
  chunks: (table) => factsChunks(table),
  fromChunks: factsFromChunksSliced,
};

/** The four read models folded over one facts table kept in `storage`. */
export function readModelsOver(storage: FactsStorage): Projection<AllReadModelsState> {
  return {
    name: 'read-models',
    version: readModelsVersion(storage),
    handles: [...new Set([...FACTS_EVENTS, ...READ_MODEL_NAMES.flatMap((name) => MODELS[name].handles)])],
    initialState: () => {
      const facts = storage.empty();
      return withLateReportsOf(storage, {
        facts,
        'project-ledger': ledgerModel.initialState(facts),
        'pipeline-statistics': statisticsModel.initialState(facts),
        compliance: complianceModel.initialState(facts),
        batches: batchesModel.initialState(facts),
      });
    },
    evolve: evolveAll,
    serialise: function* (state) {
      yield ownPartsJson(state, storage);
      yield* storage.chunks(state.facts);
    },
    deserialise: (chunks) => runNow(deserialiseAll(chunks, storage)),
    deserialiseSliced: (chunks) => deserialiseAll(chunks, storage),
  };
}

/**
 * The version of the read models over `storage`: a snapshot holds the facts as its storage
 * keeps them, so each storage's snapshots (and history) are of a version of its own.
 */
export function readModelsVersion(storage: Pick<FactsStorage, 'kind'>): number {
  return versionNumber(storage.kind === IN_HEAP.kind ? READ_MODEL_VERSIONS : `${READ_MODEL_VERSIONS} facts-in:${storage.kind}`);
}

/** The read models over facts in the heap (tests, tools, the reference for every other storage). */
export const allReadModels: Projection<AllReadModelsState> = readModelsOver(IN_HEAP);

/** Every read model's own part of the state (without the shared facts), as the snapshot's first chunk. */
function ownPartsJson(state: AllReadModelsState, storage: FactsStorage): string {
  const own: Record<string, unknown> = { [FACTS_KIND]: storage.kind };
  for (const name of READ_MODEL_NAMES) {
    // Late reports the storage keeps are in its rows, not here.
    const modelState = name === 'compliance' && storage.lateReports !== undefined ? { ...state.compliance, lateReports: {} }
      : name === 'pipeline-statistics' && storage.cube !== undefined ? { ...state['pipeline-statistics'], cube: {} }
        : state[name];
    own[name] = (MODELS[name] as FactsReadModel<unknown>).toSnapshot(modelState);
  }
  return JSON.stringify(own);
}

/** The key of the read models' own parts that names the storage the facts were written by. */
const FACTS_KIND = '$facts';

function* deserialiseAll(chunks: Iterable<string>, storage: FactsStorage): Sliced<AllReadModelsState> {
  const iterator = chunks[Symbol.iterator]();
  let own: Record<ReadModelName, unknown>;
  let facts: FactsTable;
  try {
    const first = iterator.next();
    if (first.done) throw new Error('an empty snapshot of the read models');
    own = JSON.parse(first.value) as Record<ReadModelName, unknown>;
    const kind = (own as Record<string, unknown>)[FACTS_KIND] ?? IN_HEAP.kind;
    if (kind !== storage.kind) throw new Error(`a snapshot of facts kept ${String(kind)}, read by a fold keeping them ${storage.kind}`);
    facts = yield* storage.fromChunks(iterator);
  } finally {
    iterator.return?.(); // a snapshot read from a file holds a connection until its chunks end
  }
  if (storage.lateReports !== undefined) {
    // Kept in the storage's rows (an older snapshot may still hold them: they are the same).
    (own.compliance as { lateReports?: unknown }).lateReports = {};
  }
  const statistics = own['pipeline-statistics'] as { position: number; cube?: unknown };
  if (storage.cube !== undefined) statistics.cube = {};
  const state = withLateReportsOf(storage, {
    facts,
    'project-ledger': ledgerModel.fromSnapshot(own['project-ledger'], facts),
    'pipeline-statistics': statisticsModel.fromSnapshot(own['pipeline-statistics'], facts),
    compliance: complianceModel.fromSnapshot(own.compliance, facts),
    batches: batchesModel.fromSnapshot(own.batches, facts),
  });
  // The statistics' own position: nothing after it changed the cube.
  if (storage.cube !== undefined) state['pipeline-statistics'].cube = storage.cube(statistics.position);
  return state;
}

/** Compliance's late reports where the storage keeps them, if it does. */
function withLateReportsOf(storage: FactsStorage, state: AllReadModelsState): AllReadModelsState {
  if (storage.lateReports !== undefined) state.compliance.lateReports = storage.lateReports(state.facts);
  return state;
}

/** A stable 31-bit number for the versions' description (FNV-1a): snapshots are keyed by it. */
function versionNumber(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 1) || 1;
}
