/**
 * Ledger import throughput: a generated 10,000-row 台账 (XLSX, the seeded messy-ledger helper
 * without broken rows) POSTed to /v1/imports of a server listening on loopback, on a file store
 * (STORE_SYNCHRONOUS=FULL, as in production), beside the same run's baseline: the very events
 * the import appended, posted to a second, fresh server over HTTP as a bureau's system would
 * (POST /v1/projects, then each milestone in order; CONCURRENCY projects at a time).
 *
 *   node --import tsx bench/import.ts          (ROWS=10000 CONCURRENCY=64 FORMAT=xlsx|csv)
 *
 * Target (issue 14): ≥ 1,000 rows/s for the import. Beside the wall-clock rates the script prints
 * the CPU seconds the process spent (server and client share it): on a shared machine under
 * load the wall clock measures the queue for the cores, the CPU time what the work costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { openEmbeddedStore } from '../src/event-store/embedded/sqlite-store.js';
import { messyLedger } from '../test/excel/support/messy-ledger.js';

const ROWS = Number(process.env['ROWS'] ?? 10_000);
const CONCURRENCY = Number(process.env['CONCURRENCY'] ?? 64);
const FORMAT = process.env['FORMAT'] === 'csv' ? 'csv' : 'xlsx';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface ImportedRow {
  readonly status: string;
  readonly projectId?: string;
  readonly events?: readonly { readonly type: string; readonly data: Record<string, unknown> }[];
}

async function server() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const store = openEmbeddedStore({ path: join(dir, 'events.db'), synchronous: 'FULL' });
  const config = loadConfig({ AUTH: 'off', LOG_LEVEL: 'silent', IMPORT_LIMIT_BYTES: String(100 * 1024 * 1024), RATE_LIMIT_PER_MINUTE: '100000000' });
  const app = await buildApp({ store, config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    close: async () => { await app.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** User + system CPU of this process: what the work cost whatever else the machine runs. */
function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

async function main(): Promise<void> {
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const generated = performance.now();
  const ledger = await messyLedger({ rows: ROWS, seed: 20261201, today, format: FORMAT });
  console.log(`ledger: ${ROWS} rows, ${FORMAT}, ${(ledger.bytes.length / 1024 / 1024).toFixed(2)} MB, ${ledger.goodEvents} events (generated in ${((performance.now() - generated) / 1000).toFixed(1)} s)`);
  const load = loadavg().map((n) => n.toFixed(2)).join(' ');

  // The import, as a bureau uploads it.
  const importing = await server();
  const importCpu = process.cpuUsage();
  const started = performance.now();
  const res = await fetch(`${importing.url}/v1/imports`, { method: 'POST', headers: { 'content-type': FORMAT === 'xlsx' ? XLSX : 'text/csv' }, body: ledger.bytes });
  const answer = await res.json() as { summary: { accepted: number; events: number }; rows: ImportedRow[] };
  const importSeconds = (performance.now() - started) / 1000;
  const importCpuSeconds = cpuSeconds(process.cpuUsage(importCpu));
  if (res.status !== 200 || answer.summary.accepted !== ledger.goodRows.length) throw new Error(`import: ${res.status} ${JSON.stringify(answer.summary)}`);
  const appended = await importing.store.headPosition();
  await importing.close();

  // The baseline: the same events, posted over HTTP.
  const posting = await server();
  const projects = answer.rows.filter((row) => row.status === 'accepted');
  const postCpu = process.cpuUsage();
  const postStarted = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < projects.length; i = next++) {
      const row = projects[i];
      if (row?.projectId === undefined) continue;
      for (const event of row.events ?? []) {
        const { projectId: _id, ...fields } = event.data;
        if (event.type === 'ProjectRegistered') await postJson(`${posting.url}/v1/projects`, { ...fields, projectId: row.projectId });
        else await postJson(`${posting.url}/v1/projects/${row.projectId}/milestones`, { type: event.type, ...fields });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const postSeconds = (performance.now() - postStarted) / 1000;
  const postCpuSeconds = cpuSeconds(process.cpuUsage(postCpu));
  const posted = await posting.store.headPosition();
  await posting.close();
  if (posted !== appended) throw new Error(`the baseline appended ${posted} events, the import ${appended}`);

  const rows = projects.length;
  const commit = (() => { try { return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim(); } catch { return '?'; } })();
  console.log(`${new Date().toISOString()} commit ${commit}, node ${process.version}, load average before: ${load}, after: ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  console.log('| | rows | events | wall s | rows/s | events/s | CPU s (this process) | rows per CPU s |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| import (POST /v1/imports, ${FORMAT}) | ${rows} | ${appended} | ${importSeconds.toFixed(2)} | ${Math.round(rows / importSeconds)} | ${Math.round(appended / importSeconds)} | ${importCpuSeconds.toFixed(2)} | ${Math.round(rows / importCpuSeconds)} |`);
  console.log(`| baseline: the same events over HTTP, ${CONCURRENCY} projects at a time | ${rows} | ${posted} | ${postSeconds.toFixed(2)} | ${Math.round(rows / postSeconds)} | ${Math.round(posted / postSeconds)} | ${postCpuSeconds.toFixed(2)} | ${Math.round(rows / postCpuSeconds)} |`);
  console.log(`import ÷ baseline: ${(postSeconds / importSeconds).toFixed(2)}×; target ≥ 1,000 rows/s: ${rows / importSeconds >= 1000 ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
