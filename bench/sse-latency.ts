/**
 * GET /v1/live under load: append → SSE receipt latency with 1,000 dashboards connected,
 * beside a same-run baseline.
 *
 *   node --import tsx bench/sse-latency.ts
 *   (CLIENTS=1000 RATE=1000 SECONDS=10 WINDOW_MS=10 STORE=file|memory PROFILE_DIR=<dir>)
 *
 * Three processes, so that neither side's work skews the other's clock:
 * - the app (embedded store in a temp file with synchronous=NORMAL by default, or in memory;
 *   AUTH=off; read models, the log's tree and /v1/live as in service) listening on 127.0.0.1:0;
 * - the baseline: a bare node:http SSE server with the same fan-out discipline (one frame per
 *   region per window, leading and trailing, written with the same backpressure check, a
 *   payload of the app's size) but no store, no read model, no statistics;
 * - this process: the SSE clients (plain node:http, no keep-alive agent) and the commands,
 *   posted through HTTP at RATE a second (POST /v1/projects, round-robin over the regions).
 *   Latency = a client's receipt of the first event whose id ≥ the command's position − the
 *   time this process read the command's answer; both instants on this process's clock. The
 *   append happens between the command's send and its answer, so "send → receipt" is printed
 *   too, as an upper bound (it includes validating and deciding the command).
 * Loopback only; bounded in time (a watchdog ends everything); stops by itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chinaDateOf } from '../commands/shared/dates.js';

const CLIENTS = Number(process.env['CLIENTS'] ?? 1000);
const RATE = Number(process.env['RATE'] ?? 1000);
const SECONDS = Number(process.env['SECONDS'] ?? 10);
const WINDOW_MS = Number(process.env['WINDOW_MS'] ?? 10);
const STORE = process.env['STORE'] === 'memory' ? 'memory' : 'file';
const REGIONS = ['131121', '410225', '330326', '510904', '520502'];
const WATCHDOG_MS = (SECONDS + 90) * 1000;
const HOST = '127.0.0.1';

type Role = 'serve-app' | 'serve-bare';
interface Ready { readonly port: number }
interface ServerReport { readonly closeMs: number; readonly cpuMs: number; readonly wallMs: number; readonly loopP99Ms: number; readonly rssMb: number }

// ---------------------------------------------------------------- servers (child processes)

async function serveApp(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { openEmbeddedStore } = await import('../src/event-store/embedded/sqlite-store.js');
  const { buildApp } = await import('../src/http/app.js');
  const { LogTree } = await import('../src/log-tree/log-tree.js');
  const { generateSigner } = await import('../src/log-tree/signed-note.js');
  const { openSnapshotStore } = await import('../projections/runner/snapshot-store.js');
  const dir = mkdtempSync(join(tmpdir(), 'bench-sse-'));
  const store = openEmbeddedStore(STORE === 'memory' ? { path: ':memory:' } : { path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  // Every client of the bench comes from one address: no cap on connections per client.
  const config = loadConfig({ AUTH: 'off', RATE_LIMIT_PER_MINUTE: '100000000', LOG_LEVEL: 'silent', MAX_CONNECTIONS_PER_CLIENT: '0' });
  // With the file store, wired as src/main.ts wires it: the log's tree in a file kept by its
  // worker thread (reading the events file), snapshots and the statistics' history in files.
  const files = STORE === 'file'
    ? {
      logTree: new LogTree({ store, path: join(dir, 'log-tree.db'), origin: config.LOG_ORIGIN, signers: [generateSigner(config.LOG_ORIGIN)], eventsPath: join(dir, 'events.db') }),
      snapshots: openSnapshotStore(join(dir, 'read-models.db')),
      statisticsHistoryPath: join(dir, 'statistics-history.db'),
    }
    : {};
  const app = await buildApp({ store, config, live: { windowMs: WINDOW_MS }, ...files });
  await app.listen({ port: 0, host: HOST });
  await serveUntilStopped(app.server, async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

async function serveBare(): Promise<void> {
  const payload = JSON.stringify({ filler: 'x'.repeat(Number(process.env['PAYLOAD_BYTES'] ?? 3000)) });
  const regions = new Map<string, { clients: Set<http.ServerResponse>; window: NodeJS.Timeout | undefined; dirty: boolean }>();
  let position = 0;
  const send = (code: string) => {
    const region = regions.get(code);
    if (region === undefined) return;
    region.dirty = false;
    const frame = Buffer.from(`event: pipeline\nid: ${position}\ndata: ${payload}\n\n`);
    for (const client of region.clients) if (client.writableLength < 1024 * 1024) client.write(frame);
    region.window = setTimeout(() => {
      region.window = undefined;
      if (region.dirty) send(code);
    }, WINDOW_MS);
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${HOST}`);
    const code = url.searchParams.get('regionCode') ?? '';
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close' });
      let region = regions.get(code);
      if (region === undefined) {
        region = { clients: new Set(), window: undefined, dirty: false };
        regions.set(code, region);
      }
      region.clients.add(response);
      response.write(`retry: 3000\n\nevent: pipeline\nid: ${position}\ndata: ${payload}\n\n`);
      response.on('close', () => region?.clients.delete(response));
      return;
    }
    request.resume();
    request.on('end', () => {
      position += 1;
      response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ position }));
      const region = regions.get(code);
      if (region === undefined) return;
      region.dirty = true;
      if (region.window === undefined) send(code);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  await serveUntilStopped(server, async () => {
    for (const region of regions.values()) {
      clearTimeout(region.window);
      for (const client of region.clients) client.end();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/** Tells the parent the port; on 'stop', closes gracefully and reports what it cost. */
async function serveUntilStopped(server: http.Server, close: () => Promise<void>): Promise<void> {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let cpu = process.cpuUsage();
  let started = performance.now();
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message) => {
    if (message === 'start') {
      // The measured phase begins: connecting and warming up are not counted.
      loop.enable();
      cpu = process.cpuUsage();
      started = performance.now();
    } else if (message === 'stop') {
      void (async () => {
        loop.disable();
        const used = process.cpuUsage(cpu);
        const wallMs = performance.now() - started;
        const closing = performance.now();
        await close();
        const report: ServerReport = {
          closeMs: performance.now() - closing,
          cpuMs: (used.user + used.system) / 1000,
          wallMs,
          loopP99Ms: loop.percentile(99) / 1e6,
          rssMb: process.memoryUsage().rss / 2 ** 20,
        };
        process.send?.(report, () => process.exit(0));
      })();
    }
  });
  process.send?.({ port: address.port } satisfies Ready);
}

// ---------------------------------------------------------------- clients (this process)

interface Receipts {
  readonly region: string;
  readonly ids: number[];
  readonly at: number[];
  bytes: number;
  ended: boolean;
  request: http.ClientRequest | undefined;
}

const sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function connect(port: number, region: string): Promise<Receipts> {
  const receipts: Receipts = { region, ids: [], at: [], bytes: 0, ended: false, request: undefined };
  return new Promise((resolve, reject) => {
    let carry = Buffer.alloc(0);
    const request = http.get({ host: HOST, port, path: `/v1/live?regionCode=${region}`, agent: sseAgent }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET /v1/live answered ${response.statusCode}`));
        return;
      }
      // The bytes are scanned for `id:` lines without decoding the frames: 1,000 clients
      // decoding and splitting every frame took most of a core, which the servers measured
      // need too (two cores in all).
      response.on('data', (chunk: Buffer) => {
        const now = performance.now();
        receipts.bytes += chunk.length;
        const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
        const end = bytes.lastIndexOf(NEWLINE) + 1;
        carry = Buffer.from(bytes.subarray(end));
        for (let at = idLineAt(bytes, 0, end); at >= 0; at = idLineAt(bytes, at, end)) {
          const close = bytes.indexOf(NEWLINE, at);
          receipts.ids.push(Number(bytes.toString('latin1', at + ID_LINE.length, close)));
          receipts.at.push(now);
          if (receipts.ids.length === 1) resolve(receipts);
          at = close;
        }
      });
      response.on('end', () => { receipts.ended = true; });
      response.on('error', () => { receipts.ended = true; });
    });
    receipts.request = request;
    request.on('error', reject);
  });
}

const NEWLINE = 0x0a;
const ID_LINE = Buffer.from('id: ');

/** The start of the next line beginning `id: ` in bytes[from, end), or -1. */
function idLineAt(bytes: Buffer, from: number, end: number): number {
  for (let at = bytes.indexOf(ID_LINE, from); at >= 0 && at < end; at = bytes.indexOf(ID_LINE, at + 1)) {
    if (at === 0 || bytes[at - 1] === NEWLINE) return at;
  }
  return -1;
}

async function connectAll(port: number): Promise<Receipts[]> {
  const clients: Receipts[] = [];
  for (let i = 0; i < CLIENTS; i += 100) {
    const batch = Array.from({ length: Math.min(100, CLIENTS - i) }, (_, j) => connect(port, REGIONS[(i + j) % REGIONS.length] ?? '131121'));
    clients.push(...await Promise.all(batch));
  }
  return clients;
}

interface Command { readonly region: string; readonly sentAt: number; answeredAt: number; position: number }

const commandAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, path: string, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: HOST, port, path, method: 'POST', agent: commandAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as unknown }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Posts commands at RATE a second for `seconds`, round-robin over the regions. */
async function drive(port: number, kind: Role, seconds: number, label: string): Promise<Command[]> {
  const commands: Command[] = [];
  const inFlight: Array<Promise<void>> = [];
  const today = chinaDateOf(new Date());
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    for (; sent < due; sent++) {
      const region = REGIONS[sent % REGIONS.length] ?? '131121';
      const command: Command = { region, sentAt: performance.now(), answeredAt: 0, position: 0 };
      commands.push(command);
      const [path, body] = kind === 'serve-app'
        ? ['/v1/projects', JSON.stringify({
          projectId: `${label.replace(/[^A-Za-z0-9_-]/g, "")}-${sent}`, name: `压测项目 ${sent}`, regionCode: region, industry: 'C', category: 'industrial',
          origin: 'local', plannedInvestment: 1000 + (sent % 500), occurredOn: today,
        })]
        : [`/push?regionCode=${region}`, '{}'];
      inFlight.push(post(port, path, body).then(({ status, json }) => {
        command.answeredAt = performance.now();
        const position = typeof json === 'object' && json !== null ? Reflect.get(json, 'position') : undefined;
        if (status >= 300 || typeof position !== 'number') throw new Error(`${path} answered ${status}: ${JSON.stringify(json)}`);
        command.position = position;
      }));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  return commands;
}

// ---------------------------------------------------------------- one run, and the figures

interface RunFigures {
  readonly name: string;
  readonly commands: number;
  readonly achievedRate: number;
  readonly answerP50: number;
  readonly answerP99: number;
  readonly samples: number;
  readonly missed: number;
  readonly beforeAnswer: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly sendP50: number;
  readonly sendP99: number;
  readonly eventsPerClientPerSecond: number;
  readonly frameBytes: number;
  readonly connectMs: number;
  readonly server: ServerReport;
  /** This process's CPU over the measured phase's wall time. */
  readonly clientCpuShare?: number;
  readonly allEnded: boolean;
}

function startServer(role: Role, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  // PROFILE_DIR=<dir>: each server writes a V8 CPU profile there (read it with bench/history/profile-summary.ts).
  const profile = process.env['PROFILE_DIR'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(process.env['PROFILE_DIR'], role)}`];
  const child = fork(fileURLToPath(import.meta.url), [role], {
    env: { ...process.env, ...env }, execArgv: [...process.execArgv, ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message: Ready) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

function stopServer(child: ChildProcess): Promise<ServerReport> {
  return new Promise((resolve) => {
    child.once('message', (report: ServerReport) => resolve(report));
    child.send('stop');
  });
}

async function run(role: Role, name: string, env: Record<string, string> = {}): Promise<RunFigures> {
  const { child, port } = await startServer(role, env);
  const connecting = performance.now();
  const clients = await connectAll(port);
  const connectMs = performance.now() - connecting;
  const frameBytes = clients[0]?.bytes ?? 0;
  await drive(port, role, 1, `${name}-warm`); // warm-up, not measured
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.send('start');
  const firstReceipt = clients.map((c) => c.ids.length);
  const measuring = performance.now();
  const clientCpu = process.cpuUsage();
  const commands = await drive(port, role, SECONDS, name);
  const elapsed = (performance.now() - measuring) / 1000;
  const clientCpuUsed = process.cpuUsage(clientCpu);
  const clientCpuShare = (clientCpuUsed.user + clientCpuUsed.system) / 1000 / (elapsed * 1000);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 5 + 500));
  const server = await stopServer(child);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { ...figures(name, commands, clients, firstReceipt, elapsed, frameBytes, connectMs, server), clientCpuShare };
}

function figures(
  name: string, commands: readonly Command[], clients: readonly Receipts[], firstReceipt: readonly number[],
  elapsed: number, frameBytes: number, connectMs: number, server: ServerReport,
): RunFigures {
  const byRegion = new Map<string, Receipts[]>();
  for (const client of clients) byRegion.set(client.region, [...(byRegion.get(client.region) ?? []), client]);
  const latencies = new Float64Array(commands.length * Math.ceil(clients.length / REGIONS.length) + clients.length);
  const fromSend = new Float64Array(latencies.length);
  let n = 0;
  let missed = 0;
  let beforeAnswer = 0;
  for (const command of commands) {
    for (const client of byRegion.get(command.region) ?? []) {
      const i = firstAtLeast(client.ids, command.position);
      const at = client.at[i];
      if (at === undefined) {
        missed += 1;
        continue;
      }
      const latency = at - command.answeredAt;
      if (latency < 0) beforeAnswer += 1;
      fromSend[n] = at - command.sentAt;
      latencies[n++] = latency;
    }
  }
  const sorted = latencies.subarray(0, n).sort();
  const sortedFromSend = fromSend.subarray(0, n).sort();
  const answers = Float64Array.from(commands.map((c) => c.answeredAt - c.sentAt)).sort();
  const events = clients.reduce((sum, c, i) => sum + c.ids.length - (firstReceipt[i] ?? 0), 0);
  return {
    name,
    commands: commands.length,
    achievedRate: commands.length / elapsed,
    answerP50: quantile(answers, 0.5),
    answerP99: quantile(answers, 0.99),
    samples: n,
    missed,
    beforeAnswer,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[n - 1] ?? Number.NaN,
    sendP50: quantile(sortedFromSend, 0.5),
    sendP99: quantile(sortedFromSend, 0.99),
    eventsPerClientPerSecond: events / clients.length / elapsed,
    frameBytes,
    connectMs,
    server,
    allEnded: clients.every((c) => c.ended),
  };
}

function firstAtLeast(ids: readonly number[], position: number): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] ?? 0) < position) low = mid + 1;
    else high = mid;
  }
  return low;
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function print(rows: readonly RunFigures[]): void {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const line = (label: string, value: (row: RunFigures) => string) => console.log(`${label.padEnd(44)}${rows.map((r) => value(r).padStart(22)).join('')}`);
  console.log(`\n${CLIENTS} SSE clients over ${REGIONS.length} regions, ${RATE} commands/s for ${SECONDS} s over HTTP, window ${WINDOW_MS} ms, store: ${STORE}\n`);
  line('', (r) => r.name);
  line('commands posted', (r) => String(r.commands));
  line('achieved rate', (r) => `${r.achievedRate.toFixed(0)} /s`);
  line('command answer p50 / p99 (send → answer)', (r) => `${ms(r.answerP50)} / ${ms(r.answerP99)}`);
  line('latency samples (command × client)', (r) => String(r.samples));
  line('answer → SSE receipt p50', (r) => ms(r.p50));
  line('answer → SSE receipt p90', (r) => ms(r.p90));
  line('answer → SSE receipt p99', (r) => ms(r.p99));
  line('answer → SSE receipt max', (r) => ms(r.max));
  // The append happens between the send and the answer: these bound its latency from above.
  line('send → SSE receipt p50 (upper bound)', (r) => ms(r.sendP50));
  line('send → SSE receipt p99 (upper bound)', (r) => ms(r.sendP99));
  line('received before the answer', (r) => `${((100 * r.beforeAnswer) / Math.max(1, r.samples)).toFixed(1)} %`);
  line('never received (id ≥ position)', (r) => String(r.missed));
  line('events per client per second', (r) => r.eventsPerClientPerSecond.toFixed(1));
  line('first frame bytes', (r) => String(r.frameBytes));
  line(`connect ${CLIENTS} clients`, (r) => ms(r.connectMs));
  line('server CPU / wall (measured phase)', (r) => `${((100 * r.server.cpuMs) / r.server.wallMs).toFixed(0)} %`);
  // What the machine's load moves least: the server's CPU (all its threads) per command.
  line('server CPU per command', (r) => `${(r.server.cpuMs / r.commands).toFixed(3)} ms`);
  // The clients and commands run in this process: near 100 %, the bench itself is the limit.
  line('bench process CPU / wall (clients, commands)', (r) => `${(100 * (r.clientCpuShare ?? Number.NaN)).toFixed(0)} %`);
  line('server event-loop delay p99', (r) => ms(r.server.loopP99Ms));
  line('server RSS', (r) => `${r.server.rssMb.toFixed(0)} MB`);
  line(`graceful close with ${CLIENTS} clients`, (r) => ms(r.server.closeMs));
  line('every stream ended by the close', (r) => (r.allEnded ? 'yes' : 'NO'));
}

const children = new Set<ChildProcess>();

async function main(): Promise<void> {
  const role = process.argv[2];
  if (role === 'serve-app') return serveApp();
  if (role === 'serve-bare') return serveBare();
  const watchdog = setTimeout(() => {
    console.error(`the bench did not finish within ${WATCHDOG_MS / 1000} s: stopping`);
    for (const child of children) child.kill();
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  const app = await run('serve-app', 'app /v1/live');
  const bare = await run('serve-bare', 'bare node:http SSE', { PAYLOAD_BYTES: String(Math.max(0, app.frameBytes - 60)) });
  print([app, bare]);
  sseAgent.destroy();
  commandAgent.destroy();
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) child.kill();
  process.exit(1);
});
