import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { ReadModels } from '../projections/runner/read-models.js';
import { openSnapshotStore } from '../projections/runner/snapshot-store.js';
import { rmSync } from 'node:fs';
const withHistory = process.argv[2] === 'history';
const store = openEmbeddedStore({ path: '/work/data/10m/events.db', access: 'reader' });
rmSync('/tmp/hb/h10.db', { force: true }); rmSync('/tmp/hb/h10.db-wal', { force: true });
const rm = new ReadModels({ store, snapshots: openSnapshotStore(':memory:'), snapshotEvery: Number.MAX_SAFE_INTEGER, ...(withHistory ? { statisticsHistory: { path: '/tmp/hb/h10.db' } } : {}) });
const t0 = performance.now();
await rm.start();
const seconds = Number(process.argv[3] ?? 60);
let last = 0;
for (let s = 0; s < seconds; s += 10) { await new Promise((r) => setTimeout(r, 10_000)); console.log(withHistory ? 'history' : 'none', Math.round(performance.now() - t0), rm.position, rm.position - last); last = rm.position; }
process.exit(0);
