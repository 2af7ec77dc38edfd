/**
 * Every route under fire (issue 10, item 11): the routes are read from the app's own OpenAPI
 * document, so a new route is fuzzed as soon as it is registered; each gets generated paths,
 * query strings, headers (keys of every kind and none, Accept, If-Match, Idempotency-Key,
 * Last-Event-ID…) and bodies, and sometimes a method it does not take. The oracle is in
 * test/support/route-fuzz.ts: no 5xx, every error problem+json with a registered code, and a
 * refusal appends nothing. bench/fuzz.ts throws 10^5 of the same.
 */
import t from 'tap';
import fc from 'fast-check';
import { fuzzApp, requestsAt, routesOf, sendAndJudge } from '../support/route-fuzz.js';

/** Requests per route: some 2,500 in all, a minute or so of CI on a shared machine. */
const RUNS_PER_ROUTE = 70;

t.test('whatever is sent to any route: no 5xx, problem+json errors, refusals that append nothing', async (t) => {
  const fuzz = await fuzzApp();
  t.teardown(() => fuzz.close());
  const routes = routesOf(fuzz.app);
  t.ok(routes.length >= 30, `${routes.length} routes, read from the app`);
  for (const route of routes) {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestsAt(route, fuzz.keys), async (request) => {
        const judged = await sendAndJudge(fuzz, request);
        statuses.set(judged.status, (statuses.get(judged.status) ?? 0) + 1);
        if (judged.failure !== undefined) throw new Error(judged.failure);
      }),
      { numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    const seen = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    t.pass(`${route.method} ${route.path}: ${seen}`);
  }
});

t.test('the fuzz reaches past authentication and validation', async (t) => {
  // Over all routes together: some answers succeed, some are refused by validation, by the key.
  const fuzz = await fuzzApp();
  t.teardown(() => fuzz.close());
  const statuses = new Set<number>();
  const failures: string[] = [];
  for (const route of routesOf(fuzz.app)) {
    for (const request of fc.sample(requestsAt(route, fuzz.keys), { numRuns: 8, seed: 42 })) {
      const judged = await sendAndJudge(fuzz, request);
      if (judged.failure !== undefined) failures.push(judged.failure);
      statuses.add(judged.status);
    }
  }
  t.strictSame(failures, [], 'every answer held to the contract');
  for (const status of [200, 201, 400, 401, 403, 404, 409]) t.ok(statuses.has(status), `some answers were ${status}`);
});
