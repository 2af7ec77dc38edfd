/**
 * The dashboard in a real browser, as a bureau chief and a 大屏 use it: the server started as
 * `npm start` starts it, on a store filled with a generated history (开封市 and its counties),
 * the page built by the project's build, opened in headless Chromium.
 *
 * - signing in with a dashboard key of the province;
 * - the figures on the page are those of GET /v1/stats/pipeline and /v1/stats/rankings;
 * - a milestone posted through the API changes the page without a reload;
 * - drilling down province → city → county → its ledger → one project;
 * - 1920×1080 (normal and 大屏) and 1366×768 screenshots, saved under the run's output;
 * - the server stopped and started again: the page says it is reconnecting, then follows again;
 * - and all along: no page error, no failed request, nothing fetched from elsewhere (requests
 *   failing while the server is down are expected, and only then).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../dashboard/build.js';
import { amountParts, formatCount, formatMeasure, formatRatio } from '../../dashboard/src/format.js';
import { fillDemoStore } from '../../demo/demo-store.js';
import { issueKey, startServerProcess, type ServerProcess } from '../../demo/server-process.js';
import { freePort } from '../../bench/history/server-process.js';
import { chinaDateOf } from '../../commands/shared/dates.js';
import { launchChromium, noBrowserReason, screenshotDir, watchTroubles, type PageTrouble } from './browser.js';

// The page's globals, as the functions passed to the browser see them (this program has no DOM types).
declare const document: { querySelector(selector: string): { textContent: string | null } | null; readonly documentElement: { readonly scrollHeight: number } };
declare const window: { readonly innerHeight: number };
declare const sessionStorage: { readonly length: number };
declare const localStorage: { readonly length: number };

const PROVINCE = '410000';
const CITY = '410200';
const LANKAO = '410225';
const ADMIN_KEY = 'e2e-admin-key-0123456789-abcdefghij';
const WAIT_MS = 45_000;

t.setTimeout(420_000);

t.test('the dashboard in Chromium', { skip: noBrowserReason() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [filled, built] = await Promise.all([
    fillDemoStore({ dir: join(dir, 'data'), events: 30_000, years: 1, progress: false }),
    buildDashboard({ outDir: join(dir, 'dashboard') }),
  ]);
  t.comment(`generated ${filled.events} events (${filled.projects} projects) up to ${filled.to}; dashboard built in ${Math.round(built.ms)} ms`);

  const port = await freePort();
  const serverOptions = {
    dataDir: join(dir, 'data'), port,
    env: { ADMIN_KEY, DASHBOARD_DIR: built.outDir, LOG_LEVEL: 'warn' },
    logFile: join(dir, 'server.log'),
  };
  let server: ServerProcess = await startServerProcess(serverOptions);
  t.teardown(() => server.stop());
  const api = new ApiClient(server.url);
  const dashboardKey = await issueKey(server.url, ADMIN_KEY, { name: '河南省 大屏', role: 'dashboard', regions: [PROVINCE] });
  const bureauKey = await issueKey(server.url, ADMIN_KEY, { name: '兰考县招商局', role: 'bureau', regions: [LANKAO] });

  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const shots = screenshotDir();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const troubles = watchTroubles(page, server.url);
  let longLived = '';
  /** While the server is down on purpose: troubles in this span are expected. */
  const expectedOutages: Array<{ from: number; to: number }> = [];

  await t.test('signs in with a dashboard key; the page is the province\'s', async (t) => {
    await page.goto(`${server.url}/dashboard`);
    await page.fill('input[name="key"]', dashboardKey.key);
    await page.click('form.signin button[type="submit"]');
    await page.waitForSelector(`.region-title[data-region="${PROVINCE}"]`, { timeout: WAIT_MS });
    await liveIs(page, 'open');
    t.equal(await page.textContent('.region-title'), '河南省');
    t.equal(await page.evaluate(() => sessionStorage.length), 1, 'the key is kept for the session');
    t.equal(await page.evaluate(() => localStorage.length), 0, 'and nowhere lasting');
  });

  await t.test('the figures are the API\'s', async (t) => {
    const statistics = await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${PROVINCE}`);
    await figuresMatch(page, statistics);
    t.pass('every figure across the top is GET /v1/stats/pipeline\'s, formatted');
    const rankings = await api.get<RankingsAnswer>(`/v1/stats/rankings?regionCode=${PROVINCE}&measure=completedInvestment`);
    const rows = await page.$$eval('.panel-rankings .ranking-row', (items) => items.map((item) => ({
      region: item.getAttribute('data-region'), rank: item.getAttribute('data-rank'), mark: item.getAttribute('data-mark'),
      value: item.querySelector('.value')?.textContent ?? '',
    })));
    t.same(rows, rankings.rows.map((row) => ({
      region: row.regionCode, rank: row.rank === null ? '' : String(row.rank), mark: row.mark ?? '', value: formatMeasure('amount', row.value),
    })), 'the rankings are GET /v1/stats/rankings\'s, in its order, with its marks');
    t.ok(rows.length >= 17, 'every city of the province is ranked');
    await page.screenshot({ path: join(shots, 'province-1920x1080.png') });
  });

  await t.test('a milestone posted through the API changes the page, without a reload', async (t) => {
    await page.evaluate(() => { Reflect.set(window, 'loadedOnce', true); });
    const before = await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${PROVINCE}`);
    const today = chinaDateOf(new Date());
    const registered = await api.post(bureauKey.key, '/v1/projects', {
      name: '兰考县浏览器测试项目', regionCode: LANKAO, industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 52_000, occurredOn: today,
    });
    const signed = await api.post(bureauKey.key, `/v1/projects/${registered.projectId}/milestones`, {
      type: 'ProjectSigned', occurredOn: today, agreementType: 'formal', contractInvestment: 56_000, investor: '测试投资有限公司', investorOrigin: 'out_of_province',
    });
    const after = await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${PROVINCE}&minPosition=${signed.position}`);
    t.equal(after.signed.count, before.signed.count + 1, 'the API counts the signing');
    await page.waitForFunction(([count]) => document.querySelector('[data-figure="signed.count"]')?.textContent === count, [formatCount(after.signed.count)], { timeout: WAIT_MS });
    await figuresMatch(page, after);
    t.ok(Number(await page.getAttribute('[data-position]', 'data-position')) >= signed.position, 'the page shows the position of the signing or later');
    t.equal(await page.evaluate(() => Reflect.get(window, 'loadedOnce')), true, 'the page was not reloaded');
  });

  await t.test('drills down: province → city → county → its ledger → one project', async (t) => {
    await page.click(`.ranking-row[data-region="${CITY}"]`);
    await page.waitForSelector(`.region-title[data-region="${CITY}"]`, { timeout: WAIT_MS });
    await figuresMatch(page, await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${CITY}`));
    t.same(await page.$$eval('.crumbs .crumb', (crumbs) => crumbs.map((c) => c.textContent)), ['河南省', '开封市'], 'the breadcrumb leads back up');
    await page.waitForSelector(`.ranking-row[data-region="${LANKAO}"]`, { timeout: WAIT_MS });
    await page.click(`.ranking-row[data-region="${LANKAO}"]`);
    await page.waitForSelector(`.region-title[data-region="${LANKAO}"]`, { timeout: WAIT_MS });
    await figuresMatch(page, await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${LANKAO}`));
    const ledger = await api.get<{ rows: Array<{ projectId: string; name: string; milestones: Record<string, string> }> }>(`/v1/projects?regionCode=${LANKAO}&limit=30`);
    await page.waitForSelector('.panel-ledger .ledger-row', { timeout: WAIT_MS });
    t.same(await page.$$eval('.panel-ledger .ledger-row', (rows) => rows.map((row) => row.getAttribute('data-project'))), ledger.rows.map((row) => row.projectId),
      'the county shows its ledger, as GET /v1/projects pages it');
    // The project of the page with the longest life: the most milestones to compare.
    const chosen = [...ledger.rows].sort((a, b) => Object.keys(b.milestones).length - Object.keys(a.milestones).length)[0];
    if (chosen === undefined) throw new Error('the county has no project');
    longLived = chosen.projectId;
    await page.click(`.ledger-row[data-project="${chosen.projectId}"]`);
    await page.waitForSelector(`.drawer[data-project="${chosen.projectId}"] .project-name`, { timeout: WAIT_MS });
    const project = await api.get<{ name: string; stage: string; milestones: Record<string, string> }>(`/v1/projects/${chosen.projectId}`);
    t.equal(await page.textContent('.drawer .project-name'), project.name);
    const timeline = await page.$$eval('.drawer .timeline li', (items) => items.map((item) => [item.getAttribute('data-milestone'), item.querySelector('time')?.textContent]));
    t.same(Object.fromEntries(timeline), project.milestones, 'every milestone of the project, with its date');
    t.equal(await page.isVisible('.drawer .history-table'), false, 'a dashboard key sees the milestones, not the history (API.md)');
    await page.screenshot({ path: join(shots, 'project-1920x1080.png') });
    await page.click('.drawer-close');
    t.equal(await page.isVisible('.drawer'), false, 'the project closes');
  });

  await t.test('an auditor drilling down reads the project\'s whole history', async (t) => {
    const auditorKey = await issueKey(server.url, ADMIN_KEY, { name: '开封市审计局', role: 'auditor', regions: [CITY] });
    const audit = await context.newPage();
    const auditTroubles = watchTroubles(audit, server.url);
    await audit.goto(`${server.url}/dashboard?region=${LANKAO}#key=${auditorKey.key}`);
    await audit.waitForSelector(`.ledger-row[data-project="${longLived}"]`, { timeout: WAIT_MS });
    await audit.click(`.ledger-row[data-project="${longLived}"]`);
    await audit.waitForSelector(`.drawer[data-project="${longLived}"] .history-table`, { timeout: WAIT_MS });
    const history = await api.get<{ events: Array<{ revision: number; type: string; occurredOn: string | null }> }>(`/v1/projects/${longLived}/history`);
    const shown = await audit.$$eval('.drawer .history-table tbody tr', (rows) => rows.map((row) => [row.getAttribute('data-revision'), row.getAttribute('data-type'), row.querySelector('td:nth-child(2)')?.textContent]));
    t.same(shown, history.events.map((event) => [String(event.revision), event.type, event.occurredOn ?? '—']), 'every event, in order, with its business date');
    await audit.screenshot({ path: join(shots, 'project-history-1920x1080.png') });
    t.same(auditTroubles, [], 'no trouble');
    await audit.close();
  });

  await t.test('a laptop (1366×768) and the 大屏 (1920×1080, ?screen=1) show the same figures', async (t) => {
    const laptop = await context.newPage();
    laptop.setViewportSize({ width: 1366, height: 768 });
    const laptopTroubles = watchTroubles(laptop, server.url);
    await laptop.goto(`${server.url}/dashboard?region=${CITY}#key=${dashboardKey.key}`);
    await laptop.waitForSelector(`.region-title[data-region="${CITY}"]`, { timeout: WAIT_MS });
    await liveIs(laptop, 'open');
    await figuresMatch(laptop, await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${CITY}`));
    t.notMatch(laptop.url(), /key=/, 'the key left the address bar');
    await laptop.waitForSelector('.panel-rankings .ranking-row', { timeout: WAIT_MS });
    await laptop.screenshot({ path: join(shots, 'city-1366x768.png') });

    const screen = await context.newPage();
    const screenTroubles = watchTroubles(screen, server.url);
    await screen.goto(`${server.url}/dashboard?screen=1&region=${CITY}&cycle=0#key=${dashboardKey.key}`);
    await screen.waitForSelector(`.region-title[data-region="${CITY}"]`, { timeout: WAIT_MS });
    await liveIs(screen, 'open');
    await figuresMatch(screen, await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${CITY}`));
    t.equal(await screen.isVisible('select[name="year"]'), false, 'no controls on the 大屏');
    t.equal(await screen.isVisible('.year-label'), true, 'the year is written instead');
    const fits = await screen.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1);
    t.ok(fits, 'the 大屏 fits the screen without scrolling');
    await screen.waitForSelector('.panel-rankings .ranking-row', { timeout: WAIT_MS });
    await screen.screenshot({ path: join(shots, 'screen-1920x1080.png') });
    t.same([...laptopTroubles, ...screenTroubles], [], 'no trouble on the laptop or the 大屏');
    await laptop.close();
    await screen.close();
  });

  await t.test('the 大屏 cycles through the regions by itself', async (t) => {
    const screen = await context.newPage();
    const cycleTroubles = watchTroubles(screen, server.url);
    await screen.goto(`${server.url}/dashboard?screen=1&region=${CITY}&cycle=2#key=${dashboardKey.key}`);
    await screen.waitForSelector(`.region-title[data-region="${CITY}"]`, { timeout: WAIT_MS });
    const seen = new Set<string>();
    const until = Date.now() + 30_000;
    while (seen.size < 3 && Date.now() < until) {
      const region = await screen.getAttribute('.region-title', 'data-region');
      if (region !== null) seen.add(region);
      await screen.waitForTimeout(250);
    }
    t.ok(seen.size >= 3, `it moved on by itself: ${[...seen].join(', ')}`);
    t.same(cycleTroubles, [], 'no trouble while cycling');
    await screen.close();
  });

  await t.test('survives a server restart: says it is reconnecting, then follows again', async (t) => {
    const outage = { from: Date.now(), to: Number.POSITIVE_INFINITY };
    expectedOutages.push(outage);
    await server.stop();
    await liveIs(page, 'reconnecting');
    t.equal(await page.textContent('.live span'), '重连中…', 'the page says so');
    server = await startServerProcess(serverOptions);
    await liveIs(page, 'open');
    outage.to = Date.now() + 1_000;

    const today = chinaDateOf(new Date());
    const registered = await api.post(bureauKey.key, '/v1/projects', {
      name: '兰考县重启之后的项目', regionCode: LANKAO, industry: 'C', category: 'industrial', origin: 'local', plannedInvestment: 8_800, occurredOn: today,
    });
    const after = await api.get<Statistics>(`/v1/stats/pipeline?regionCode=${LANKAO}&minPosition=${registered.position}`);
    await page.waitForFunction(([count]) => document.querySelector('[data-figure="reserve.count"]')?.textContent === count, [formatCount(after.reserve.count)], { timeout: WAIT_MS });
    await figuresMatch(page, after);
    t.pass('a milestone after the restart reaches the page');
    await page.screenshot({ path: join(shots, 'county-1920x1080.png') });
  });

  t.test('no page error, no failed request, nothing from elsewhere', async (t) => {
    const unexpected = troubles.filter((trouble) => !expectedOutages.some((o) => trouble.at >= o.from && trouble.at <= o.to));
    t.same(unexpected.map(describe), [], 'outside the restart');
    t.same(troubles.filter((trouble) => trouble.kind === 'page error' || trouble.kind === 'outside request').map(describe), [], 'and never a page error or an outside request');
    t.comment(`screenshots: ${shots}`);
  });
});

// ------------------------------------------------------------------ helpers

interface Sized { count: number; investment: number }
interface Statistics {
  position: number;
  reserve: Sized; signed: Sized; started: Sized; commissioned: Sized;
  completedInvestment: { ytd: number };
  fundsInPlaceRate: number | null;
  fundingSecured: { ytd: number };
}
interface RankingsAnswer { rows: Array<{ regionCode: string; value: number | null; rank: number | null; mark: 'red' | 'black' | null }> }

/** The figures across the top, as the page must write them from these statistics. */
function expectedFigures(statistics: Statistics): Record<string, string> {
  const amount = (wan: number) => amountParts(wan).value;
  return {
    'reserve.count': formatCount(statistics.reserve.count),
    'reserve.investment': amount(statistics.reserve.investment),
    'signed.count': formatCount(statistics.signed.count),
    'signed.investment': amount(statistics.signed.investment),
    'started.count': formatCount(statistics.started.count),
    'started.investment': amount(statistics.started.investment),
    'commissioned.count': formatCount(statistics.commissioned.count),
    'commissioned.investment': amount(statistics.commissioned.investment),
    'completedInvestment.ytd': amount(statistics.completedInvestment.ytd),
    fundsInPlaceRate: formatRatio(statistics.fundsInPlaceRate),
    'fundingSecured.ytd': amount(statistics.fundingSecured.ytd),
  };
}

/** Waits until the page's figures are these statistics' (a live event may still be on its way). */
async function figuresMatch(page: Page, statistics: Statistics): Promise<void> {
  const expected = expectedFigures(statistics);
  try {
    await page.waitForFunction((want) => Object.entries(want).every(([figure, text]) =>
      document.querySelector(`[data-figure="${figure}"]`)?.textContent === text), expected, { timeout: WAIT_MS });
  } catch (error) {
    const shown = await page.$$eval('[data-figure]', (items) => Object.fromEntries(items.map((item) => [item.getAttribute('data-figure'), item.textContent])));
    throw new Error(`the page shows ${JSON.stringify(shown)}, the API says ${JSON.stringify(expected)}: ${String(error)}`);
  }
}

async function liveIs(page: Page, status: 'open' | 'reconnecting'): Promise<void> {
  await page.waitForSelector(`.live[data-live="${status}"]`, { timeout: WAIT_MS });
}

function describe(trouble: PageTrouble): string {
  return `${trouble.kind}: ${trouble.detail} ${trouble.url}`.trim();
}

/** The test's own calls to the API: reads with the admin key, commands with a bureau key. */
class ApiClient {
  constructor(private readonly url: string) {}

  async get<T>(path: string): Promise<T> {
    const answer = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${await answer.text()}`);
    const body: T = await answer.json() as T;
    return body;
  }

  async post(key: string, path: string, body: object): Promise<{ projectId: string; position: number }> {
    const answer = await fetch(`${this.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const json: unknown = await answer.json();
    const projectId: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'projectId') : undefined;
    const position: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'position') : undefined;
    if (answer.status !== 201 || typeof projectId !== 'string' || typeof position !== 'number') throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(json)}`);
    return { projectId, position };
  }
}
