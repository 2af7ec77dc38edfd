/**
 * A frozen read (projections/frozen-read-models.ts) answers as of the position it was taken at
 * while the fold goes on: whatever the fold applies after it, the ledger (CSV and pages),
 * compliance and batches read through it equal the read models folded to that position, also
 * when the fold runs between the lines of a CSV being sent.
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { foldAll } from '../../projections/projection.js';
import { allReadModels, type AllReadModelsState } from '../../projections/all-read-models.js';
import { freezeReadModels } from '../../projections/frozen-read-models.js';
import { complianceFlags, queryCompliance } from '../../projections/compliance/index.js';
import { queryBatches } from '../../projections/batches/index.js';
import { ledgerCsv, ledgerCsvChunks, queryLedger, type LedgerFilter } from '../../projections/project-ledger/index.js';
import { amountFromWan } from '../../commands/shared/money.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { generateHistory } from './support/generate-history.js';

const TODAY = '2025-09-30';

const FILTERS: readonly LedgerFilter[] = [
  {},
  { regionCode: '131121' },
  { regionCodes: ['131102', '520500-JHH'] },
  { stage: 'STARTED' },
  { category: 'industrial', minInvestment: amountFromWan(5000) },
];

/** Everything a frozen read serves, as plain data to compare. */
function answers(state: Pick<AllReadModelsState, 'project-ledger' | 'compliance' | 'batches'>, filter: LedgerFilter) {
  const flags = complianceFlags(state.compliance, TODAY);
  return JSON.parse(JSON.stringify({
    csv: ledgerCsv(state.compliance, flags, filter),
    page: queryLedger(state['project-ledger'], { ...filter, limit: 7 }, flags).rows,
    compliance: queryCompliance(state.compliance, { regionCode: '000000', asOfDate: TODAY }),
    county: queryCompliance(state.compliance, { regionCode: '131121', asOfDate: TODAY, includeResolved: false }),
    batches: queryBatches(state.batches, { asOfDate: TODAY }),
  })) as unknown;
}

/** Sends the CSV of a frozen read line by line, applying `later` to the live state in the steps `plan` says between lines. */
function csvWhileFolding(live: AllReadModelsState, later: readonly RecordedEvent[], filter: LedgerFilter, plan: readonly number[]) {
  const frozen = freezeReadModels(live, live.compliance.position);
  const lines = ledgerCsvChunks(frozen.compliance, complianceFlags(frozen.compliance, TODAY), filter);
  let csv = '';
  let applied = 0;
  for (let step = 0; ; step += 2) {
    let done = false;
    for (let i = 0; i < (plan[step % plan.length] ?? 1) && !done; i++) {
      const next = lines.next();
      if (next.done === true) done = true;
      else csv += next.value;
    }
    if (done) break;
    for (let i = 0; i < (plan[(step + 1) % plan.length] ?? 1) && applied < later.length; i++) allReadModels.evolve(live, later[applied++] as RecordedEvent);
  }
  frozen.release();
  return { csv, applied };
}

t.test('a frozen read answers as of its position whatever the fold applies after it', async (t) => {
  let changedUnderIt = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: FILTERS.length - 1 }),
      (seed, projects, permille, morePermille, filterAt) => {
        const events = generateHistory({ seed, projects, years: 3 });
        const at = Math.max(1, Math.floor((events.length * permille) / 1000));
        const more = Math.floor(((events.length - at) * morePermille) / 1000);
        const filter = FILTERS[filterAt] as LedgerFilter;
        const expected = answers(foldAll(allReadModels, events.slice(0, at)), filter);

        const live = foldAll(allReadModels, events.slice(0, at));
        const frozen = freezeReadModels(live, live.compliance.position);
        for (const event of events.slice(at, at + more)) allReadModels.evolve(live, event);
        deepStrictEqual(answers(frozen, filter), expected);
        frozen.release();
        if (JSON.stringify(answers(live, filter)) !== JSON.stringify(expected)) changedUnderIt++;
      },
    ),
    { numRuns: 300 },
  );
  // Only worth something if the fold did change the answers under the frozen read.
  t.ok(changedUnderIt > 100, `in ${changedUnderIt} of 300 runs the live answers had changed`);
});

t.test('the CSV sent line by line is of its first position while the fold runs between lines', async (t) => {
  let changedUnderIt = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: FILTERS.length - 1 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 8 }),
      (seed, projects, permille, filterAt, plan) => {
        const events = generateHistory({ seed, projects, years: 3 });
        const at = Math.max(1, Math.floor((events.length * permille) / 1000));
        const filter = FILTERS[filterAt] as LedgerFilter;
        const then = foldAll(allReadModels, events.slice(0, at));
        const expected = ledgerCsv(then.compliance, complianceFlags(then.compliance, TODAY), filter);
        const live = foldAll(allReadModels, events.slice(0, at));
        const { csv, applied } = csvWhileFolding(live, events.slice(at), filter, plan);
        if (csv !== expected) throw new Error(`the CSV differs from the ledger at position ${at} after ${applied} more events`);
        if (applied > 0 && ledgerCsv(live.compliance, complianceFlags(live.compliance, TODAY), filter) !== expected) changedUnderIt++;
      },
    ),
    { numRuns: 300 },
  );
  t.ok(changedUnderIt > 40, `in ${changedUnderIt} of 300 runs the live ledger had changed by the end of the CSV`);
});

t.test('released, a frozen read keeps nothing more: the fold no longer tells it', async (t) => {
  const events = generateHistory({ seed: 11, projects: 20, years: 2 });
  const live = foldAll(allReadModels, events.slice(0, 100));
  const frozen = freezeReadModels(live, live.compliance.position);
  const before = answers(frozen, {});
  frozen.release();
  frozen.release();
  for (const event of events.slice(100)) allReadModels.evolve(live, event);
  // Nothing was kept after the release, so a project's later facts show through.
  t.not(JSON.stringify(answers(frozen, {})), JSON.stringify(before));
});

t.test('a project that joins a batch at its start after the read was frozen is not yet a member in it', async (t) => {
  const { History } = await import('./support/history.js');
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', plannedInvestment: 10000 });
  h.register('E', { occurredOn: '2025-01-01', plannedInvestment: 5000 });
  h.batch({ batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '二季度集中开工', occurredOn: '2025-03-01', ceremonyOn: '2025-04-10', mustStartBy: '2025-04-30', projectIds: ['A'] });
  h.project('A', 'Started', { occurredOn: '2025-04-10', batchId: 'ZQ-2025-Q2' });
  const known = h.events.length;
  h.project('E', 'Started', { occurredOn: '2025-04-10', batchId: 'ZQ-2025-Q2' }); // joins at the ceremony
  const live = foldAll(allReadModels, h.events.slice(0, known));
  const frozen = freezeReadModels(live, live.compliance.position);
  for (const event of h.events.slice(known)) allReadModels.evolve(live, event);
  t.match(queryBatches(frozen.batches, { asOfDate: TODAY }).batches, [{ batchId: 'ZQ-2025-Q2', size: 1 }], 'A alone, as it stood');
  t.match(queryBatches(live.batches, { asOfDate: TODAY }).batches, [{ batchId: 'ZQ-2025-Q2', size: 2 }], 'E has joined since');
  frozen.release();
});
