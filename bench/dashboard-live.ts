/**
 * The dashboard live under load: how long from a command's answer until the figure it changes
 * is on the page, beside the same-run answer → SSE receipt of bare stream clients.
 *
 *   npm run bench:dashboard          (CLIENTS=500 COMMANDS=200 RATE=20 EVENTS=60000)
 *
 * - The server runs as `npm start` runs it (AUTH on, its own process) on a store filled with a
 *   generated history of 开封市 (demo/demo-store.ts), so the statistics it computes per event
 *   are those of a real county, not of an empty one.
 * - One page of the dashboard is open in headless Chromium on 兰考县 (410225), signed in with
 *   a dashboard key, following /v1/live with a stream token; a MutationObserver in the page
 *   stamps each change of the 谋划储备 count (the figure across the top) and the next frame.
 * - CLIENTS more stream clients (plain node:http) follow the same region with the same kind of
 *   token, in a process of their own so that reading 500 streams does not delay this one's
 *   clock; one more, here, is the bare baseline.
 * - COMMANDS registrations of a project in 兰考县 at RATE a second, each adding one to the
 *   reserve: command i is on the page once it shows a count ≥ the count before + i's rank.
 * Both ends stamp with performance.timeOrigin + performance.now() (the same wall clock, on one
 * machine). The append happens between a command's send and its answer, and an answer can
 * reach this process after the event reached the page (negative latencies when the machine is
 * saturated), so "send → …" is printed too, as an upper bound. Loopback only; a watchdog ends it.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../dashboard/build.js';
import { fillDemoStore } from '../demo/demo-store.js';
import { issueKey, startServerProcess, type ServerProcess } from '../demo/server-process.js';
import { chinaDateOf } from '../commands/shared/dates.js';
import { formatCount } from '../dashboard/src/format.js';
import { launchChromium } from '../test/e2e/browser.js';
import { freePort } from './history/server-process.js';
import { machine, sleep } from './history/measure.js';

const CLIENTS = Number(process.env['CLIENTS'] ?? 500);
const COMMANDS = Number(process.env['COMMANDS'] ?? 200);
const RATE = Number(process.env['RATE'] ?? 20);
const EVENTS = Number(process.env['EVENTS'] ?? 60_000);
const REGION = '410225';
const CITY = '410200';
const ADMIN_KEY = 'bench-dashboard-admin-key-0123456789abcdef';
const WATCHDOG_MS = 15 * 60_000;

/** Milliseconds since the epoch, sub-millisecond, on the clock the page uses too. */
const now = () => performance.timeOrigin + performance.now();

// The page's globals, as the functions sent to the browser see them (this program has no DOM types).
declare const document: { querySelector(selector: string): { textContent: string | null } | null };
declare const window: object;

/** Stamps each change of the page's 谋划储备 count, and the frame after it. */
const OBSERVE_RESERVE_COUNT = `(() => {
  const changes = [];
  window.benchChanges = changes;
  const figure = () => document.querySelector('[data-figure="reserve.count"]')?.textContent ?? '';
  let last = figure();
  new MutationObserver(() => {
    const text = figure();
    if (text === last) return;
    last = text;
    const change = { text, at: performance.timeOrigin + performance.now(), frame: NaN };
    changes.push(change);
    requestAnimationFrame(() => { change.frame = performance.timeOrigin + performance.now(); });
  }).observe(document.querySelector('.kpi-reserve .kpi-main'), { childList: true, subtree: true, characterData: true });
})()`;

interface StreamClient {
  readonly ids: number[];
  readonly at: number[];
  request: http.ClientRequest | undefined;
}

function follow(url: URL, token: string): Promise<StreamClient> {
  const client: StreamClient = { ids: [], at: [], request: undefined };
  return new Promise((resolve, reject) => {
    let carry = '';
    const request = http.get({
      host: url.hostname, port: url.port, path: `/v1/live?regionCode=${REGION}&token=${encodeURIComponent(token)}`, agent: false,
      headers: { accept: 'text/event-stream' },
    }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET /v1/live answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const at = now();
        const text = carry + chunk;
        const cut = text.lastIndexOf('\n');
        carry = text.slice(cut + 1);
        for (const line of text.slice(0, cut + 1).split('\n')) {
          if (!line.startsWith('id: ')) continue;
          client.ids.push(Number(line.slice(4)));
          client.at.push(at);
          if (client.ids.length === 1) resolve(client);
        }
      });
    });
    client.request = request;
    request.on('error', reject);
  });
}

/**
 * The crowd: CLIENTS streams in a child process, read and counted. It says 'ready' once all
 * have their first event, and on 'stop' answers how many events they received in all.
 */
async function crowd(url: string, token: string): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  const clients: StreamClient[] = [];
  for (let i = 0; i < CLIENTS; i += 100) {
    clients.push(...await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, () => follow(new URL(url), token))));
  }
  process.on('message', (message) => {
    if (message !== 'stop') return;
    const received = clients.reduce((sum, client) => sum + client.ids.length, 0);
    for (const client of clients) client.request?.destroy();
    process.send?.({ received }, () => process.exit(0));
  });
  process.send?.('ready');
}

function startCrowd(url: string, token: string): Promise<{ stop(): Promise<number> }> {
  const child = fork(fileURLToPath(import.meta.url), ['crowd', url, token], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the crowd exited with ${code}`)));
    child.once('message', (message) => {
      if (message !== 'ready') return;
      resolve({
        stop: () => new Promise((done) => {
          child.once('message', (answer) => done(typeof answer === 'object' && answer !== null ? Number(Reflect.get(answer, 'received')) : Number.NaN));
          child.send('stop');
        }),
      });
    });
  });
}

async function post(url: string, key: string, path: string, body: object): Promise<{ position: number }> {
  const answer = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: unknown = await answer.json();
  const position: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'position') : undefined;
  if (answer.status !== 201 || typeof position !== 'number') throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return { position };
}

async function reserveCount(url: string): Promise<number> {
  const answer = await fetch(`${url}/v1/stats/pipeline?regionCode=${REGION}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  const json: unknown = await answer.json();
  const reserve: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'reserve') : undefined;
  const count: unknown = typeof reserve === 'object' && reserve !== null ? Reflect.get(reserve, 'count') : undefined;
  if (typeof count !== 'number') throw new Error(`no reserve count: ${JSON.stringify(json).slice(0, 300)}`);
  return count;
}

async function token(url: string, key: string): Promise<string> {
  const answer = await fetch(`${url}/v1/live/tokens`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  const json: unknown = await answer.json();
  const value: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'token') : undefined;
  if (typeof value !== 'string') throw new Error(`no token: ${JSON.stringify(json)}`);
  return value;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function row(label: string, values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const cell = (v: number) => (Number.isNaN(v) ? '–' : `${v.toFixed(1)} ms`).padStart(10);
  return `${label.padEnd(50)}${cell(percentile(sorted, 50))}${cell(percentile(sorted, 90))}${cell(percentile(sorted, 99))}${cell(sorted.at(-1) ?? Number.NaN)}   n=${values.length}`;
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stderr.write('watchdog: the bench took too long\n');
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const loadBefore = machine();
  const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
  let server: ServerProcess | undefined;
  const browser = await launchChromium();
  try {
    process.stderr.write(`generating ${EVENTS} events and building the dashboard …\n`);
    const [filled, built] = await Promise.all([
      fillDemoStore({ dir: join(dir, 'data'), events: EVENTS, years: 2 }),
      buildDashboard({ outDir: join(dir, 'dashboard') }),
    ]);
    const port = await freePort();
    server = await startServerProcess({
      dataDir: join(dir, 'data'), port, logFile: join(dir, 'server.log'),
      env: { ADMIN_KEY, DASHBOARD_DIR: built.outDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', MAX_CONNECTIONS_PER_CLIENT: '0' },
    });
    const url = server.url;
    const dashboardKey = await issueKey(url, ADMIN_KEY, { name: 'bench 大屏', role: 'dashboard', regions: [CITY] });
    const bureauKey = await issueKey(url, ADMIN_KEY, { name: 'bench 兰考县招商局', role: 'bureau', regions: [REGION] });

    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${url}/dashboard?region=${REGION}#key=${dashboardKey.key}`);
    await page.waitForSelector('.live[data-live="open"]', { timeout: 60_000 });
    await page.waitForSelector('[data-figure="reserve.count"]', { timeout: 60_000 });

    process.stderr.write(`connecting ${CLIENTS} stream clients …\n`);
    const streamToken = await token(url, dashboardKey.key);
    const others = await startCrowd(url, streamToken);
    const bare = await follow(new URL(url), streamToken);
    await sleep(2_000);
    const before = await reserveCount(url);
    const shownBefore = await page.textContent('[data-figure="reserve.count"]');
    if (shownBefore !== formatCount(before)) throw new Error(`the page shows ${shownBefore}, the API ${before}`);

    // As a string: tsx would wrap named functions in a helper the page does not have.
    await page.evaluate(OBSERVE_RESERVE_COUNT);

    process.stderr.write(`${COMMANDS} commands at ${RATE}/s …\n`);
    const today = chinaDateOf(new Date());
    const commands: Array<{ sentAt: number; answeredAt: number; position: number }> = [];
    const started = now();
    await Promise.all(Array.from({ length: COMMANDS }, async (_, i) => {
      await sleep(Math.max(0, started + (i * 1000) / RATE - now()));
      const sentAt = now();
      const { position } = await post(url, bureauKey.key, '/v1/projects', {
        name: `兰考县压测项目${i}`, regionCode: REGION, industry: 'C', category: 'industrial', origin: 'local', plannedInvestment: 6_000, occurredOn: today,
      });
      commands.push({ sentAt, answeredAt: now(), position });
    }));
    const final = before + COMMANDS;
    await page.waitForFunction((want) => document.querySelector('[data-figure="reserve.count"]')?.textContent === want, formatCount(final), { timeout: 30_000 });
    await sleep(1_000);
    bare.request?.destroy();

    const changes = await page.evaluate(() => Reflect.get(window, 'benchChanges') as Array<{ text: string; at: number; frame: number }>);
    const shown = changes.map((change) => ({ count: Number(change.text.replaceAll(',', '')), at: change.at, frame: change.frame }));
    commands.sort((a, b) => a.position - b.position);
    const toPage: number[] = [];
    const toFrame: number[] = [];
    const toBare: number[] = [];
    const sentToPage: number[] = [];
    const sentToBare: number[] = [];
    commands.forEach((command, rank) => {
      const seen = shown.find((change) => change.count >= before + rank + 1);
      if (seen !== undefined) {
        toPage.push(seen.at - command.answeredAt);
        sentToPage.push(seen.at - command.sentAt);
        if (!Number.isNaN(seen.frame)) toFrame.push(seen.frame - command.answeredAt);
      }
      const index = bare.ids.findIndex((id) => id >= command.position);
      const at = index < 0 ? undefined : bare.at[index];
      if (at !== undefined) {
        toBare.push(at - command.answeredAt);
        sentToBare.push(at - command.sentAt);
      }
    });
    const answers = commands.map((c) => c.answeredAt - c.sentAt);
    const p99 = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 99);
    const crowdReceived = await others.stop();

    process.stdout.write([
      '',
      `dashboard live: 1 Chromium page + ${CLIENTS} stream clients on ${REGION}, ${COMMANDS} commands at ${RATE}/s; store of ${filled.events.toLocaleString('en-US')} generated events; AUTH on, stream tokens`,
      `before: ${loadBefore}`,
      `after:  ${machine()}`,
      '',
      `${''.padEnd(50)}${'p50'.padStart(10)}${'p90'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}`,
      row('command: send → answer', answers),
      row('answer → figure changed on the page (DOM)', toPage),
      row('answer → the next frame after it', toFrame),
      row('baseline: answer → SSE receipt, bare client', toBare),
      row('send → figure changed on the page (upper bound)', sentToPage),
      row('baseline: send → SSE receipt, bare client', sentToBare),
      '',
      `page ÷ bare client, p99: ${(p99(toPage) / p99(toBare)).toFixed(2)} (next frame: ${(p99(toFrame) / p99(toBare)).toFixed(2)}; from the send: ${(p99(sentToPage) / p99(sentToBare)).toFixed(2)}); the page changed ${changes.length} times for ${COMMANDS} commands`,
      `the other ${CLIENTS} streams received ${crowdReceived.toLocaleString('en-US')} events in all (${(crowdReceived / CLIENTS).toFixed(1)} each; the bare client ${bare.ids.length})`,
      pageErrors.length === 0 ? 'no page error' : `page errors: ${pageErrors.join('; ')}`,
      '',
    ].join('\n'));
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, crowdUrl, crowdToken] = process.argv.slice(2);
(role === 'crowd' && crowdUrl !== undefined && crowdToken !== undefined ? crowd(crowdUrl, crowdToken) : main()).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
