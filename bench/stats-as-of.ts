/**
 * "As of" record times at province scale: the server started as `npm start` would on a
 * generated history (DATA_DIR = its directory, AUTH=off), then each query asked as of MOMENTS
 * distinct record times spread over the log, each asked once (no answer can come from a
 * cache): the statistics of the province and a county, the rankings of the province's cities,
 * and the ledger's first page, the compliance list and the batches of the county and the city;
 * beside the same queries without `asOf` (the live state) and /healthz, from the same run.
 * While the "as of" questions run, a probe asks /healthz every 5 ms: its slowest answer is how
 * long everything else waited behind them.
 *
 *   node --import tsx bench/stats-as-of.ts [--file data/bench/…/events.db] [--moments 20] [--reps 20]
 *
 * Without --file it uses data/bench/history-10000000-s1/events.db. The first start on a file
 * folds the log (with the statistics' history); later ones resume from read-models.db.
 */
import { request } from 'node:http';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startServer } from './history/server-process.js';
import { machine, probe } from './history/measure.js';

const { values } = parseArgs({ options: { file: { type: 'string' }, moments: { type: 'string', default: '20' }, reps: { type: 'string', default: '20' } } });
const file = resolve(values.file ?? 'data/bench/history-10000000-s1/events.db');
// Every query names its region: the province, city and county the generator always fills.
if (!existsSync(file) || !file.endsWith('/events.db')) throw new Error(`${file}: not a DATA_DIR/events.db (generate one with npm run bench:generate)`);
const momentCount = Number(values.moments);
const reps = Number(values.reps);

// Record times spread evenly over the log, read from the file (not through the server).
const raw = new Database(file, { readonly: true });
const head = Number(raw.prepare('SELECT max(position) FROM events').pluck().get());
const recordedAt = raw.prepare<[number], string>('SELECT recorded_at FROM events WHERE position >= ? ORDER BY position LIMIT 1').pluck();
const moments: string[] = [];
for (let i = 1; i <= momentCount; i++) {
  const at = recordedAt.get(Math.max(1, Math.floor((head * i) / (momentCount + 1)))) as string;
  // A moment between two record times: the answer is of the event recorded last before it.
  moments.push(new Date(Date.parse(at) + 1).toISOString());
}
raw.close();

const chinaYear = (moment: string) => new Date(Date.parse(moment) + 8 * 3_600_000).getUTCFullYear();
const QUERIES = [
  { label: 'statistics, province, year', path: (year: number) => `/v1/stats/pipeline?regionCode=410000&year=${year}` },
  { label: 'statistics, county, quarter', path: (year: number) => `/v1/stats/pipeline?regionCode=410225&year=${year}&quarter=2` },
  { label: 'rankings of the province\'s cities', path: (year: number) => `/v1/stats/rankings?regionCode=410000&year=${year}&measure=startedInvestment` },
  { label: 'ledger, county, first page', path: () => '/v1/projects?regionCode=410225&limit=50' },
  { label: 'compliance, county', path: () => '/v1/stats/compliance?regionCode=410225' },
  { label: 'batches, county', path: () => '/v1/batches?regionCode=410225' },
  { label: 'ledger, city, first page', path: () => '/v1/projects?regionCode=410200&limit=50' },
  { label: 'compliance, city', path: () => '/v1/stats/compliance?regionCode=410200' },
];

const server = await startServer(dirname(file), 1_800_000);
const { port } = server;
const readySeconds = (server.readyMs / 1000).toFixed(1);
try {
  console.log(`statistics as of, ${new Date().toISOString()}, ${machine()}`);
  console.log(`file ${file} (${head.toLocaleString('en-US')} events); server ready in ${readySeconds} s\n`);

  // A first start writes its caught-up snapshot (and the log's tree) after /readyz: measured once that is done.
  const settling = performance.now();
  for (let quick = 0; quick < 20 && performance.now() - settling < 600_000;) {
    const t0 = performance.now();
    await get(port, '/healthz');
    quick = performance.now() - t0 < 10 ? quick + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`settled ${((performance.now() - settling) / 1000).toFixed(1)} s after ready (20 answers of /healthz in a row under 10 ms)`);
  const healthz = await timed(reps, () => '/healthz');
  console.log(`baseline /healthz: p50 ${healthz.p50.toFixed(2)} ms\n`);
  console.log(`${'query'.padEnd(36)} ${'live p50'.padStart(9)} ${'as of: p50'.padStart(11)} ${'max'.padStart(9)} ${'max ÷ live'.padStart(11)} ${'others wait ≤'.padStart(14)}  non-200`);
  const perMoment: string[] = [];
  for (const query of QUERIES) {
    const live = await timed(reps, () => query.path(chinaYear(moments.at(-1) as string)));
    const probing = probe(() => get(port, '/healthz'));
    const times: number[] = [];
    let failed = 0;
    for (const moment of moments) {
      const t0 = performance.now();
      const answer = await get(port, `${query.path(chinaYear(moment))}&asOf=${encodeURIComponent(moment)}`);
      const ms = performance.now() - t0;
      times.push(ms);
      if (answer.status !== 200) failed++;
      if (query === QUERIES[0]) perMoment.push(`${moment}  ${ms.toFixed(1)} ms  position ${answer.position}`);
    }
    const slowestProbe = await probing.stop();
    const sorted = [...times].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const max = sorted.at(-1) ?? 0;
    console.log(`${query.label.padEnd(36)} ${`${live.p50.toFixed(1)} ms`.padStart(9)} ${`${p50.toFixed(1)} ms`.padStart(11)} ${`${max.toFixed(1)} ms`.padStart(9)} ${`${(max / live.p50).toFixed(1)}×`.padStart(11)} ${`${slowestProbe.toFixed(1)} ms`.padStart(14)}  ${failed}`);
  }
  console.log(`\nthe province's statistics, each moment asked once:\n${perMoment.join('\n')}`);
} finally {
  server.stop();
}

async function timed(count: number, path: () => string): Promise<{ p50: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await get(port, path());
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] ?? 0 };
}

function get(port: number, path: string): Promise<{ status: number; bytes: number; position: number | undefined }> {
  return new Promise((resolvePromise) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => { chunks.push(chunk); });
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        let position: number | undefined;
        try {
          position = (JSON.parse(body.toString('utf8')) as { position?: number }).position;
        } catch {
          position = undefined;
        }
        resolvePromise({ status: response.statusCode ?? 0, bytes: body.length, position });
      });
    });
    req.on('error', () => resolvePromise({ status: 0, bytes: 0, position: undefined }));
    req.end();
  });
}
