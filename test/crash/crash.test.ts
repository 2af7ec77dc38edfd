/**
 * The server SIGKILLed under concurrent commands, a few times (bench/crash.ts does 20): nothing
 * acknowledged lost, chains intact, read models equal to a rebuild, an in-flight
 * Idempotency-Key retry answered promptly after the restart. See crash-cycles.ts.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashCycles } from './crash-cycles.js';

/** Answered promptly: well inside the 30 s a claim counts as in flight. */
const PROMPT_MS = 5000;

t.test('SIGKILL under concurrent commands, restart, check', { timeout: 600_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const report = await runCrashCycles({ dataDir, cycles: 3, clients: 12, killAfterMs: [300, 1500], log: (line) => t.comment(line) });
  report.cycles.forEach((cycle, n) => {
    t.ok(cycle.acknowledged > 0, `cycle ${n}: ${cycle.acknowledged} commands acknowledged before the kill, ${cycle.inFlightAtKill} in flight`);
    t.same(cycle.lost, [], `cycle ${n}: every acknowledged command is in its project's history`);
    t.same(cycle.brokenChains, [], `cycle ${n}: every stream's hash chain is intact`);
    t.ok(cycle.retried.every((retry) => !retry.duplicated), `cycle ${n}: each retried request appended its event at most once`);
    const late = cycle.retried.filter((retry) => retry.status !== 201 || retry.ms >= PROMPT_MS);
    // A dead process's claim is taken over at once (src/http/idempotency.ts: one writer per store file).
    t.same(late.map((retry) => `${retry.status} ${retry.code ?? ''} in ${retry.ms} ms`), [],
      `cycle ${n}: the ${cycle.retried.length} requests in flight at the kill, retried after the restart, are answered 201 promptly`);
  });
  t.ok(report.readModelsEqual, `the read models served after the restarts equal a rebuild from the log${report.readModelsDiff ? `: ${report.readModelsDiff}` : ''}`);
});
