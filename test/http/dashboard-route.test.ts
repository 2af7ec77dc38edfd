/**
 * GET /dashboard: the built page and its bundles, served by the app itself, public, never
 * cached (the page) or cached for good (the hashed bundles), and allowed to load nothing from
 * elsewhere. The page is built here by the project's own build into a directory of this test.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDashboard } from '../../dashboard/build.js';
import { buildTestApp } from './build-test-app.js';

t.test('the built dashboard is served at /dashboard', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'dashboard-build-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const built = await buildDashboard({ outDir: out });
  const { app, store } = await buildTestApp({ AUTH: 'on', ADMIN_KEY: 'dashboard-route-admin-key-0123456789', DASHBOARD_DIR: out });
  t.teardown(async () => { await app.close(); await store.close(); });

  for (const path of ['/dashboard', '/dashboard/']) {
    const page = await app.inject({ url: path });
    t.equal(page.statusCode, 200, `${path}: public, no key needed`);
    t.match(page.headers['content-type'], /^text\/html/);
    t.equal(page.headers['cache-control'], 'no-cache');
    t.match(page.headers['content-security-policy'], /default-src 'self'/);
    t.match(page.headers['content-security-policy'], /connect-src 'self'/);
    t.match(page.body, /<html lang="zh-CN">/);
  }
  const html = (await app.inject({ url: '/dashboard' })).body;
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '').filter((ref) => !ref.startsWith('data:'));
  t.same(assets.sort(), [`/dashboard/assets/${built.script.split('/').pop()}`, `/dashboard/assets/${built.stylesheet.split('/').pop()}`].sort(), 'the page loads its two bundles, from this server');
  t.notMatch(html, /https?:\/\//, 'and nothing from elsewhere');

  for (const asset of assets) {
    const answer = await app.inject({ url: asset });
    t.equal(answer.statusCode, 200, asset);
    t.match(answer.headers['cache-control'], /max-age=31536000.*immutable|immutable.*max-age=31536000/, 'hashed names: cached for good');
  }
  const script = readFileSync(built.script, 'utf8');
  t.match(script, /EventSource/, 'the bundle opens the live stream itself');
  t.match(script, /zrender|echarts/i, 'ECharts is in the bundle, not fetched');
  t.notMatch(script, /fonts\.googleapis|cdn\.jsdelivr|unpkg\.com|cdnjs/, 'no CDN or web font address in the bundle');
  t.ok(readdirSync(join(out, 'assets')).some((file) => file.endsWith('.LEGAL.txt')), 'the bundled licences are kept beside it');

  const missing = await app.inject({ url: '/dashboard/assets/app-NOPE.js' });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /application\/problem\+json/);
});

t.test('not built: a 404 that says how to build it', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'dashboard-missing-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const { app, store } = await buildTestApp({ DASHBOARD_DIR: empty });
  t.teardown(async () => { await app.close(); await store.close(); });
  const answer = await app.inject({ url: '/dashboard' });
  t.equal(answer.statusCode, 404);
  t.equal(answer.json().code, 'PIPELINE_NOT_FOUND');
  t.match(answer.json().detail, /npm run build:dashboard/);
});
