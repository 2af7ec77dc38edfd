/**
 * What the runner's snapshots rely on: folding a log in one go equals folding its first part,
 * serialising the state, deserialising it and folding the rest; and the queries answer the
 * same from either state.
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { foldAll, type Projection } from '../../projections/projection.js';
import { PROJECTIONS } from '../../projections/index.js';
import { queryLedger, ledgerCsv } from '../../projections/project-ledger/index.js';
import { queryPipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { queryCompliance } from '../../projections/compliance/index.js';
import { queryBatches } from '../../projections/batches/index.js';
import { rankChildRegions } from '../../projections/rankings/index.js';
import { generateHistory } from './support/generate-history.js';

const history = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  projects: fc.integer({ min: 1, max: 40 }),
  cut: fc.integer({ min: 0, max: 1000 }).map((permille) => permille / 1000),
});

function foldInTwo<S>(projection: Projection<S>, events: readonly RecordedEvent[], cut: number): S {
  const at = Math.floor(events.length * cut);
  const first = foldAll(projection, events.slice(0, at));
  const snapshot = projection.serialise(first);
  return foldAll(projection, events.slice(at), projection.deserialise(snapshot));
}

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

t.test('every projection: one fold equals two folds through a JSON snapshot', async (t) => {
  for (const [name, projection] of Object.entries(PROJECTIONS) as [string, Projection<unknown>][]) {
    fc.assert(
      fc.property(history, ({ seed, projects, cut }) => {
        const events = generateHistory({ seed, projects, years: 3 });
        const whole = foldAll(projection, events);
        const halves = foldInTwo(projection, events, cut);
        deepStrictEqual(plain(halves), plain(whole));
        strictEqual([...projection.serialise(halves)].join('\n'), [...projection.serialise(whole)].join('\n'));
      }),
      { numRuns: 40 },
    );
    t.pass(`${name}: 40 generated logs, cut anywhere`);
  }
});

t.test('the queries answer the same from the snapshot-resumed states', async (t) => {
  fc.assert(
    fc.property(history, ({ seed, projects, cut }) => {
      const events = generateHistory({ seed, projects, years: 3 });
      const ledger = [foldAll(PROJECTIONS['project-ledger'], events), foldInTwo(PROJECTIONS['project-ledger'], events, cut)] as const;
      // The flags are compliance's (its own snapshot is checked below); the rows' other cells are the ledger's.
      deepStrictEqual(queryLedger(ledger[1], { regionCode: '131121', limit: 5 }, () => []), queryLedger(ledger[0], { regionCode: '131121', limit: 5 }, () => []));
      strictEqual(ledgerCsv(ledger[1], () => []), ledgerCsv(ledger[0], () => []));
      const stats = [foldAll(PROJECTIONS['pipeline-statistics'], events), foldInTwo(PROJECTIONS['pipeline-statistics'], events, cut)] as const;
      const query = { regionCode: '131100', year: 2022, quarter: 2, asOfDate: '2023-12-31' };
      deepStrictEqual(queryPipelineStatistics(stats[1], query), queryPipelineStatistics(stats[0], query));
      const ranking = { regionCode: '131100', year: 2022, measure: 'startedInvestment' as const };
      const names = () => undefined;
      deepStrictEqual(rankChildRegions(stats[1], ranking, names), rankChildRegions(stats[0], ranking, names));
      const compliance = [foldAll(PROJECTIONS.compliance, events), foldInTwo(PROJECTIONS.compliance, events, cut)] as const;
      deepStrictEqual(queryCompliance(compliance[1], { regionCode: '000000', asOfDate: '2023-06-30' }), queryCompliance(compliance[0], { regionCode: '000000', asOfDate: '2023-06-30' }));
      const batches = [foldAll(PROJECTIONS.batches, events), foldInTwo(PROJECTIONS.batches, events, cut)] as const;
      deepStrictEqual(queryBatches(batches[1], { asOfDate: '2023-06-30' }), queryBatches(batches[0], { asOfDate: '2023-06-30' }));
    }),
    { numRuns: 25 },
  );
  t.pass('25 generated logs');
});
