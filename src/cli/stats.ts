/**
 * `stats`: the pipeline statistics of GET /v1/stats/pipeline, computed the same way: the
 * server's read models resumed from its newest snapshot and caught up with the log
 * (or, with --as-of, read from the statistics' history the server keeps in statistics-history.db when it
 * covers the moment, else replayed to the moment from the newest snapshot recorded before it), then
 * queried at the business date of that moment (today, China time, without --as-of).
 * The read-model file is only read: a query writes no snapshot.
 */
import type { EventStore } from '../event-store/port.js';
import { REGION_STREAM_PREFIX } from '../../commands/regions/events.js';
import { RegionCatalogue } from '../regions/catalogue.js';
import { chinaDateOf } from '../../commands/shared/dates.js';
import { queryPipelineStatistics, type PipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { allReadModels, type AllReadModelsState } from '../../projections/index.js';
import { ProjectionRunner, type RunnerLogger } from '../../projections/runner/projection-runner.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { openStatisticsHistory } from '../../projections/runner/statistics-history.js';
import type { StatsArguments } from './arguments.js';
import { createProgress, type ProgressMode } from './progress.js';
import { CliFailure, readOnly, serverReadModels } from './read-side.js';
import { ON_ROWS_VERSION } from '../../projections/runner/facts-on-rows.js';

export interface StatsDeps {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly progress: ProgressMode;
  readonly logger: RunnerLogger;
  readonly now: () => Date;
  /** `statistics-history.db`: the server's statistics' history answers --as-of when it covers the moment. */
  readonly statisticsHistoryPath?: string;
  /** Where a line for the operator goes (stderr). */
  readonly note?: (line: string) => void;
}

/** A region the statistics cannot be of: the CLI refuses it as HTTP does (409 region-unknown). */
export class UnknownRegionArgument extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownRegionArgument';
  }
}

/** The official regions and the custom ones registered in the log, as the server knows them. */
export async function regionCatalogue(store: EventStore): Promise<RegionCatalogue> {
  const catalogue = new RegionCatalogue();
  const filter = { streamPrefixes: [REGION_STREAM_PREFIX] };
  // Positions are the store's own: each page starts at the last event read, which is skipped.
  let seen = -1;
  for (;;) {
    const page = await store.readAll({ ...(seen >= 0 ? { fromPosition: seen } : {}), maxCount: 1000, filter });
    const fresh = page.filter((event) => event.position > seen);
    for (const event of fresh) catalogue.apply(event);
    const last = page.at(-1);
    if (last === undefined || fresh.length === 0 || page.length < 1000) return catalogue;
    seen = last.position;
  }
}

export async function pipelineStats(query: StatsArguments, deps: StatsDeps): Promise<PipelineStatistics> {
  // A well-formed code that names no region would answer zeros, as if the region had no projects.
  const regions = await regionCatalogue(deps.store);
  if (!regions.isKnown(query.regionCode)) {
    throw new UnknownRegionArgument(`--region ${query.regionCode} is not known: it is neither a GB/T 2260 code nor a custom region registered in this log`);
  }
  const asked = {
    regionCode: query.regionCode,
    year: query.year,
    ...(query.quarter === undefined ? {} : { quarter: query.quarter }),
    ...(query.month === undefined ? {} : { month: query.month }),
    ...(query.category === undefined ? {} : { category: query.category }),
  };
  if (query.asOf !== undefined && deps.statisticsHistoryPath !== undefined) {
    const history = openStatisticsHistory(deps.statisticsHistoryPath, ON_ROWS_VERSION);
    if (history !== undefined) {
      try {
        const moment = Date.parse(query.asOf);
        // Only a moment the history has passed: later events may be in the log and not in it yet.
        const position = moment < history.head.recordedMs ? history.positionRecordedBy(moment) : undefined;
        if (position !== undefined) {
          deps.note?.(`as of ${query.asOf}: read from the statistics' history in ${deps.statisticsHistoryPath} (position ${position})`);
          const statistics = queryPipelineStatistics(history.stateAt(position), { ...asked, asOfDate: chinaDateOf(new Date(query.asOf)) });
          return { ...statistics, position };
        }
      } finally {
        history.close();
      }
    }
  }
  // The server's own read models (the statistics are folded over the facts they share), so its
  // snapshots serve; "as of" a moment its history has not passed, the log folded up to it.
  const all = query.asOf === undefined ? await caughtUpWith(deps) : await foldRecordedBy(deps.store, query.asOf);
  const { state, position } = { state: all.state['pipeline-statistics'], position: all.position };
  const asOfDate = chinaDateOf(query.asOf === undefined ? deps.now() : new Date(query.asOf));
  const statistics = queryPipelineStatistics(state, { ...asked, asOfDate });
  return { ...statistics, position };
}

/** The server's read models from its snapshots (their facts in its history's rows), caught up with the log. */
async function caughtUpWith(deps: StatsDeps): Promise<{ state: AllReadModelsState; position: number }> {
  const readModels = serverReadModels(deps.statisticsHistoryPath);
  try {
    return await caughtUp(new ProjectionRunner({ store: deps.store, projection: readModels.projection, snapshots: readOnly(deps.snapshots), logger: deps.logger }), deps);
  } finally {
    readModels.close();
  }
}

const HANDLED: ReadonlySet<string> = new Set(allReadModels.handles);

/** The read models folded from the log's first event up to the last one recorded by `moment`. */
async function foldRecordedBy(store: EventStore, moment: string): Promise<{ state: AllReadModelsState; position: number }> {
  const cutoff = new Date(moment).toISOString();
  let state = allReadModels.initialState();
  let position = 0;
  // Record times never go backwards: "recorded by then" is a prefix of the log. Positions are the
  // store's own (KurrentDB's are log offsets): each page starts at the last event read, skipped.
  for (;;) {
    const page = await store.readAll({ ...(position > 0 ? { fromPosition: position } : {}), maxCount: 4096 });
    for (const event of page) {
      if (event.position <= position) continue;
      if (event.recordedAt > cutoff) return { state, position };
      if (HANDLED.has(event.type)) state = allReadModels.evolve(state, event);
      position = event.position;
    }
    if (page.length < 4096) return { state, position };
  }
}

/** The server's read models resumed from their newest snapshot and caught up with the log's head. */
export async function caughtUp(
  runner: ProjectionRunner<AllReadModelsState>, deps: Pick<StatsDeps, 'store' | 'progress'>,
): Promise<{ state: AllReadModelsState; position: number }> {
  const head = await deps.store.headPosition();
  const progress = createProgress({ label: 'catching up', total: head, mode: deps.progress });
  const ticker = setInterval(() => progress.update(runner.position), 200);
  try {
    await runner.start();
    while (!(await runner.caughtUp(60_000))) {
      if (runner.status === 'failed' || runner.status === 'stopped') {
        throw new CliFailure(`the statistics stopped catching up at position ${runner.position}: ${String(runner.lastError)}`, { cause: runner.lastError });
      }
    }
    // Read together, in one turn of the loop: the runner applies events between turns only.
    const answer = { state: runner.state, position: runner.position };
    await runner.stop();
    return answer;
  } finally {
    clearInterval(ticker);
    progress.finish();
  }
}
