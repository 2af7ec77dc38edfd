/**
 * 20 SIGKILLs of the server under concurrent commands (test/crash runs a few in CI):
 *   node --import tsx bench/crash.ts [--kills 20] [--clients 16]
 * Prints, per kill, what was acknowledged, lost (must be 0), broken, and how the requests in
 * flight at the kill were answered when retried after the restart; then whether the read models
 * equal a rebuild. Exits 1 when anything acknowledged was lost or a chain broke.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashCycles } from '../test/crash/crash-cycles.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '20' }, clients: { type: 'string', default: '16' } } });
const dataDir = mkdtempSync(join(tmpdir(), 'bench-crash-'));
const started = Date.now();
try {
  const report = await runCrashCycles({
    dataDir, cycles: Number(values.kills), clients: Number(values.clients), killAfterMs: [500, 4000],
    log: (line) => process.stdout.write(`${line}\n`),
  });
  let lost = 0;
  let broken = 0;
  let acknowledged = 0;
  const late: string[] = [];
  for (const cycle of report.cycles) {
    lost += cycle.lost.length;
    broken += cycle.brokenChains.length;
    acknowledged += cycle.acknowledged;
    for (const retry of cycle.retried) if (retry.status !== 201 || retry.ms >= 5000) late.push(`${retry.status} ${retry.code ?? ''} ${retry.ms} ms`);
  }
  const retried = report.cycles.reduce((sum, cycle) => sum + cycle.retried.length, 0);
  process.stdout.write(`\n${report.cycles.length} kills in ${((Date.now() - started) / 1000).toFixed(0)} s: ${acknowledged} acknowledged, ${lost} lost, ${broken} broken chains; `
    + `${retried} in-flight retries, ${late.length} not answered 201 within 5 s${late.length ? ` (${[...new Set(late.map((l) => l.replace(/ \d+ ms$/, '')))].join(', ')})` : ''}; `
    + `read models equal a rebuild: ${report.readModelsEqual}${report.readModelsDiff ? ` (${report.readModelsDiff})` : ''}\n`);
  process.exitCode = lost > 0 || broken > 0 || !report.readModelsEqual ? 1 : 0;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
