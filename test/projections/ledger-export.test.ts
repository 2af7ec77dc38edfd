/**
 * The ledger's export streams the live facts without holding the fold (project-ledger/export.ts):
 * whatever the fold applies between the rows it sends, every row must be as it stood at the
 * position the export began at, each project once, none registered later.
 */
import t from 'tap';
import fc from 'fast-check';
import { foldAll } from '../../projections/projection.js';
import { allReadModels, type AllReadModelsState } from '../../projections/all-read-models.js';
import { complianceFlags } from '../../projections/compliance/index.js';
import {
  exportLedger, ledgerCsv, ledgerCsvHeader, ledgerCsvLine, type LedgerFilter,
} from '../../projections/project-ledger/index.js';
import { amountFromWan } from '../../commands/shared/money.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { DEFAULT_REGIONS, generateHistory } from './support/generate-history.js';

const TODAY = '2025-09-30';

const FILTERS: readonly LedgerFilter[] = [
  {},
  { regionCode: '131121' },
  { regionCodes: ['131102', '520500-JHH'] },
  { stage: 'STARTED' },
  { category: 'industrial', minInvestment: amountFromWan(5000) },
];

/** Folds `later` into `state` in the steps `plan` says while pulling the export's rows in between; returns the CSV sent. */
function exportWhileFolding(state: AllReadModelsState, later: readonly RecordedEvent[], filter: LedgerFilter, plan: readonly number[]): { csv: string; applied: number } {
  const ledgerExport = exportLedger(state.compliance, state.compliance.position, complianceFlags(state.compliance, TODAY), filter);
  let csv = ledgerCsvHeader();
  let applied = 0;
  let step = 0;
  for (;;) {
    // Pull some rows, then let the fold apply some events, as turns of the loop would.
    const rows = plan[step % plan.length] ?? 1;
    let done = false;
    for (let i = 0; i < rows && !done; i++) {
      const next = ledgerExport.rows.next();
      if (next.done === true) done = true;
      else csv += ledgerCsvLine(next.value);
    }
    if (done) break;
    const events = plan[(step + 1) % plan.length] ?? 1;
    for (let i = 0; i < events && applied < later.length; i++) allReadModels.evolve(state, later[applied++] as RecordedEvent);
    step++;
  }
  return { csv, applied };
}

t.test('every row of the export is of its first position, while the fold goes on between rows', async (t) => {
  let changedUnderIt = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: FILTERS.length - 1 }), fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 8 }),
      (seed, projects, permille, filterAt, plan) => {
        const events = generateHistory({ seed, projects, years: 3, regions: DEFAULT_REGIONS });
        const at = Math.max(1, Math.floor((events.length * permille) / 1000));
        const filter = FILTERS[filterAt] as LedgerFilter;
        const then = foldAll(allReadModels, events.slice(0, at));
        const expected = ledgerCsv(then.compliance, complianceFlags(then.compliance, TODAY), filter);

        const live = foldAll(allReadModels, events.slice(0, at));
        const { csv, applied } = exportWhileFolding(live, events.slice(at), filter, plan.map((n) => n + 1));
        if (csv !== expected) throw new Error(`the export differs from the ledger at position ${at} after ${applied} more events`);
        if (applied > 0 && ledgerCsv(live.compliance, complianceFlags(live.compliance, TODAY), filter) !== expected) changedUnderIt++;
      },
    ),
    { numRuns: 150 },
  );
  // The property is only worth something if the fold did change the ledger under the export.
  t.ok(changedUnderIt > 20, `in ${changedUnderIt} of 150 runs the live ledger had changed by the end of the export`);
});

t.test('an export left unread stops watching once closed; one read to the end closes itself', async (t) => {
  const events = generateHistory({ seed: 11, projects: 20, years: 2 });
  const state = foldAll(allReadModels, events.slice(0, 100));
  const abandoned = exportLedger(state.compliance, state.compliance.position, complianceFlags(state.compliance, TODAY), {});
  abandoned.rows.next();
  abandoned.close();
  abandoned.close();
  for (const event of events.slice(100)) allReadModels.evolve(state, event);
  const rest = [...abandoned.rows];
  const now = ledgerCsv(state.compliance, complianceFlags(state.compliance, TODAY), {});
  // Closed, it kept nothing: what is left is read from the facts as they are now.
  t.equal(rest.map(ledgerCsvLine).join(''), now.split('\r\n').slice(2, 2 + rest.length).map((line) => `${line}\r\n`).join(''));
});
