/**
 * Where a rebuild's time goes, from a CPU profile of bench/rebuild.ts: every sampled
 * millisecond of self time put in exactly one of the parts BENCHMARKS.md names (native calls
 * are sampled in the JS function that makes them: SQLite steps in readAllNow, JSON.parse in
 * toRecordedEvent, JSON.stringify in the projection's serialise).
 *
 *   node --import tsx bench/history/profile-breakdown.ts <file.cpuprofile>
 */
import { summariseProfile } from './profile-summary.js';

const PARTS: readonly (readonly [string, (name: string, url: string) => boolean])[] = [
  ['snapshot: JSON.stringify of each state', (name, url) => url === 'projections/projection.ts'],
  ['snapshot: SQLite write (snapshot store)', (name, url) => url === 'projections/runner/snapshot-store.ts'],
  ['log: SQLite read (readAllNow)', (name) => name === 'readAllNow'],
  ['log: JSON.parse of data + metadata', (name) => name === 'toRecordedEvent'],
  ['evolve (projection code)', (name, url) => url.startsWith('projections/') && !url.startsWith('projections/runner/')],
  ['runner, feed, subscription', (name, url) => url.startsWith('projections/runner/') || url.startsWith('src/event-store/')],
  ['garbage collector', (name) => name === '(garbage collector)'],
  ['idle', (name) => name === '(idle)'],
];

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node --import tsx bench/history/profile-breakdown.ts <file.cpuprofile>\n');
  process.exit(2);
}
const summary = summariseProfile(path);
const totals = new Map<string, number>(PARTS.map(([label]) => [label, 0]));
let other = 0;
for (const frame of summary.frames) {
  const part = PARTS.find(([, match]) => match(frame.functionName, frame.url));
  if (part) totals.set(part[0], (totals.get(part[0]) ?? 0) + frame.ms);
  else other += frame.ms;
}
process.stdout.write(`sampled ${(summary.totalMs / 1000).toFixed(1)} s (self time, each sample counted once)\n`);
for (const [label, ms] of [...totals, ['everything else (bench, node internals)', other] as const]) {
  process.stdout.write(`${label.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(6)} s ${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)} %\n`);
}
