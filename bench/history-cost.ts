/**
 * What the read side's history costs the fold, per event, beside the same fold without it in
 * the same run: the events are read and parsed first (not timed), then folded into the four
 * read models (none), with the statistics' history (stats), and with the facts' rows too (all,
 * what the server runs), each in a file of its own with its writer thread. "Fold thread" is
 * the fold's own time; "until written" waits for the writer; "process CPU" counts both threads.
 *
 *   node --expose-gc --max-old-space-size=8000 --import tsx bench/history-cost.ts --file <events.db> [--events 400000]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { allReadModels, type AllReadModelsState } from '../projections/all-read-models.js';
import { StatisticsHistory } from '../projections/runner/statistics-history.js';
import type { RecordedEvent } from '../src/event-store/port.js';
const { values } = parseArgs({ options: { file: { type: 'string' }, events: { type: 'string', default: '400000' } } });
if (values.file === undefined) throw new Error('--file <a generated events.db> (npm run bench:generate)');
const N = Number(values.events);
const store = openEmbeddedStore({ path: values.file });
const events: RecordedEvent[] = [];
let from: number | undefined;
while (events.length < N) {
  const page = await store.readAll({ ...(from === undefined ? {} : { fromPosition: from }), maxCount: 4096 });
  for (const e of page) if (from === undefined || e.position > from) events.push(e);
  from = page.at(-1)?.position; if (page.length < 4096) break;
}
events.length = Math.min(events.length, N);
console.log(`history cost, ${new Date().toISOString()}, ${events.length.toLocaleString('en-US')} events of ${values.file}`);
const handles = new Set(allReadModels.handles);
async function run(mode: 'none' | 'stats' | 'all') {
  const dir = mkdtempSync(join(tmpdir(), 'foldcost-'));
  let state = allReadModels.initialState();
  const history = mode === 'none' ? undefined : new StatisticsHistory<AllReadModelsState>({ path: join(dir, 'h.db'), version: 1 }, (s) => s['pipeline-statistics'],
    mode === 'all' ? (s) => ({ facts: s.facts, lateReports: s.compliance.lateReports, batches: s.batches }) : undefined);
  history?.follow(state, 0);
  global.gc?.();
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (const e of events) {
    if (handles.has(e.type)) state = allReadModels.evolve(state, e);
    history?.applied(state, e);
  }
  const foldMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await history?.flush();
  const allMs = performance.now() - t0;
  await history?.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`${mode.padEnd(6)} fold thread ${(foldMs * 1000 / events.length).toFixed(2)} µs/event; until written ${(allMs * 1000 / events.length).toFixed(2)} µs/event; process CPU ${((cpu.user + cpu.system) / events.length).toFixed(2)} µs/event`);
}
for (const mode of ['none', 'stats', 'all', 'none', 'stats', 'all'] as const) await run(mode);
await store.close();
