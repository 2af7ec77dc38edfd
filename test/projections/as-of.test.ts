/**
 * "As of" a record time, on the server's read models: for any moment, what the ledger,
 * compliance, batches and statistics answer equals the read models folded from the events
 * recorded by then, read from the read side's history (the server never replays the log for it).
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { foldAll } from '../../projections/projection.js';
import { allReadModels, type ReadModelStates } from '../../projections/all-read-models.js';
import { ReadModels } from '../../projections/runner/read-models.js';
import { openSnapshotStore } from '../../projections/runner/snapshot-store.js';
import { complianceFlags, queryCompliance } from '../../projections/compliance/index.js';
import { queryBatches } from '../../projections/batches/index.js';
import { ledgerCsv } from '../../projections/project-ledger/index.js';
import { queryPipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { generateHistory } from './support/generate-history.js';

/** What the routes answer from the read models as of a moment (its China date the business date). */
function answers(states: Pick<ReadModelStates, 'compliance' | 'batches' | 'pipeline-statistics'>, asOfDate: string): unknown {
  const year = Number(asOfDate.slice(0, 4));
  return JSON.parse(JSON.stringify({
    ledger: ledgerCsv(states.compliance, complianceFlags(states.compliance, asOfDate), {}),
    compliance: queryCompliance(states.compliance, { regionCode: '000000', asOfDate }),
    batches: queryBatches(states.batches, { asOfDate }),
    province: queryPipelineStatistics(states['pipeline-statistics'], { regionCode: '130000', year, asOfDate }),
    county: queryPipelineStatistics(states['pipeline-statistics'], { regionCode: '131121', year, quarter: 2, asOfDate }),
    // The routes answer the position the state was read at (a folded read model keeps the last event it handled).
  }, (key, value: unknown) => (key === 'position' ? undefined : value)));
}

t.test('as of any moment: the answers of the read models folded from what was recorded by then', async (t) => {
  const events = generateHistory({ seed: 20261202, projects: 60, years: 3 });
  let now = 0;
  const store = openEmbeddedStore({ path: ':memory:', clock: () => new Date(now) });
  for (const event of events) {
    now = Date.parse(event.recordedAt);
    await store.appendToStream(event.streamId, [{ type: event.type, data: event.data, metadata: event.metadata }]);
  }
  const recorded = await store.readAll({ maxCount: 1_000_000 });
  t.equal(recorded.length, events.length);
  // Snapshots every 150 events: the history is written before each.
  const snapshots = openSnapshotStore(':memory:');
  const readModels = new ReadModels({ store, snapshots, snapshotEvery: 150, snapshotIntervalMs: 0 });
  t.teardown(async () => { await readModels.stop(); await store.close(); });
  await readModels.start();
  t.ok(await readModels.caughtUp(20_000), 'caught up');

  const recordedMs = (index: number) => Date.parse(recorded[index]?.recordedAt ?? '');
  let asked = 0;
  await fc.assert(
    // Any record position: a moment at or after the index-th event and before the next one
    // (index −1: before the first event; the last index: any time after the last).
    fc.asyncProperty(fc.integer({ min: -1, max: recorded.length - 1 }), fc.integer({ min: 0, max: 999 }), async (index, permille) => {
      const from = index < 0 ? recordedMs(0) - 86_400_000 : recordedMs(index);
      const to = index + 1 < recorded.length ? recordedMs(index + 1) - 1 : from + 86_400_000;
      const ms = from + Math.floor(((to - from) * permille) / 1000);
      const moment = new Date(ms).toISOString();
      const asOfDate = new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
      const upTo: RecordedEvent[] = recorded.filter((event) => Date.parse(event.recordedAt) <= ms);
      const expected = foldAll(allReadModels, upTo);
      const [compliance, batches, statistics] = await Promise.all([
        readModels.runners.compliance.stateAsOf(moment), readModels.runners.batches.stateAsOf(moment), readModels.runners['pipeline-statistics'].stateAsOf(moment),
      ]);
      if (compliance.position !== (upTo.at(-1)?.position ?? 0)) throw new Error(`as of ${moment}: position ${compliance.position}, not ${upTo.at(-1)?.position ?? 0}`);
      deepStrictEqual(answers({ compliance: compliance.state, batches: batches.state, 'pipeline-statistics': statistics.state }, asOfDate), answers(expected, asOfDate));
      asked++;
    }),
    { numRuns: 40 },
  );
  t.equal(asked, 40, '40 moments, each at its own record position');
});
