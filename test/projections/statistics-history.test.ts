/**
 * The read side's history (projections/runner/statistics-history.ts, facts-history.ts):
 * statistics and rankings "as of" any record position, read from the checkpointed cells and the
 * changes kept since, and the ledger (its CSV included), compliance and batches, read from the
 * fact rows valid then for the regions asked about, equal the read models folded from the
 * events recorded by then; also after a restart from a
 * snapshot older than the history (what was written after it is folded again), after a
 * history lost (the read models fold the log again from its start), and when the
 * fold stops at an event it cannot fold (nothing after it is kept).
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore, RecordedEvent } from '../../src/event-store/port.js';
import { foldAll } from '../../projections/projection.js';
import { allReadModels } from '../../projections/all-read-models.js';
import { ReadModels } from '../../projections/runner/read-models.js';
import { ON_ROWS_VERSION } from '../../projections/runner/facts-on-rows.js';
import { openSnapshotStore, type SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { queryPipelineStatistics, MEASURE_KEYS, type PipelineState } from '../../projections/pipeline-statistics/index.js';
import { rankChildRegions } from '../../projections/rankings/index.js';
import { CATEGORIES } from '../../commands/project/events.js';
import { generateHistory } from './support/generate-history.js';
import { queryLedger, ledgerCsv, ledgerCells, type LedgerState } from '../../projections/project-ledger/index.js';
import { complianceFlags, queryCompliance, type ComplianceState } from '../../projections/compliance/index.js';
import { getBatch, queryBatches, type BatchesState } from '../../projections/batches/index.js';
import type { FactScope } from '../../projections/runner/facts-history.js';
import { scopeOf, valueOf } from '../../src/http/routes/read-options.js';
import { STAGES } from '../../projections/shared/project-facts.js';

/** The scopes the ledger and compliance routes ask "as of" with, and the region each query names. */
const FACT_SCOPES: ReadonlyArray<{ readonly scope: FactScope; readonly regions: readonly string[] | undefined }> = [
  { scope: {}, regions: undefined },
  { scope: { regions: ['130000'] }, regions: ['130000'] },
  { scope: { regions: ['131121'] }, regions: ['131121'] },
  { scope: { regions: ['131121', '520500'] }, regions: ['131121', '520500'] },
  { scope: { regions: ['131121-KFQ'] }, regions: ['131121-KFQ'] },
];

/** What the ledger and compliance routes answer of a compliance state (it holds the ledger's facts) within `regions`. */
function ledgerAnswers(ledger: LedgerState, compliance: ComplianceState, regions: readonly string[] | undefined, asOfDate: string): unknown {
  const flags = complianceFlags(compliance, asOfDate);
  const filter = regions === undefined ? {} : { regionCodes: regions };
  const rows: unknown[] = [
    queryLedger(compliance, { ...filter, limit: 10_000 }, flags),
    queryLedger(ledger, { ...filter, limit: 10_000, stage: 'STARTED' }, flags),
    ledgerCsv(compliance, flags, filter),
  ];
  for (const regionCode of regions ?? ['000000']) rows.push(queryCompliance(compliance, { regionCode, asOfDate }));
  return JSON.parse(JSON.stringify(rows, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

function batchAnswers(state: BatchesState, asOfDate: string): unknown {
  const list = queryBatches(state, { asOfDate });
  const rows: unknown[] = [list, queryBatches(state, { asOfDate, regionCode: '131121' })];
  for (const batch of list.batches) rows.push(getBatch(state, batch.batchId, asOfDate));
  return JSON.parse(JSON.stringify(rows, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

/** What the statistics routes answer of a state, for several regions, periods, categories and rankings. */
function answers(state: PipelineState, asOfDate: string): unknown {
  const year = Number(asOfDate.slice(0, 4));
  const rows: unknown[] = [];
  for (const regionCode of ['000000', '130000', '131100', '131121', '131121001', '131121-KFQ', '520500']) {
    rows.push(queryPipelineStatistics(state, { regionCode, year, asOfDate }));
    rows.push(queryPipelineStatistics(state, { regionCode, year: year - 1, quarter: 4, asOfDate }));
    rows.push(queryPipelineStatistics(state, { regionCode, year, month: 1 + (year % 12), asOfDate }));
  }
  for (const category of CATEGORIES) rows.push(queryPipelineStatistics(state, { regionCode: '131100', year, category, asOfDate }));
  for (const measure of MEASURE_KEYS.slice(0, 6)) {
    rows.push(rankChildRegions(state, { regionCode: '130000', measure, year, asOfDate }, (code) => code));
    rows.push(rankChildRegions(state, { regionCode: '000000', measure, year, asOfDate }, (code) => code));
  }
  // The routes answer the position the state was read at (a statistics state keeps the last it handled).
  return JSON.parse(JSON.stringify(rows, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

/**
 * The generated history, where one start in three of a project registered in a batch's region
 * names the batch without the batch listing it (a project that joined the batch at its start),
 * and half the land is acquired with its agreed start already long past (idle land).
 */
const events = generateHistory({ seed: 20261203, projects: 90, years: 3 }).map((event, index, all) => {
  if (event.type === 'LandAcquired' && index % 2 === 0) {
    // Land whose agreed start is long past when it is acquired: idle a year after it, started late or never.
    const on = Date.parse((event.data as { occurredOn: string }).occurredOn);
    return { ...event, data: { ...event.data, agreedStartBy: new Date(on - 300 * 86_400_000).toISOString().slice(0, 10) } };
  }
  if (event.type !== 'Started' || index % 3 !== 0) return event;
  const projectId = (event.data as { projectId?: unknown }).projectId;
  const registered = all.find((other) => other.type === 'ProjectRegistered' && (other.data as { projectId?: unknown }).projectId === projectId);
  const region = (registered?.data as { regionCode?: unknown } | undefined)?.regionCode;
  const batch = all.slice(0, index).find((other) => other.type === 'GroundbreakingBatchScheduled'
    && (other.data as { regionCode?: unknown }).regionCode === region
    && !((other.data as { projectIds?: unknown }).projectIds as string[]).includes(projectId as string));
  if (batch === undefined) return event;
  return { ...event, data: { ...event.data, batchId: (batch.data as { batchId: string }).batchId } };
});
const joins = events.filter((event) => event.type === 'Started' && (event.data as { batchId?: unknown }).batchId !== undefined).length;

async function recordedStore(upTo = events.length): Promise<{
  store: EventStore; recorded: RecordedEvent[]; append: (from: number, to: number) => Promise<void>; later: (ms: number) => void;
}> {
  let now = 0;
  const store = openEmbeddedStore({ path: ':memory:', clock: () => new Date(now) });
  const append = async (from: number, to: number) => {
    for (const event of events.slice(from, to)) {
      now = Date.parse(event.recordedAt);
      await store.appendToStream(event.streamId, [{ type: event.type, data: event.data, metadata: event.metadata }]);
    }
  };
  await append(0, upTo);
  return { store, recorded: await store.readAll({ maxCount: 1_000_000 }), append, later: (ms) => { now += ms; } };
}

/** A snapshot store that stops writing when told (a full disk): the history goes on past the last snapshot. */
function stoppable(snapshots: SnapshotStore): SnapshotStore & { stopWriting(): void } {
  let writing = true;
  return {
    ...snapshots,
    latest: (...args) => snapshots.latest(...args),
    save: (...args) => snapshots.save(...args),
    prune: (...args) => snapshots.prune(...args),
    close: () => snapshots.close(),
    begin: (...args) => {
      if (!writing) throw new Error('disk full');
      return snapshots.begin(...args);
    },
    stopWriting: () => { writing = false; },
  };
}

/** Checks `runs` random moments: the history's answer equals the fold of what was recorded by then. */
async function checkAsOf(readModels: ReadModels, recorded: readonly RecordedEvent[], runs: number, minIndex = -1): Promise<number> {
  const history = readModels.history;
  const recordedMs = (index: number) => Date.parse(recorded[index]?.recordedAt ?? '');
  let indexed = 0;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: minIndex, max: recorded.length - 1 }), fc.integer({ min: 0, max: 999 }), async (index, permille) => {
      const from = index < 0 ? recordedMs(0) - 86_400_000 : recordedMs(index);
      const to = index + 1 < recorded.length ? recordedMs(index + 1) - 1 : from + 86_400_000;
      const ms = from + Math.floor(((to - from) * permille) / 1000);
      const moment = new Date(ms).toISOString();
      const asOfDate = new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
      const upTo = recorded.filter((event) => Date.parse(event.recordedAt) <= ms);
      const expected = foldAll(allReadModels, upTo)['pipeline-statistics'];
      if (history.positionRecordedBy(ms) !== undefined) indexed++;
      const answer = await readModels.runners['pipeline-statistics'].stateAsOf(moment);
      if (answer.position !== (upTo.at(-1)?.position ?? 0)) throw new Error(`as of ${moment}: position ${answer.position}, not ${upTo.at(-1)?.position ?? 0}`);
      deepStrictEqual(answers(answer.state, asOfDate), answers(expected, asOfDate), `as of ${moment} (position ${answer.position})`);
      const folded = foldAll(allReadModels, upTo);
      const { scope, regions } = FACT_SCOPES[(index + FACT_SCOPES.length) % FACT_SCOPES.length] as (typeof FACT_SCOPES)[number];
      const [ledger, compliance, batches] = await Promise.all([
        readModels.runners['project-ledger'].stateAsOf(moment, scope),
        readModels.runners.compliance.stateAsOf(moment, scope),
        readModels.runners.batches.stateAsOf(moment, { regions: [] }),
      ]);
      for (const read of [ledger, compliance, batches]) if (read.position !== answer.position) throw new Error(`as of ${moment}: facts at ${read.position}`);
      deepStrictEqual(
        ledgerAnswers(ledger.state, compliance.state, regions, asOfDate),
        ledgerAnswers(folded['project-ledger'], folded.compliance, regions, asOfDate),
        `the ledger and compliance of ${regions?.join(',') ?? 'all'} as of ${moment} (position ${answer.position})`,
      );
      deepStrictEqual(batchAnswers(batches.state, asOfDate), batchAnswers(folded.batches, asOfDate), `the batches as of ${moment}`);
    }),
    { numRuns: runs },
  );
  return indexed;
}

/**
 * Checks `runs` random lists read now (ReadModels.currentFacts, from fact_now's candidates and
 * the rows at the position written) against the in-heap fold of the whole log: compliance at any
 * date (before, between and long after the deadlines its rules judge), the ledger with any filters
 * (its page, its CSV), the batches.
 */
async function checkCurrent(readModels: ReadModels, recorded: readonly RecordedEvent[], runs: number): Promise<void> {
  const folded = foldAll(allReadModels, recorded);
  const firstDay = Date.parse('2022-06-01');
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 365 * 6 }), fc.integer({ min: 0, max: FACT_SCOPES.length - 1 }),
      fc.option(fc.constantFrom(...STAGES)), fc.option(fc.constantFrom(...CATEGORIES)), fc.option(fc.integer({ min: 0, max: 5_000_000_000 })),
      async (days, scopeIndex, stage, category, minInvestment) => {
        const asOfDate = new Date(firstDay + days * 86_400_000).toISOString().slice(0, 10);
        const { regions } = FACT_SCOPES[scopeIndex] as (typeof FACT_SCOPES)[number];
        const filter = {
          ...(regions === undefined ? {} : { regionCodes: regions }),
          ...(stage === null ? {} : { stage }), ...(category === null ? {} : { category }), ...(minInvestment === null ? {} : { minInvestment }),
        };
        const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'position' ? undefined : inner))) as unknown;
        for (const regionCode of regions ?? ['000000']) {
          const now = await readModels.currentFacts('compliance', { regions: [regionCode], complianceOn: asOfDate });
          if (now.position !== recorded.at(-1)?.position) throw new Error(`read at ${now.position}`);
          deepStrictEqual(strip(queryCompliance(now.state, { regionCode, asOfDate })), strip(queryCompliance(folded.compliance, { regionCode, asOfDate })),
            `compliance of ${regionCode} at ${asOfDate}`);
        }
        const ledger = await readModels.currentFacts('compliance', scopeOf(filter));
        const ledgerOf = (state: ComplianceState) => strip([
          queryLedger(state, { ...filter, limit: 1_000 }, complianceFlags(state, asOfDate)),
          queryLedger(state, { ...filter, limit: 7 }, complianceFlags(state, asOfDate)),
          ledgerCsv(state, complianceFlags(state, asOfDate), filter),
        ]);
        deepStrictEqual(ledgerOf(ledger.state), ledgerOf(folded.compliance), `the ledger ${JSON.stringify(filter)} at ${asOfDate}`);
        const batches = await readModels.currentFacts('batches', { regions: [] });
        deepStrictEqual(batchAnswers(batches.state, asOfDate), batchAnswers(folded.batches, asOfDate), `the batches at ${asOfDate}`);
      },
    ),
    { numRuns: runs },
  );
}

t.test('as of any record position: the history\'s statistics and rankings equal the fold of what was recorded by then', async (t) => {
  const { store, recorded } = await recordedStore();
  const readModels = new ReadModels({ store, snapshots: openSnapshotStore(':memory:'), history: { path: ':memory:', checkpointEvery: 37, flushEvery: 5, keptProjects: 4 } });
  t.teardown(async () => { await readModels.stop(); await store.close(); });
  await readModels.start();
  t.ok(await readModels.caughtUp(20_000), 'caught up');
  t.ok(recorded.length > 1_000, `${recorded.length} events`);
  t.ok(joins > 3, `${joins} starts join a batch that did not list the project`);
  const indexed = await checkAsOf(readModels, recorded, 120);
  t.equal(indexed, 120, 'every moment answered from the history, none replayed');
  await readModels.history.flush();
  t.ok(readModels.keptProjects < 30, `the fold holds ${readModels.keptProjects} of 90 projects: it read the others from the rows as events needed them`);
  await checkCurrent(readModels, recorded, 80);
  t.pass('the lists read now equal the fold\'s');
  // Asked of a state, the history reads only the nodes asked for.
  const history = readModels.history;
  const position = history?.positionRecordedBy(Date.parse(recorded.at(-1)?.recordedAt ?? ''));
  t.equal(position, recorded.at(-1)?.position, 'the last moment is the head');
  t.same(
    answers(history?.stateAt(position ?? 0) as PipelineState, '2026-12-31'),
    answers(readModels.runners['pipeline-statistics'].state, '2026-12-31'),
    'the history at the head answers as the live statistics do',
  );
});

t.test('a restart from a snapshot older than the history folds the rest again and keeps answering exactly', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statistics-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'read-models.db');
  const historyPath = join(dir, 'statistics-history.db');
  const half = Math.floor(events.length / 2);
  const { store, recorded: firstHalf, append } = await recordedStore(half);
  t.teardown(() => store.close());

  const snapshots = stoppable(openSnapshotStore(path));
  const first = new ReadModels({ store, snapshots, snapshotEvery: 200, snapshotIntervalMs: 0, history: { path: historyPath, checkpointEvery: 53, flushEvery: 9, keptProjects: 6 } });
  await first.start();
  t.ok(await first.caughtUp(20_000), 'the first run caught up');
  for (let i = 0; i < 1_000 && snapshots.latest(allReadModels.name, ON_ROWS_VERSION) === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  snapshots.stopWriting();
  await append(half, half + 300);
  t.ok(await first.waitFor(firstHalf.length + 300, 10_000), 'the first run folded 300 more events, with no snapshot of them', { position: first.position, status: first.runner.status });
  const snapshotAt = snapshots.latest(allReadModels.name, ON_ROWS_VERSION)?.position ?? 0;
  await first.stop(); // its final snapshot fails: the history is ahead of every snapshot
  t.ok(snapshotAt > 0 && snapshotAt < firstHalf.length + 300, `the last snapshot (${snapshotAt}) is behind the history`);

  await append(half + 300, events.length);
  const recorded = await store.readAll({ maxCount: 1_000_000 });
  const second = new ReadModels({ store, snapshots: openSnapshotStore(path), history: { path: historyPath, checkpointEvery: 53, keptProjects: 10 } });
  t.teardown(() => second.stop());
  await second.start();
  t.ok(await second.caughtUp(20_000), 'the second run caught up');
  // The snapshot held no cube: the live statistics read each region's nodes from the history as asked.
  const live = foldAll(allReadModels, recorded)['pipeline-statistics'];
  for (const asOfDate of ['2025-06-30', '2026-12-31']) {
    t.same(answers(second.runners['pipeline-statistics'].state, asOfDate), answers(live, asOfDate), `the live statistics after the restart equal the fold's (${asOfDate})`);
  }
  const indexed = await checkAsOf(second, recorded, 60);
  t.equal(indexed, 60, 'the history covers the whole log after the restart');
  await checkCurrent(second, recorded, 40);
  t.pass('the lists read now equal the fold\'s after the rows past the snapshot were dropped and written again');

  // The long reads, on the read worker's thread over the file: now and as of a position.
  const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'position' ? undefined : inner))) as unknown;
  const asOfDate = '2026-06-30';
  for (const [at, events] of [[{ now: true } as const, recorded], [{ asOf: recorded[700]?.position ?? 0 }, recorded.slice(0, 701)]] as const) {
    const folded = foldAll(allReadModels, events);
    const what = 'now' in at ? 'now' : `as of position ${at.asOf}`;
    for (const regionCode of ['000000', '131121']) {
      const read = await second.longRead({ kind: 'compliance', query: { regionCode, asOfDate } }, at, { regions: [regionCode], complianceOn: asOfDate });
      t.equal(read.position, events.at(-1)?.position, `compliance of ${regionCode} ${what}: read at its position`);
      t.same(strip(await valueOf(read.parts)), strip(queryCompliance(folded.compliance, { regionCode, asOfDate })), `compliance of ${regionCode} ${what}, from the worker`);
    }
    const filter = { regionCodes: ['130000'] };
    const csv = await second.longRead({ kind: 'csv', filter, flagsOn: asOfDate }, at, scopeOf(filter));
    let text = '';
    for await (const part of csv.parts) text += part as string;
    t.equal(text, ledgerCsv(folded.compliance, complianceFlags(folded.compliance, asOfDate), filter), `the CSV ${what}, from the worker`);
    const cells = await second.longRead({ kind: 'cells', filter: {}, flagsOn: asOfDate }, at, {});
    const rows: string[][] = [];
    for await (const part of cells.parts) rows.push(...(part as string[][]));
    t.same(rows, [...ledgerCells(folded.compliance, complianceFlags(folded.compliance, asOfDate), {})], `the ledger's cells ${what}, from the worker`);
  }
  // The worker's thread dies: the long reads go on, on the server's thread.
  const reader = (second as unknown as { reader: { worker: { terminate(): Promise<number> }; available: boolean } }).reader;
  await reader.worker.terminate();
  for (let i = 0; i < 100 && reader.available; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.notOk(reader.available, 'the read worker is gone');
  const folded = foldAll(allReadModels, recorded);
  const read = await second.longRead({ kind: 'compliance', query: { regionCode: '000000', asOfDate } }, { now: true }, { regions: ['000000'], complianceOn: asOfDate });
  t.same(strip(await valueOf(read.parts)), strip(queryCompliance(folded.compliance, { regionCode: '000000', asOfDate })), 'compliance without the worker');
});

t.test('a history lost: the read models fold the log again from its start, and every moment is the history\'s', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statistics-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { store, recorded } = await recordedStore();
  t.teardown(() => store.close());
  const snapshotsPath = join(dir, 'read-models.db');
  const first = new ReadModels({ store, snapshots: openSnapshotStore(snapshotsPath), snapshotIntervalMs: 0 });
  await first.start();
  t.ok(await first.caughtUp(20_000));
  await first.stop();
  t.equal(openSnapshotStore(snapshotsPath).latest(allReadModels.name, ON_ROWS_VERSION)?.position, recorded.at(-1)?.position, 'a snapshot of the whole log');

  const said: string[] = [];
  const logger = { info: (_details: object, message: string) => { said.push(message); }, error: (_details: object, message: string) => { said.push(message); } };
  const second = new ReadModels({ store, snapshots: openSnapshotStore(snapshotsPath), logger, history: { path: join(dir, 'new-history.db'), checkpointEvery: 41 } });
  t.teardown(() => second.stop());
  await second.start();
  t.ok(await second.caughtUp(20_000));
  t.ok(said.some((message) => message.includes('folding the log from the start')), 'the snapshot was set aside, and the log folded from its start');
  const history = second.history;
  await history.flush();
  const early = Date.parse(recorded[10]?.recordedAt ?? '');
  t.equal(history.positionRecordedBy(early), recorded.filter((event) => Date.parse(event.recordedAt) <= early).at(-1)?.position,
    'a moment long before the snapshot is the history\'s');
  const indexed = await checkAsOf(second, recorded, 25);
  t.equal(indexed, 25, 'every moment answered from the history');
});

t.test('an event the fold cannot fold: the history stops before it with the fold', async (t) => {
  const { store, recorded, later } = await recordedStore(200);
  t.teardown(() => store.close());
  later(60_000);
  // A registration whose data the facts cannot take (no regionCode): the fold throws on it.
  await store.appendToStream('project-poison', [{ type: 'ProjectRegistered', data: { projectId: 'poison' }, metadata: {} }]);
  const readModels = new ReadModels({ store, snapshots: openSnapshotStore(':memory:'), history: { path: ':memory:', checkpointEvery: 16 } });
  t.teardown(() => readModels.stop());
  await readModels.start();
  for (let i = 0; i < 200 && readModels.runner.status !== 'halted'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(readModels.runner.status, 'halted', 'the fold stopped');
  const last = recorded.at(-1);
  await readModels.history?.flush();
  t.equal(readModels.history?.head.position, last?.position, 'the history ends at the last event folded');
  const before = await readModels.runners['pipeline-statistics'].stateAsOf(last?.recordedAt ?? '');
  t.equal(before.position, last?.position, 'moments before the event are still answered');
  t.same(answers(before.state, '2026-12-31'), answers(foldAll(allReadModels, recorded)['pipeline-statistics'], '2026-12-31'));
  await t.rejects(readModels.runners['pipeline-statistics'].stateAsOf(new Date(Date.now() + 86_400_000).toISOString()), { name: 'ReadModelHalted' },
    'a moment after it is refused as the live read models are');
});
