/**
 * The server folds the four read models as one projection over one shared facts table
 * (projections/all-read-models.ts). It must answer exactly as each read model folded alone
 * with facts of its own, also when resumed from its chunked snapshot cut anywhere.
 */
import t from 'tap';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { foldAll } from '../../projections/projection.js';
import { PROJECTIONS, allReadModels, READ_MODEL_NAMES, type Projection } from '../../projections/index.js';
import { factsChunks, factsFromChunks } from '../../projections/shared/project-facts.js';
import { generateHistory } from './support/generate-history.js';

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

t.test('the four folded over shared facts equal each folded alone, and resume from a snapshot', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }),
      (seed, projects, permille) => {
        const events = generateHistory({ seed, projects, years: 3 });
        const together = foldAll(allReadModels, events);
        for (const name of READ_MODEL_NAMES) {
          deepStrictEqual(plain(together[name]), plain(foldAll(PROJECTIONS[name] as Projection<unknown>, events)), name);
        }
        const at = Math.floor((events.length * permille) / 1000);
        const resumed = foldAll(allReadModels, events.slice(at), allReadModels.deserialise(allReadModels.serialise(foldAll(allReadModels, events.slice(0, at)))));
        deepStrictEqual(plain(resumed), plain(together));
        // Every read model sees the one table: a project's facts are one object, not four.
        for (const id of together.facts.order) {
          const facts = together.facts.projects[id];
          for (const name of READ_MODEL_NAMES) if (together[name].projects[id] !== facts) throw new Error(`${name} has its own copy of ${id}`);
        }
      },
    ),
    { numRuns: 40 },
  );
  t.pass('40 generated logs');
});

t.test('the facts are written in chunks of a bounded size and read back whole', async (t) => {
  const state = foldAll(allReadModels, generateHistory({ seed: 7, projects: 25, years: 2 }));
  const chunks = [...factsChunks(state.facts, 4)];
  t.equal(chunks.length, 1 + Math.ceil(state.facts.order.length / 4), 'the pending memberships, then 4 projects a chunk');
  t.ok(chunks.slice(1).every((chunk) => (JSON.parse(chunk) as unknown[]).length <= 4));
  const back = factsFromChunks(chunks[Symbol.iterator]());
  t.same(back.order, state.facts.order, 'registration order kept');
  t.same(plain(back.projects), plain(state.facts.projects));
  t.ok(state.facts.order.length > 4);
});

t.test('the region index follows registrations and moves, and filtered queries read only it', async (t) => {
  const { queryLedger } = await import('../../projections/project-ledger/index.js');
  const { queryCompliance } = await import('../../projections/compliance/index.js');
  const { contains } = await import('../../commands/shared/region-code.js');
  type Facts = ReturnType<typeof allReadModels.initialState>['facts'];
  const rebuiltIndex = (facts: Facts) => {
    const index = new Map<string, number[]>();
    for (let seq = 0; seq < facts.order.length; seq++) {
      const f = facts.projects[facts.order[seq] as string];
      if (f !== undefined) index.set(f.regionCode, [...(index.get(f.regionCode) ?? []), seq]);
    }
    return index;
  };
  const roots = [['131121'], ['131100'], ['130000'], ['131121', '131122'], ['410225']];
  let moved = 0;
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 1000 }), (seed, projects, permille) => {
      const events = generateHistory({ seed, projects, years: 3 });
      moved += events.filter((e) => e.type === 'DetailsCorrected' && 'regionCode' in e.data).length;
      const at = Math.floor((events.length * permille) / 1000);
      // Through a snapshot too: the index is rebuilt on load, never stored.
      const state = foldAll(allReadModels, events.slice(at), allReadModels.deserialise(allReadModels.serialise(foldAll(allReadModels, events.slice(0, at)))));
      deepStrictEqual(new Map([...state.facts.byRegion].sort()), new Map([...rebuiltIndex(state.facts)].sort()));
      for (const regionCodes of roots) {
        const naive = state.facts.order.filter((id) => regionCodes.some((root) => contains(root, state.facts.projects[id]?.regionCode ?? '')));
        const paged: string[] = [];
        let cursor: string | undefined;
        do {
          const page = queryLedger(state['project-ledger'], { regionCodes, limit: 3, ...(cursor === undefined ? {} : { cursor }) }, () => []);
          paged.push(...page.rows.map((row) => row.projectId));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        deepStrictEqual(paged, naive, `ledger of ${regionCodes.join(',')}`);
      }
      const province = queryCompliance(state.compliance, { regionCode: '130000', asOfDate: '2023-06-30' });
      const counties = ['131121', '131122', '131102', '130100'].map((regionCode) => queryCompliance(state.compliance, { regionCode, asOfDate: '2023-06-30' }).total);
      const outside = province.items.filter((item) => !['131121', '131122', '131102', '130100'].some((c) => contains(c, item.regionCode))).length;
      deepStrictEqual(counties.reduce((a, b) => a + b, 0) + outside, province.total, 'the counties\' lists add up to the province\'s');
    }),
    { numRuns: 40 },
  );
  t.ok(moved > 0, `the histories moved projects between regions (${moved} times)`);
});
