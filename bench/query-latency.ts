/**
 * Query latency at province scale: the server started as `npm start` would on a generated
 * history (DATA_DIR = its directory, AUTH=off), then each query asked REPS times in a row over
 * loopback, timed from send to the last byte. Beside the same server's GET /healthz in the same
 * run (what any request costs here). While each query runs, a probe asks /healthz every 5 ms:
 * its slowest answer is how long every other request, command and SSE client waited behind
 * the query (long scans run a slice per turn, so that stays short).
 *
 *   node --import tsx bench/query-latency.ts [--file data/bench/…/events.db] [--reps 20]
 *
 * Without --file it uses data/bench/history-10000000-s1/events.db (make it with
 * `npm run bench:generate -- --events 10000000`; restarts are quick once its read-models.db exists).
 */
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from './history/server-process.js';
import { machine, probe } from './history/measure.js';

const { values } = parseArgs({ options: { file: { type: 'string' }, reps: { type: 'string', default: '20' } } });
const file = resolve(values.file ?? 'data/bench/history-10000000-s1/events.db');
if (!existsSync(file) || !file.endsWith('/events.db')) throw new Error(`${file}: not a DATA_DIR/events.db (generate one with npm run bench:generate)`);
const reps = Number(values.reps);

const QUERIES: readonly { readonly label: string; readonly path: string; readonly accept?: string; readonly reps?: number }[] = [
  { label: 'baseline: GET /healthz', path: '/healthz' },
  { label: 'statistics, province, year', path: '/v1/stats/pipeline?regionCode=410000&year=2024' },
  { label: 'statistics, county, quarter', path: '/v1/stats/pipeline?regionCode=410225&year=2024&quarter=2' },
  { label: 'rankings of the province\'s cities', path: '/v1/stats/rankings?regionCode=410000&year=2024&measure=startedInvestment' },
  { label: 'compliance, county (all kinds)', path: '/v1/stats/compliance?regionCode=410225' },
  { label: 'compliance, city (all kinds)', path: '/v1/stats/compliance?regionCode=410200' },
  { label: 'compliance, province, one kind', path: '/v1/stats/compliance?regionCode=410000&kind=stalled', reps: 3 },
  { label: 'ledger, county, first page of 50', path: '/v1/projects?regionCode=410225&limit=50' },
  { label: 'ledger, county, stalled only', path: '/v1/projects?regionCode=410225&stage=STALLED&limit=50' },
  { label: 'ledger, province, stalled only', path: '/v1/projects?regionCode=410000&stage=STALLED&limit=50' },
  { label: 'ledger CSV, county (whole export)', path: '/v1/projects?regionCode=410225', accept: 'text/csv', reps: 3 },
  { label: 'batches, all', path: '/v1/batches' },
  // Read from the statistics' history (the cells at the checkpoint before the moment plus the
  // changes since); bench/stats-as-of.ts asks 20 distinct moments.
  { label: 'statistics as of 2024-07-01, county', path: '/v1/stats/pipeline?regionCode=410225&year=2024&asOf=2024-07-01T00:00:00Z', reps: 3 },
];

const server = await startServer(dirname(file), 900_000);
const { port } = server;
const readySeconds = (server.readyMs / 1000).toFixed(1);
try {
  console.log(`query latency, ${new Date().toISOString()}, ${machine()}`);
  console.log(`file ${file}; server ready in ${readySeconds} s; ${reps} requests each, one at a time\n`);
  console.log(`${'query'.padEnd(40)} ${'status'.padStart(6)} ${'bytes'.padStart(11)} ${'p50'.padStart(9)} ${'max'.padStart(9)} ${'× healthz'.padStart(10)} ${'others wait ≤'.padStart(14)}`);
  let baseline = 0;
  for (const query of QUERIES) {
    const times: number[] = [];
    let last = { status: 0, bytes: 0 };
    const probing = query.path === '/healthz' ? undefined : probe(() => get(port, '/healthz'));
    for (let i = 0; i < (query.reps ?? reps); i++) {
      const t0 = performance.now();
      last = await get(port, query.path, query.accept);
      times.push(performance.now() - t0);
    }
    const slowestProbe = (await probing?.stop()) ?? 0;
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)] ?? 0;
    if (baseline === 0) baseline = p50;
    console.log(`${query.label.padEnd(40)} ${String(last.status).padStart(6)} ${last.bytes.toLocaleString('en-US').padStart(11)} ${`${p50.toFixed(1)} ms`.padStart(9)} ${`${(times.at(-1) ?? 0).toFixed(1)} ms`.padStart(9)} ${`${(p50 / baseline).toFixed(0)}×`.padStart(10)} ${(query.path === '/healthz' ? '-' : `${slowestProbe.toFixed(1)} ms`).padStart(14)}`);
  }
} finally {
  server.stop();
}

function get(port: number, path: string, accept = 'application/json'): Promise<{ status: number; bytes: number }> {
  return new Promise((resolvePromise) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { accept } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, bytes }));
    });
    req.on('error', () => resolvePromise({ status: 0, bytes: 0 }));
    req.end();
  });
}
