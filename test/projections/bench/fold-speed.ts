/**
 * Fold speed and query latency on a generated province-sized log.
 *   node --import tsx --max-old-space-size=8192 test/projections/bench/fold-speed.ts [projects] [years]
 * Prints events/s per projection (rebuild from the start of the log), snapshot size and
 * serialise/deserialise times, and query latencies.
 */
import { PROJECTIONS, type Projection } from '../../../projections/index.js';
import { queryPipelineStatistics } from '../../../projections/pipeline-statistics/index.js';
import { rankChildRegions } from '../../../projections/rankings/index.js';
import { queryLedger, ledgerCsv } from '../../../projections/project-ledger/index.js';
import { complianceFlags, queryCompliance } from '../../../projections/compliance/index.js';
import { queryBatches } from '../../../projections/batches/index.js';
import { generateHistory } from '../support/generate-history.js';

if (process.env['TAP'] === '1') {
  // `npx tap test/projections/` runs every file under the folder: this one is not a test.
  console.log('1..0 # SKIP a benchmark: run it with node (see the header)');
  process.exit(0);
}

const projects = Number(process.argv[2] ?? 100_000);
const years = Number(process.argv[3] ?? 5);
// One province (河北 13): counties, townships and a 开发区, so the province query rolls up 10^5 projects.
const regions = [
  ...Array.from({ length: 40 }, (_, i) => `13${String(1 + (i % 11)).padStart(2, '0')}${String(21 + Math.floor(i / 11)).padStart(2, '0')}`),
  ...Array.from({ length: 20 }, (_, i) => `131121${String(100 + i)}`),
  '131121-KFQ',
];

let t0 = performance.now();
const events = generateHistory({ seed: 7, projects, years, regions });
console.log(`generated ${events.length.toLocaleString()} events for ${projects.toLocaleString()} projects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

/** Mean wall time, and CPU time (the machine may be shared: CPU time is what the code costs). */
const ms = (f: () => unknown, runs = 20) => {
  f();
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) f();
  const cpu = process.cpuUsage(cpu0);
  return `${((performance.now() - start) / runs).toFixed(2)} ms wall, ${((cpu.user + cpu.system) / 1000 / runs).toFixed(2)} ms CPU`;
};

const states: Record<string, unknown> = {};
global.gc?.();
let heapBefore = process.memoryUsage().heapUsed;
for (const [name, projection] of Object.entries(PROJECTIONS) as [string, Projection<unknown>][]) {
  const handled = new Set(projection.handles);
  const mine = events.filter((e) => handled.has(e.type));
  global.gc?.();
  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let state = projection.initialState();
  for (const event of mine) state = projection.evolve(state, event);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  states[name] = state;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const stateMb = ((heapAfter - heapBefore) / 1e6).toFixed(0);
  heapBefore = heapAfter;
  t0 = performance.now();
  const snapshot = [...projection.serialise(state)];
  const serialiseMs = performance.now() - t0;
  t0 = performance.now();
  projection.deserialise(snapshot);
  const deserialiseMs = performance.now() - t0;
  console.log(`${name.padEnd(20)} ${mine.length.toLocaleString().padStart(10)} events in ${seconds.toFixed(2)} s = ${Math.round(mine.length / seconds).toLocaleString().padStart(9)} events/s` +
    ` (${Math.round(mine.length / cpuSeconds).toLocaleString()} per CPU-second);` +
    ` state ≈ ${stateMb} MB of heap; snapshot ${(snapshot.reduce((n, chunk) => n + chunk.length, 0) / 1e6).toFixed(0)} MB (serialise ${serialiseMs.toFixed(0)} ms, deserialise ${deserialiseMs.toFixed(0)} ms)`);
}
console.log(`heap used with all four states: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);

type S<K extends keyof typeof PROJECTIONS> = ReturnType<(typeof PROJECTIONS)[K]['initialState']>;
const pipeline = states['pipeline-statistics'] as S<'pipeline-statistics'>;
const year = 2021 + years - 1;
console.log(`statistics, province 130000, year:          ${ms(() => queryPipelineStatistics(pipeline, { regionCode: '130000', year, asOfDate: `${year}-09-30` }))}`);
console.log(`statistics, province 130000, quarter, 1 cat: ${ms(() => queryPipelineStatistics(pipeline, { regionCode: '130000', year, quarter: 2, category: 'industrial' }))}`);
console.log(`statistics, county 131121, month:            ${ms(() => queryPipelineStatistics(pipeline, { regionCode: '131121', year, month: 6 }))}`);
console.log(`rankings of the province's cities:           ${ms(() => rankChildRegions(pipeline, { regionCode: '130000', year, measure: 'startedInvestment' }, () => undefined))}`);
const ledger = states['project-ledger'] as S<'project-ledger'>;
const flags = complianceFlags(states['compliance'] as S<'compliance'>, `${year}-12-31`);
console.log(`ledger page (50) of a county:                ${ms(() => queryLedger(ledger, { regionCode: '131121', limit: 50 }, flags))}`);
console.log(`ledger page (50), sparse filter:             ${ms(() => queryLedger(ledger, { regionCode: '131121', stage: 'FULL_PRODUCTION', category: 'public', limit: 50 }, flags))}`);
console.log(`ledger CSV, whole province:                  ${ms(() => ledgerCsv(ledger, flags, { regionCode: '130000' }), 3)}`);
const compliance = states['compliance'] as S<'compliance'>;
console.log(`compliance, province, all kinds:             ${ms(() => queryCompliance(compliance, { regionCode: '130000', asOfDate: `${year}-12-31` }), 5)}`);
const batches = states['batches'] as S<'batches'>;
console.log(`batches of the province:                     ${ms(() => queryBatches(batches, { regionCode: '130000', asOfDate: `${year}-12-31` }), 5)}`);
