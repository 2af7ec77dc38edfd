/**
 * /healthz: the process answers. /readyz: the store is reachable and every registered
 * readiness check (projections caught up, …) passes; 503 otherwise, naming what is not.
 * /metrics: Prometheus text.
 */
import { z } from 'zod';
import type { ZodApp } from '../zod-app.js';
import { sendProblem } from '../problem-details.js';
import { errors } from '../errors.js';

const readiness = z.object({
  ready: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
});

export async function healthRoutes(app: ZodApp): Promise<void> {
  app.get('/healthz', {
    schema: { tags: ['operations'], security: [], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: { tags: ['operations'], security: [], summary: 'The store is reachable and the read models have caught up', response: { 200: readiness } },
  }, async (_request, reply) => {
    const checks = await Promise.all(app.readiness.map(async (check) => {
      try {
        const outcome = await check.probe();
        return { name: check.name, ok: outcome.ok, ...(outcome.detail ? { detail: outcome.detail } : {}) };
      } catch (error) {
        return { name: check.name, ok: false, detail: String(error instanceof Error ? error.message : error) };
      }
    }));
    const ready = checks.every((c) => c.ok);
    if (!ready) {
      return sendProblem(reply, new errors.NotReady(checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail ?? 'not ready'}`).join('; ')));
    }
    return { ready, checks };
  });

  app.get('/metrics', {
    schema: {
      tags: ['operations'], security: [], summary: 'Prometheus metrics',
      response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } } },
    },
  }, async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await app.metrics.render()));
}
