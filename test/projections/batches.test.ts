import t from 'tap';
import { foldAll } from '../../projections/projection.js';
import { batches, getBatch, queryBatches } from '../../projections/batches/index.js';
import { History } from './support/history.js';

t.test('a batch: size, Σ 总投资, started on time, late, not yet, overdue', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01', plannedInvestment: 10000 });
  h.register('B', { occurredOn: '2025-01-01', plannedInvestment: 20000 });
  h.project('B', 'ProjectSigned', { occurredOn: '2025-02-01', contractInvestment: 25000 });
  h.register('C', { occurredOn: '2025-01-01', plannedInvestment: 30000 });
  h.register('D', { occurredOn: '2025-01-01', plannedInvestment: 40000 });
  h.register('E', { occurredOn: '2025-01-01', plannedInvestment: 5000 });
  h.batch({ batchId: 'ZQ-2025-Q2', regionCode: '131121', name: '二季度集中开工', occurredOn: '2025-03-01', ceremonyOn: '2025-04-10', mustStartBy: '2025-04-30', projectIds: ['A', 'B', 'C', 'D'] });
  h.project('A', 'Started', { occurredOn: '2025-04-10', batchId: 'ZQ-2025-Q2' });
  h.project('B', 'Started', { occurredOn: '2025-04-30' });
  h.project('C', 'Started', { occurredOn: '2025-05-06' });
  h.project('E', 'Started', { occurredOn: '2025-04-10', batchId: 'ZQ-2025-Q2' }); // joined at the ceremony
  const state = foldAll(batches, h.events);
  const detail = getBatch(state, 'ZQ-2025-Q2', '2025-05-15');
  // members A, B, C, D and E (its Started names the batch) → 5
  // Σ 总投资: A 10000 + B 25000 (contract) + C 30000 + D 40000 + E 5000 = 110000
  // on time (≤ 04-30): A, B, E → 3; late: C → 1; not yet: D → 1, overdue at 05-15
  t.match(detail, { size: 5, investment: 110000, startedOnTime: 3, startedLate: 1, notStarted: 1, withdrawn: 0, overdue: 1, unknown: 0 });
  t.same(detail?.members.map((m) => [m.projectId, m.status]), [['A', 'on-time'], ['B', 'on-time'], ['C', 'late'], ['D', 'not-started'], ['E', 'on-time']]);
  t.equal(getBatch(state, 'ZQ-2025-Q2', '2025-04-30')?.overdue, 0, 'not overdue on the deadline itself');
  t.equal(getBatch(state, 'ZQ-2025-Q2')?.overdue, null);
});

t.test('batches of a region; withdrawn and unknown members counted apart', async (t) => {
  const h = new History();
  h.register('A', { occurredOn: '2025-01-01' });
  h.project('A', 'Withdrawn', { occurredOn: '2025-02-01' });
  h.batch({ batchId: 'B1', regionCode: '131121', occurredOn: '2025-01-15', ceremonyOn: '2025-03-01', mustStartBy: '2025-03-31', projectIds: ['A', 'GHOST'] });
  h.batch({ batchId: 'B2', regionCode: '410225', occurredOn: '2025-01-15', ceremonyOn: '2025-06-01', mustStartBy: '2025-06-30', projectIds: ['A'] });
  const state = foldAll(batches, h.events);
  const hebei = queryBatches(state, { regionCode: '130000' });
  t.same(hebei.batches.map((b) => [b.batchId, b.size, b.withdrawn, b.unknown, b.notStarted]), [['B1', 2, 1, 1, 0]]);
  t.same(queryBatches(state).batches.map((b) => b.batchId), ['B2', 'B1'], 'latest ceremony first');
});

t.test('the list\'s counts are the details\' counts, batch by batch', async (t) => {
  const { generateHistory } = await import('./support/generate-history.js');
  let compared = 0;
  for (const seed of [3, 11, 29, 47]) {
    const state = foldAll(batches, generateHistory({ seed, projects: 60, years: 3 }));
    for (const summary of queryBatches(state, { asOfDate: '2023-06-30' }).batches) {
      const { members, ...detail } = getBatch(state, summary.batchId, '2023-06-30') ?? { members: [] };
      t.same(summary, detail, summary.batchId);
      t.equal(members.length, summary.size);
      compared += 1;
    }
  }
  t.ok(compared >= 4, `${compared} batches compared`);
});
