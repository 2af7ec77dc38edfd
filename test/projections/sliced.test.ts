/** Scans of many projects run a slice per turn in the server and give the answer of one go. */
import t from 'tap';
import { deepStrictEqual } from 'node:assert/strict';
import { foldAll } from '../../projections/projection.js';
import { allReadModels } from '../../projections/index.js';
import { complianceFlags, complianceScan, queryCompliance } from '../../projections/compliance/index.js';
import { ledgerPageScan, queryLedger } from '../../projections/project-ledger/index.js';
import { batchesScan, queryBatches } from '../../projections/batches/index.js';
import { runSliced } from '../../projections/shared/sliced.js';
import { generateHistory } from './support/generate-history.js';

const state = foldAll(allReadModels, generateHistory({ seed: 5, projects: 6_000, years: 2 }));

t.test('sliced scans answer as the scan run at once', async (t) => {
  t.ok(state.facts.order.length >= 6_000);
  for (const regionCode of ['000000', '131121', '131100']) {
    const query = { regionCode, asOfDate: '2022-12-31' };
    deepStrictEqual(await runSliced(complianceScan(state.compliance, query), 0), queryCompliance(state.compliance, query));
    const page = { regionCode, stage: 'STALLED' as const, limit: 7 };
    const flags = complianceFlags(state.compliance, '2022-12-31');
    deepStrictEqual(await runSliced(ledgerPageScan(state['project-ledger'], page, flags), 0), queryLedger(state['project-ledger'], page, flags));
  }
  deepStrictEqual(await runSliced(batchesScan(state.batches, { asOfDate: '2022-12-31' }), 0), queryBatches(state.batches, { asOfDate: '2022-12-31' }));
  t.ok(Object.keys(state.batches.batches).length > 1, 'batches listed');
  t.pass('compliance and ledger pages of three regions, the batches');
});

t.test('a sliced scan lets the event loop turn between slices', async (t) => {
  let turns = 0;
  const counter = setInterval(() => { turns += 1; }, 0);
  await new Promise((resolve) => setImmediate(resolve));
  const before = turns;
  // sliceMs 0: a pause at every slice of 2,048 projects.
  await runSliced(complianceScan(state.compliance, { regionCode: '000000', asOfDate: '2022-12-31' }), 0);
  clearInterval(counter);
  t.ok(turns - before >= 1, `timers ran during the scan (${turns - before})`);
});

t.test('an "as of" load parses the snapshot a chunk per turn, into the same state', async (t) => {
  const { deserialiseSliced } = allReadModels;
  if (deserialiseSliced === undefined) throw new Error('the read models load in slices');
  const chunks = [...allReadModels.serialise(state)];
  t.ok(chunks.length >= 4, `${chunks.length} chunks`);
  let turns = 0;
  const counter = setInterval(() => { turns += 1; }, 0);
  await new Promise((resolve) => setImmediate(resolve));
  const loaded = await runSliced(deserialiseSliced(chunks), 0);
  clearInterval(counter);
  t.ok(turns >= 1, `timers ran during the load (${turns})`);
  deepStrictEqual(JSON.parse(JSON.stringify(loaded)), JSON.parse(JSON.stringify(state)));
});

t.test('a file\'s snapshots can be read a chunk at a time while the next one is being written', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { openSnapshotStore } = await import('../../projections/runner/snapshot-store.js');
  const dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
  const snapshots = openSnapshotStore(join(dir, 'read-models.db'));
  t.teardown(() => { snapshots.close(); rmSync(dir, { recursive: true, force: true }); });
  snapshots.save('p', 1, { position: 10, recordedAt: '2025-01-01T00:00:00.000Z', chunks: ['a', 'b', 'c'] });
  const reading = snapshots.latest('p', 1)?.chunks[Symbol.iterator]();
  t.equal(reading?.next().value, 'a');
  const writer = snapshots.begin('p', 1, 20, '2025-02-01T00:00:00.000Z');
  writer.write('x');
  t.equal(reading?.next().value, 'b', 'the reader goes on while a write is open');
  writer.write('y');
  t.equal(snapshots.latest('p', 1)?.position, 10, 'an uncommitted snapshot is not seen');
  t.same(writer.commit(), { chunks: 2, bytes: 2 });
  t.equal(reading?.next().value, 'c');
  t.same([...(snapshots.latest('p', 1)?.chunks ?? [])], ['x', 'y'], 'the new one once committed');
});
