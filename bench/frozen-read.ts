/**
 * What a frozen read costs (projections/frozen-read-models.ts): freezing the read models of
 * PROJECTS registered projects and releasing them, beside the same run's cost of copying the
 * registration order and every region list (what a frozen read would cost if it copied the
 * index instead of sharing it), and of a county's first ledger page on the live state.
 *
 *   node --import tsx bench/frozen-read.ts [--projects 100000]
 */
import { parseArgs } from 'node:util';
import { allReadModels } from '../projections/all-read-models.js';
import { freezeReadModels } from '../projections/frozen-read-models.js';
import { complianceFlags } from '../projections/compliance/index.js';
import { queryLedger } from '../projections/project-ledger/index.js';
import type { RecordedEvent } from '../src/event-store/port.js';
import { machine } from './history/measure.js';

const { values } = parseArgs({ options: { projects: { type: 'string', default: '100000' } } });
const projects = Number(values.projects);
const counties = Array.from({ length: 150 }, (_, i) => `41${String(1001 + i).slice(1, 4)}`.padEnd(6, '0'));
const state = allReadModels.initialState();
for (let i = 0; i < projects; i++) {
  allReadModels.evolve(state, {
    streamId: `project-P${i}`, revision: 0, position: i + 1, type: 'ProjectRegistered', id: String(i), recordedAt: '2025-01-06T00:00:00Z', metadata: {},
    data: { projectId: `P${i}`, name: `项目${i}`, regionCode: counties[i % counties.length], industry: 'C', category: 'industrial', origin: 'local', plannedInvestment: 10_000_000, occurredOn: '2025-01-06' },
  } as unknown as RecordedEvent);
}

function perCall(label: string, n: number, work: () => void): number {
  for (let i = 0; i < Math.min(n, 50); i++) work(); // warm-up
  const started = performance.now();
  for (let i = 0; i < n; i++) work();
  const us = ((performance.now() - started) / n) * 1000;
  console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(9)} µs`);
  return us;
}

console.log(`frozen read, ${new Date().toISOString()}, ${machine()}; ${projects.toLocaleString('en-US')} projects over ${counties.length} counties\n`);
const flags = complianceFlags(state.compliance, '2025-06-30');
const page = perCall('baseline: a county\'s first ledger page of 50, live state', 2000, () => {
  queryLedger(state['project-ledger'], { regionCode: counties[7] as string, limit: 50 }, flags);
});
const copying = perCall('copying the order and every region list (the alternative)', 500, () => {
  state.facts.order.slice();
  new Map([...state.facts.byRegion].map(([code, seqs]) => [code, seqs.slice()]));
});
const freeze = perCall('freeze + release (what each long read pays)', 2000, () => freezeReadModels(state, projects).release());
console.log(`\nfreeze ÷ county page: ${(freeze / page).toFixed(2)}×; copying ÷ freeze: ${(copying / freeze).toFixed(1)}×`);
