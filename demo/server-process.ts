/**
 * The server as `npm start` runs it (node --import tsx src/main.ts), started as a child
 * process on a data directory, for the demo, the browser test and the dashboard bench: ready
 * when GET /readyz answers 200; stopped with SIGTERM as an operator would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerProcessOptions {
  readonly dataDir: string;
  readonly port: number;
  /** More environment (ADMIN_KEY, LOG_LEVEL, …) over this process's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the server's log lines go; kept in memory (the last 200) when absent. */
  readonly logFile?: string;
  readonly readyTimeoutMs?: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** The last log lines (stdout and stderr), for a failure's message. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(options.port), DATA_DIR: options.dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let file: WriteStream | undefined;
  if (options.logFile !== undefined) file = createWriteStream(options.logFile, { flags: 'a' });
  const keep = (chunk: Buffer) => {
    file?.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') tail.push(line.slice(0, 500));
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((done) => child.once('exit', () => {
    exited = true;
    file?.end();
    done();
  }));

  const server: ServerProcess = {
    url,
    child,
    logTail: () => tail.slice(-30).join('\n'),
    stop: async (graceMs = 15_000) => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited) throw new Error(`the server exited before it was ready:\n${server.logTail()}`);
    try {
      const answer = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      if (answer.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the server was not ready within ${options.readyTimeoutMs ?? 120_000} ms:\n${server.logTail()}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

export interface IssuedKey {
  readonly id: string;
  readonly key: string;
}

/** Issues a key through POST /v1/keys with an admin key. */
export async function issueKey(url: string, adminKey: string, body: { readonly name: string; readonly role: string; readonly regions: readonly string[] }): Promise<IssuedKey> {
  const answer = await fetch(`${url}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json: unknown = await answer.json();
  const id: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'id') : undefined;
  const key: unknown = typeof json === 'object' && json !== null ? Reflect.get(json, 'key') : undefined;
  if (answer.status !== 201 || typeof id !== 'string' || typeof key !== 'string') {
    throw new Error(`POST /v1/keys answered ${answer.status}: ${JSON.stringify(json)}`);
  }
  return { id, key };
}
