/**
 * The route fuzz of test/http/fuzz-routes.test.ts at 10^5 requests (issue 10, item 11):
 *   node --import tsx bench/fuzz.ts [--requests 100000] [--seed 1]
 * Spreads the requests evenly over every route the app documents (and the few it serves
 * undocumented), judges each answer with the same oracle (no 5xx, problem+json errors with a
 * registered code, refusals that append nothing), and prints the statuses per route, the
 * failures (the first of each kind in full) and the rate. Exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fuzzApp, requestsAt, routesOf, sendAndJudge } from '../test/support/route-fuzz.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
const total = Number(values.requests);
const seed = Number(values.seed);

const fuzz = await fuzzApp();
const routes = routesOf(fuzz.app);
const perRoute = Math.ceil(total / routes.length);
const failures = new Map<string, { count: number; first: string }>();
const started = performance.now();
let sent = 0;
try {
  for (const [i, route] of routes.entries()) {
    const statuses = new Map<number, number>();
    const routeStarted = performance.now();
    // Samples in chunks: a whole route's requests at once would hold every body in memory.
    for (let done = 0; done < perRoute; done += 1000) {
      const requests = fc.sample(requestsAt(route, fuzz.keys), { numRuns: Math.min(1000, perRoute - done), seed: seed * 1_000_003 + i * 7919 + done });
      for (const request of requests) {
        const judged = await sendAndJudge(fuzz, request);
        sent += 1;
        statuses.set(judged.status, (statuses.get(judged.status) ?? 0) + 1);
        if (judged.failure !== undefined) {
          const kind = `${route.method} ${route.path}: ${judged.failure.split('\n')[0] ?? ''}`;
          const seen = failures.get(kind);
          if (seen === undefined) failures.set(kind, { count: 1, first: judged.failure }); else seen.count += 1;
        }
      }
    }
    const seen = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    const rate = perRoute / ((performance.now() - routeStarted) / 1000);
    process.stdout.write(`${`${route.method} ${route.path}`.padEnd(48)} ${seen}  (${rate.toFixed(0)}/s)\n`);
  }
} finally {
  await fuzz.close();
}
const seconds = (performance.now() - started) / 1000;
const failed = [...failures.values()].reduce((sum, f) => sum + f.count, 0);
process.stdout.write(`\n${sent} requests over ${routes.length} routes in ${seconds.toFixed(0)} s (${(sent / seconds).toFixed(0)}/s): ${failed} failed\n`);
for (const [kind, { count, first }] of failures) process.stdout.write(`\n${count}× ${kind}\n${first}\n`);
process.exitCode = failed > 0 ? 1 : 0;
