/**
 * GET /dashboard: the live dashboard (dashboard/, built by `npm run build:dashboard`, which
 * `npm ci` runs as `prepare`). A public page: it holds no data; it asks for a key and reads
 * the API with it. `?screen=1` is the 大屏 mode (the page reads it, not the server).
 *
 * - index.html is read at each request (a rebuild while running is served at once) and never
 *   cached; the bundles under /dashboard/assets/ carry a content hash in their names, so they
 *   are cached for good.
 * - The page loads nothing from elsewhere, and its Content-Security-Policy says so: scripts,
 *   styles, fonts and connections from this origin only.
 */
import fastifyStatic from '@fastify/static';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import { z } from 'zod';

export const DEFAULT_DASHBOARD_DIR = resolve(fileURLToPath(new URL('../../../dashboard/dist', import.meta.url)));

export interface DashboardRoutesOptions {
  /** The built dashboard: index.html and assets/. */
  readonly root?: string;
}

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // ECharts sizes its tooltips and canvases through style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

export async function dashboardRoutes(app: ZodApp, options: DashboardRoutesOptions): Promise<void> {
  const root = resolve(options.root ?? DEFAULT_DASHBOARD_DIR);
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) app.log.warn({ root }, 'the dashboard is not built: GET /dashboard answers 404 until `npm run build:dashboard` has run');

  app.get('/dashboard', {
    config: { answers: ['NotFound'] },
    schema: {
      tags: ['dashboard'], security: [], summary: 'The live dashboard page (`?screen=1`: 大屏); it asks for a key and reads the API with it',
      response: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
    },
  }, async (_request, reply) => {
    let html: string;
    try {
      html = await readFile(indexPath, 'utf8');
    } catch {
      throw new errors.NotFound(`the dashboard is not built (no ${indexPath}): run npm run build:dashboard`);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  });

  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/dashboard/assets/',
    decorateReply: false,
    index: false,
    wildcard: true,
    maxAge: '365d',
    immutable: true,
    // The directory may not exist yet (not built): answer 404 then, do not fail the start.
    serve: true,
    setHeaders: (response) => {
      response.setHeader('x-content-type-options', 'nosniff');
    },
  });
}
