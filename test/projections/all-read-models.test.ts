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
