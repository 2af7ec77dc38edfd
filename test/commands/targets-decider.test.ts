import t, { type Test } from 'tap';
import { targetsDecider, type SetAnnualTargets } from '../../commands/targets/decider.js';
import type { AnnualTargetsSetData, TargetsEvent } from '../../commands/targets/events.js';
import { deciderSpec } from './decider-spec.js';
import { at } from './project-fixtures.js';

/** 枣强's measures: reserve ≥ 300 亿, funding secured ≥ 8 亿 (Amounts of 0.01 万元). */
const data = (fields: Partial<AnnualTargetsSetData> = {}): AnnualTargetsSetData => ({
  regionCode: '131121', year: 2025, occurredOn: '2025-01-20',
  targets: { reserveCount: 100, reserveInvestment: 300_000_000, fundingSecured: 8_000_000 }, ...fields,
});
const set = (fields: Partial<AnnualTargetsSetData> = {}): TargetsEvent => ({ type: 'AnnualTargetsSet', data: data(fields) });
const setTargets = (fields: Partial<AnnualTargetsSetData> = {}, clock = at('2025-02-01')): SetAnnualTargets =>
  ({ type: 'SetAnnualTargets', data: data(fields), ...clock });
const given = (t: Test, events: TargetsEvent[]) => deciderSpec(t, targetsDecider).given(events);

t.test('when no targets are set', async (t) => {
  t.test('AnnualTargetsSet', async (t) => given(t, []).when(setTargets()).then([set()]));
  t.test('for next year, set this year', async (t) =>
    given(t, []).when(setTargets({ year: 2026, occurredOn: '2025-12-20' }, at('2025-12-21'))).then([set({ year: 2026, occurredOn: '2025-12-20' })]));
  t.test('dated in the future is refused', async (t) =>
    given(t, []).when(setTargets({ occurredOn: '2025-02-02' })).thenThrows('occurred-on-not-in-future'));
});

t.test('when targets are set', async (t) => {
  t.test('setting them again replaces them: measures left out are dropped', async (t) =>
    given(t, [set()]).when(setTargets({ occurredOn: '2025-01-25', targets: { startedInvestment: 200_000_000 } })).thenState((state, decided) => {
      t.equal(decided.length, 1);
      t.strictSame(state.status === 'set' && state.targets, { startedInvestment: 200_000_000 });
    }));
  t.test('the same targets again append nothing', async (t) =>
    given(t, [set()]).when(setTargets({ occurredOn: '2025-01-30', targets: { fundingSecured: 8_000_000, reserveInvestment: 300_000_000, reserveCount: 100 } })).then([]));
  t.test('another region or year in this stream is refused', async (t) => {
    given(t, [set()]).when(setTargets({ regionCode: '410225' })).thenThrows('targets-stream-mismatch');
    given(t, [set()]).when(setTargets({ year: 2024 })).thenThrows('targets-stream-mismatch');
  });
});
