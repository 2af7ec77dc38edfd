/**
 * The load generator of bench/commands.ts, in a process of its own so that its work is not the
 * server's: reads one job (JSON) from argv, prints one result (JSON) on stdout.
 * - closed: autocannon at `connections`, each sending its next request when the last is answered;
 * - open: requests sent on a fixed schedule at `rate`/s whatever the answers, each latency
 *   measured from when it was due (no coordinated omission), over keep-alive connections.
 * A command job posts FundsArrived (always accepted) to the given projects in turn.
 */
import { Agent, request } from 'node:http';

export interface Job {
  readonly mode: 'closed' | 'open';
  readonly port: number;
  readonly seconds: number;
  readonly connections: number;
  /** open: requests per second. */
  readonly rate?: number;
  /** Absent: GET / (hello world). */
  readonly commands?: { readonly key: string; readonly projects: readonly string[]; readonly occurredOn: string };
}

export interface Result {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Non-2xx answers by status (the open loop's; autocannon does not say). */
  readonly statuses?: Record<string, number>;
}

const job: Job = JSON.parse(process.argv[2] ?? '{}');
let turn = 0;
const nextPath = (): string => {
  const projects = job.commands?.projects ?? [];
  turn = (turn + 1) % Math.max(1, projects.length);
  return job.commands === undefined ? '/' : `/v1/projects/${projects[turn] ?? ''}/milestones`;
};
const body = job.commands === undefined ? undefined
  : JSON.stringify({ type: 'FundsArrived', occurredOn: job.commands.occurredOn, amount: 100, source: 'own', sourceRegion: 'in_city' });
const headers: Record<string, string> = job.commands === undefined ? {}
  : { authorization: `Bearer ${job.commands.key}`, 'content-type': 'application/json' };

const result = job.mode === 'closed' ? await closed() : await open();
process.stdout.write(`${JSON.stringify(result)}\n`);

/** The little of autocannon's API used here (bench/package.json: `cd bench && npm ci`). */
interface Autocannon {
  (options: {
    url: string; connections: number; duration: number;
    requests: Array<{ method: string; headers: Record<string, string>; body?: string; setupRequest: (req: { path?: string }) => { path?: string } }>;
  }): Promise<{ requests: { total: number }; latency: { p50: number; p99: number; max: number }; non2xx: number; errors: number }>;
}

async function loadAutocannon(): Promise<Autocannon> {
  const name = 'autocannon'; // by name: the product's type check does not need bench's packages installed
  const loaded: { default: Autocannon } = await import(name);
  return loaded.default;
}

async function closed(): Promise<Result> {
  const autocannon = await loadAutocannon();
  const run = await autocannon({
    url: `http://127.0.0.1:${job.port}`,
    connections: job.connections,
    duration: job.seconds,
    requests: [{
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body }),
      setupRequest: (req) => ({ ...req, path: nextPath() }),
    }],
  });
  return {
    requests: run.requests.total,
    perSecond: run.requests.total / job.seconds,
    p50: run.latency.p50,
    p99: run.latency.p99,
    max: run.latency.max,
    non2xx: run.non2xx,
    errors: run.errors,
  };
}

async function open(): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const rate = job.rate ?? 100;
  const total = Math.round(rate * job.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let sent = 0; sent < total;) {
    const due = (performance.now() - started) * rate / 1000;
    for (; sent < Math.min(total, Math.floor(due)); sent += 1) {
      const dueAt = started + (sent * 1000) / rate;
      pending.push(send(agent).then((status) => {
        latencies.push(performance.now() - dueAt);
        if (status < 200 || status >= 300) {
          non2xx += 1;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }, () => { errors += 1; }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), max: at(1), non2xx, errors, statuses };
}

function send(agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: job.port, agent, path: nextPath(), method: body === undefined ? 'GET' : 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
