/**
 * A server (or baseline) started as a child process, watched from outside as an operator
 * would: the time from spawn to the first 200 of GET /readyz on loopback, its resident memory
 * then (and at its peak), the timeline of its JSON log lines, and how long it takes to stop
 * on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { sleep } from './measure.js';

export interface ReadyRun {
  /** Spawn to the first 200, ms; undefined when it never got there. */
  readonly readyMs: number | undefined;
  readonly rssMiB: number | undefined;
  readonly peakRssMiB: number | undefined;
  /** Log lines (pino `msg`) with their time after spawn, ms. */
  readonly timeline: readonly { readonly ms: number; readonly msg: string; readonly detail: string }[];
  /** Why it did not become ready: the last /readyz answer, the exit, or the timeout. */
  readonly failure?: string;
  /** SIGTERM to exit, ms; undefined when it had to be killed. */
  readonly stopMs: number | undefined;
  /** Spawn to an exit of its own (a crash), ms. */
  readonly exitedMs?: number;
  /** The first lines of stderr (a fatal error's message) and its last ones. */
  readonly stderrHead: string;
  readonly stderrTail: string;
  /** The last log lines (stdout) as written. */
  readonly logTail: readonly string[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function getReadyz(port: number): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', method: 'GET', timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function memoryMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  readonly timeoutMs: number;
  /** Polling interval of /readyz. */
  readonly everyMs?: number;
}

/** Starts the child, waits for /readyz 200 (or exit, or the timeout), then stops it with SIGTERM. */
export async function startUntilReady(options: StartOptions): Promise<ReadyRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...options.args], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const epoch = Date.now();
  const timeline: { ms: number; msg: string; detail: string }[] = [];
  const logTail: string[] = [];
  let stderr = '';
  let stderrHead = '';
  let exited: string | undefined;
  let exitedMs: number | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${code ?? signal ?? 'nothing'}`;
    exitedMs = performance.now() - t0;
  });
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      timeline.push(logEntry(line, epoch, performance.now() - t0));
      logTail.push(line.slice(0, 600));
      if (logTail.length > 40) logTail.shift();
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderrHead.length < 1_000) stderrHead = (stderrHead + chunk).slice(0, 1_000);
    stderr = (stderr + chunk).slice(-4_000);
  });

  let readyMs: number | undefined;
  let rssMiB: number | undefined;
  let last = 'no answer yet';
  const deadline = t0 + options.timeoutMs;
  while (performance.now() < deadline && exited === undefined) {
    const answer = await getReadyz(options.port);
    if (answer?.status === 200) {
      readyMs = performance.now() - t0;
      rssMiB = memoryMiB(child.pid, 'VmRSS');
      break;
    }
    if (answer) last = `${answer.status} ${answer.body.slice(0, 300)}`;
    await sleep(options.everyMs ?? 50);
  }
  const peakRssMiB = memoryMiB(child.pid, 'VmHWM');
  const failure = readyMs !== undefined ? undefined
    : exited !== undefined ? `${exited} ${((exitedMs ?? 0) / 1000).toFixed(1)} s after spawn, before it was ready; last /readyz: ${last}`
      : `not ready after ${(options.timeoutMs / 1000).toFixed(0)} s; last /readyz: ${last}`;
  const stopMs = await stop(child, 60_000);
  const fatal = `${stderrHead}\n${stderr}`.split('\n').find((line) => /FATAL|Error:/.test(line))?.trim();
  const why = failure === undefined || fatal === undefined ? failure : `${failure}; ${fatal}`;
  return {
    readyMs, rssMiB, peakRssMiB, timeline, ...(why === undefined ? {} : { failure: why }), stopMs,
    ...(exitedMs === undefined || readyMs !== undefined ? {} : { exitedMs }), stderrHead, stderrTail: stderr.slice(-1_500), logTail,
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; the time to exit, or undefined if it had to be killed. */
async function stop(child: ChildProcess, graceMs: number): Promise<number | undefined> {
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const t0 = performance.now();
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), graceMs); });
  const done = await Promise.race([exit.then(() => true), grace]);
  clearTimeout(timer);
  if (done) return performance.now() - t0;
  child.kill('SIGKILL');
  await exit;
  return undefined;
}

function logEntry(line: string, epoch: number, receivedMs: number): { ms: number; msg: string; detail: string } {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null) {
      const time: unknown = Reflect.get(parsed, 'time');
      const msg: unknown = Reflect.get(parsed, 'msg');
      const projection: unknown = Reflect.get(parsed, 'projection');
      return {
        ms: typeof time === 'number' ? time - epoch : receivedMs,
        msg: typeof msg === 'string' ? msg : line.slice(0, 80),
        detail: typeof projection === 'string' ? projection : '',
      };
    }
  } catch {
    // not a JSON line
  }
  return { ms: receivedMs, msg: line.slice(0, 120), detail: '' };
}

export interface RunningServer {
  readonly port: number;
  /** Spawn to the first 200 of /readyz, ms. */
  readonly readyMs: number;
  stop(): void;
}

/**
 * The server as `npm start` runs it on DATA_DIR (embedded store, AUTH=off, warnings only on
 * stderr), left running once /readyz answers 200; throws if it exits or is not ready in time.
 */
export async function startServer(dataDir: string, timeoutMs: number): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', DATA_DIR: dataDir, AUTH: 'off', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = performance.now();
  const stop = () => { child.kill('SIGTERM'); };
  try {
    while ((await getReadyz(port))?.status !== 200) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      if (performance.now() - started > timeoutMs) throw new Error(`not ready after ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { port, readyMs: performance.now() - started, stop };
}
