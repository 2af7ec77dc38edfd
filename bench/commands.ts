/**
 * Durable single-event commands over HTTP beside bare fastify, in one run (issue 10, item 12):
 *   (cd bench && npm ci) && node --import tsx bench/commands.ts [--seconds 10] [--rounds 3] [--projects 1000]
 *     [--against /work/main] [--profile <dir>]
 *
 * Three processes besides this one: the server as `npm start` runs it (embedded store,
 * STORE_SYNCHRONOUS=FULL, authentication on, request logging on at LOG_LEVEL=info into a file),
 * bare fastify answering a hello world (bench/load/hello-server.ts), and the load generator
 * (bench/load/generator.ts: autocannon at 64 connections). Each command is a bureau key's
 * FundsArrived on one of `--projects` projects in turn: authentication, validation, the
 * project's stream read and decided on, one event appended and fsynced, the answer.
 *
 * Rounds alternate hello and commands (the machine is shared: alternating spreads its noise
 * over both); the ratio is the median of the rounds'. Then an open-loop run at half the
 * median command rate, its latency measured from when each request was due. `--against <checkout>`
 * runs that checkout's server too, in the same rounds (a before/after on the same noise);
 * `--profile <dir>` has the server write a V8 CPU profile there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, http, waitReady, type ServerProcess } from '../test/support/server-process.js';
import type { Job, Result } from './load/generator.js';

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' }, projects: { type: 'string', default: '1000' },
  connections: { type: 'string', default: '64' },
  // A directory: the server writes a V8 CPU profile of the whole run there (node --cpu-prof).
  profile: { type: 'string' },
  // Another checkout (e.g. /work/main): its server too, in the same rounds, as a before/after.
  against: { type: 'string' },
} });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const PROJECTS = Number(values.projects);
const CONNECTIONS = Number(values.connections);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ADMIN = 'bench-admin-secret-0123456789-abcdef';

function child(args: string[], env: Record<string, string>, stdout: 'pipe' | number, flags: string[] = [], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [...flags, '--import', 'tsx', ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'pipe'] });
}

async function startServer(dataDir: string, root = ROOT): Promise<ServerProcess & { child: ChildProcess }> {
  const port = await freePort();
  const log = openSync(join(dataDir, 'server.log'), 'a');
  const server = child(['src/main.ts'], {
    PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_KEY: ADMIN, STORE_SYNCHRONOUS: 'FULL', LOG_LEVEL: 'info',
    // One load generator stands in for many bureaus: neither its key's rate nor its address's
    // connections are what is measured.
    RATE_LIMIT_PER_MINUTE: '100000000', MAX_CONNECTIONS_PER_CLIENT: '0',
  }, log, values.profile === undefined || root !== ROOT ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`], root);
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | string>((resolve) => server.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const process_: ServerProcess = { port, child: server, stderr: () => stderr, exited, kill: (signal = 'SIGTERM') => { server.kill(signal); return exited; } };
  await waitReady(process_);
  return process_;
}

async function startHello(): Promise<{ port: number; pid: number | undefined; stop: () => void }> {
  const port = await freePort();
  const hello = child(['bench/load/hello-server.ts', String(port)], {}, 'pipe');
  await new Promise<void>((resolve, reject) => {
    hello.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve(); });
    hello.once('exit', () => reject(new Error('the hello server exited')));
  });
  return { port, pid: hello.pid, stop: () => hello.kill() };
}

async function load(job: Job): Promise<Result> {
  const generator = child(['bench/load/generator.ts', JSON.stringify(job)], {}, 'pipe');
  let out = '';
  let err = '';
  generator.stdout?.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  generator.stderr?.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => generator.once('exit', resolve));
  if (code !== 0) throw new Error(`the load generator failed (${String(code)}): ${err}`);
  const result: Result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
  return result;
}

async function seed(port: number): Promise<{ key: string; projects: string[] }> {
  const admin = { authorization: `Bearer ${ADMIN}` };
  const issued = await http(port, 'POST', '/v1/keys', { headers: admin, body: { name: 'bench bureau', role: 'bureau', regions: ['131121'] } });
  if (issued.status !== 201) throw new Error(`issuing a key: ${issued.status} ${issued.body}`);
  const key = String((issued.json() as { key: string }).key);
  const projects = Array.from({ length: PROJECTS }, (_, i) => `BENCH-${i}`);
  for (let i = 0; i < projects.length; i += 50) {
    await Promise.all(projects.slice(i, i + 50).map(async (projectId) => {
      const answer = await http(port, 'POST', '/v1/projects', { headers: { authorization: `Bearer ${key}` }, body: {
        projectId, name: `压测项目 ${projectId}`, regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 1000, occurredOn: '2025-01-06',
      } });
      if (answer.status !== 201) throw new Error(`registering ${projectId}: ${answer.status} ${answer.body}`);
    }));
  }
  return { key, projects };
}

/**
 * CPU seconds a process has used (user + system, all its threads; Linux /proc): per request,
 * a figure the machine's other load moves much less than requests per second.
 */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** A closed-loop run, with the CPU the server spent per request. */
async function measured(job: Job, pid: number | undefined): Promise<Result & { cpuMs: number }> {
  const before = cpuSeconds(pid);
  const result = await load(job);
  return { ...result, cpuMs: ((cpuSeconds(pid) - before) * 1000) / Math.max(1, result.requests) };
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const line = (what: string, r: Result & { cpuMs?: number }): string =>
  `${what.padEnd(30)} ${r.perSecond.toFixed(0).padStart(7)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(0).padStart(5)} ms  non-2xx ${r.non2xx}${r.statuses === undefined || r.non2xx === 0 ? '' : ` ${JSON.stringify(r.statuses)}`}  errors ${r.errors}`
  + (r.cpuMs === undefined ? '' : `  server CPU ${r.cpuMs.toFixed(3)} ms/request`);

const dataDir = mkdtempSync(join(tmpdir(), 'bench-commands-'));
const load1 = loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`commands over HTTP vs bare fastify: ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds, ${PROJECTS} projects (${new Date().toISOString()}, node ${process.version}, load ${load1})`);
const server = await startServer(dataDir);
const otherDir = values.against === undefined ? undefined : mkdtempSync(join(tmpdir(), 'bench-commands-against-'));
const other = values.against === undefined || otherDir === undefined ? undefined : await startServer(otherDir, values.against);
const hello = await startHello();
try {
  const { key, projects } = await seed(server.port);
  const theirs = other === undefined ? undefined : await seed(other.port);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const commands = { key, projects, occurredOn: yesterday };
  const againstCommands = theirs === undefined ? undefined : { ...theirs, occurredOn: yesterday };
  // Warm them up (JIT, the store's caches), unmeasured.
  await load({ mode: 'closed', port: hello.port, seconds: 2, connections: CONNECTIONS });
  await load({ mode: 'closed', port: server.port, seconds: 2, connections: CONNECTIONS, commands });
  if (other !== undefined && againstCommands !== undefined) await load({ mode: 'closed', port: other.port, seconds: 2, connections: CONNECTIONS, commands: againstCommands });
  const ratios: number[] = [];
  const againstRatios: number[] = [];
  const cpuRatios: number[] = [];
  const againstCpuRatios: number[] = [];
  const commandRates: number[] = [];
  const p99s: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const bare = await measured({ mode: 'closed', port: hello.port, seconds: SECONDS, connections: CONNECTIONS }, hello.pid);
    console.log(line(`round ${round} bare fastify`, bare));
    const ours = await measured({ mode: 'closed', port: server.port, seconds: SECONDS, connections: CONNECTIONS, commands }, server.child.pid);
    cpuRatios.push(bare.cpuMs / ours.cpuMs);
    console.log(line(`round ${round} commands`, ours));
    ratios.push(ours.perSecond / bare.perSecond);
    commandRates.push(ours.perSecond);
    p99s.push(ours.p99);
    if (other !== undefined && againstCommands !== undefined) {
      const before = await measured({ mode: 'closed', port: other.port, seconds: SECONDS, connections: CONNECTIONS, commands: againstCommands }, other.child.pid);
      againstCpuRatios.push(bare.cpuMs / before.cpuMs);
      console.log(line(`round ${round} commands (against)`, before));
      againstRatios.push(before.perSecond / bare.perSecond);
    }
  }
  const rate = median(commandRates);
  console.log(`median: ${rate.toFixed(0)} commands/s = ${(median(ratios) * 100).toFixed(1)} % of bare fastify (rounds: ${ratios.map((r) => `${(r * 100).toFixed(1)} %`).join(', ')}), command p99 median ${median(p99s).toFixed(1)} ms; by server CPU per request ${(median(cpuRatios) * 100).toFixed(1)} % of bare fastify`);
  if (againstRatios.length > 0) console.log(`against ${String(values.against)}: ${(median(againstRatios) * 100).toFixed(1)} % of bare fastify (rounds: ${againstRatios.map((r) => `${(r * 100).toFixed(1)} %`).join(', ')}); by server CPU per request ${(median(againstCpuRatios) * 100).toFixed(1)} %`);
  const half = Math.round(rate / 2);
  const open = await load({ mode: 'open', port: server.port, seconds: SECONDS, connections: 256, rate: half, commands });
  console.log(line(`open loop at ${half}/s`, open));
  console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  hello.stop();
  await server.kill('SIGTERM');
  await other?.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  if (otherDir !== undefined) rmSync(otherDir, { recursive: true, force: true });
}
