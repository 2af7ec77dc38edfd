/**
 * Crash cycles: the server as a child process under concurrent commands, SIGKILLed at a random
 * moment, restarted on the same DATA_DIR, and checked from outside as its users would:
 *
 * - every command that was answered 201 is in its project's history, at its place;
 * - every stream's hash chain is intact (/v1/audit/verify);
 * - a request in flight when the server died, retried with its Idempotency-Key after the
 *   restart, is answered promptly (not after the claim's in-flight window), and at most once;
 * - at the end, the read models the restarted server serves equal a rebuild from the log
 *   (the same server started again without its read-model file).
 *
 * test/crash/crash.test.ts runs a few cycles in CI; bench/crash.ts runs 20.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { http, spawnServer, waitReady, type HttpAnswer, type ServerProcess } from '../support/server-process.js';

export const ADMIN_KEY = 'crash-test-admin-key-0123456789abcdefghij';
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

const registration = (projectId: string) => ({
  projectId, name: '枣强县复合材料产业园', regionCode: '131121', industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 52000.5, occurredOn: '2025-01-06',
});

/** A project's commands in an order the rules accept, each appending one event. */
const lifecycle = [
  { type: 'NegotiationOpened', occurredOn: '2025-01-20', investor: '河北某新材料公司', investorOrigin: 'out_of_city', expectedInvestment: 50000 },
  { type: 'ProjectSigned', occurredOn: '2025-02-18', agreementType: 'formal', contractInvestment: 55000, investor: '河北某新材料公司', investorOrigin: 'out_of_city' },
  { type: 'ProjectApproved', occurredOn: '2025-03-03', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 56000.25 },
  { type: 'LandAcquired', occurredOn: '2025-03-20', method: 'transfer', parcelNo: 'ZQ2025-07', areaMu: 120.5, agreedStartBy: '2025-06-30' },
  { type: 'Started', occurredOn: '2025-04-08' },
  { type: 'StatisticsEntered', occurredOn: '2025-04-25', month: '2025-04', plannedInvestment: 56000.25 },
  { type: 'InvestmentReported', occurredOn: '2025-04-30', period: '2025-04', amount: 3200.1 },
  { type: 'InvestmentReported', occurredOn: '2025-05-31', period: '2025-05', amount: 4100 },
  { type: 'FundsArrived', occurredOn: '2025-06-10', amount: 8000, source: 'own', sourceRegion: 'out_of_city' },
  { type: 'Completed', occurredOn: '2025-09-28' },
];

interface Request {
  readonly path: string;
  readonly body: unknown;
  readonly idempotencyKey: string;
  readonly projectId: string;
  /** The revision the command's event has once appended. */
  readonly revision: number;
  readonly type: string;
}

export interface CycleReport {
  readonly acknowledged: number;
  readonly inFlightAtKill: number;
  /** Acknowledged commands missing from history after the restart (must be 0). */
  readonly lost: string[];
  readonly brokenChains: unknown[];
  /** The requests in flight at the kill, each retried with its Idempotency-Key after the restart. */
  readonly retried: Retry[];
}

export interface Retry {
  readonly ms: number;
  readonly status: number;
  readonly code?: string;
  /** Its event is in the history more often than the command appends it. */
  readonly duplicated: boolean;
}

export interface CrashRunOptions {
  readonly dataDir: string;
  readonly cycles: number;
  readonly clients: number;
  /** Random kill moment after the load starts, ms. */
  readonly killAfterMs: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface CrashRunReport {
  readonly cycles: CycleReport[];
  /** Ledger and statistics as served after the last restart, and after a rebuild: equal? */
  readonly readModelsEqual: boolean;
  readonly readModelsDiff?: string;
}

function serverEnv(dataDir: string): Record<string, string> {
  return { DATA_DIR: dataDir, ADMIN_KEY, STORE_SYNCHRONOUS: 'FULL', RATE_LIMIT_PER_MINUTE: '10000000' };
}

export async function runCrashCycles(options: CrashRunOptions): Promise<CrashRunReport> {
  const log = options.log ?? (() => undefined);
  const cycles: CycleReport[] = [];
  let server: ServerProcess | undefined;
  try {
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      server = await spawnServer(serverEnv(options.dataDir));
      await waitReady(server, 120_000);
      const acknowledged: Request[] = [];
      const inFlight = new Map<string, Request>();
      let stop = false;
      const client = async (n: number): Promise<void> => {
        for (let project = 0; !stop; project++) {
          const projectId = `ZQ-C${cycle}-${String(n).padStart(2, '0')}${String(project).padStart(3, '0')}`;
          const requests: Request[] = [
            { path: '/v1/projects', body: registration(projectId), idempotencyKey: randomUUID(), projectId, revision: 0, type: 'ProjectRegistered' },
            ...lifecycle.map((milestone, i) => ({
              path: `/v1/projects/${projectId}/milestones`, body: milestone, idempotencyKey: randomUUID(), projectId, revision: i + 1, type: milestone.type,
            })),
          ];
          for (const request of requests) {
            if (stop) return;
            inFlight.set(request.idempotencyKey, request);
            let answer: HttpAnswer;
            try {
              answer = await send(serverPort(server), request);
            } catch {
              return; // the server died under it: the request stays in flight
            }
            inFlight.delete(request.idempotencyKey);
            if (answer.status === 201) acknowledged.push(request);
            else throw new Error(`${request.type} on ${projectId}: ${answer.status} ${answer.body}`);
          }
        }
      };
      const load = Promise.all(Array.from({ length: options.clients }, (_, n) => client(n)));
      const [low, high] = options.killAfterMs;
      await new Promise((resolve) => setTimeout(resolve, low + Math.random() * (high - low)));
      await server.kill('SIGKILL');
      stop = true;
      await load;
      const pending = [...inFlight.values()];
      log(`cycle ${cycle}: killed with ${acknowledged.length} acknowledged, ${pending.length} in flight`);

      server = await spawnServer(serverEnv(options.dataDir));
      await waitReady(server, 120_000);
      const port = server.port;
      // Every request that was in flight when the server died, retried with its key at once.
      const retries = await Promise.all(pending.map(async (request) => {
        const started = Date.now();
        const answer = await send(port, request);
        const ms = Date.now() - started;
        if (answer.status === 201) acknowledged.push(request);
        const code = codeOf(answer);
        return { request, ms, status: answer.status, ...(code === undefined ? {} : { code }) };
      }));
      const retried: Retry[] = [];
      for (const retry of retries) {
        const history = await projectHistory(port, retry.request.projectId);
        const duplicated = history.filter((event) => event.type === retry.request.type).length > lifecycleCount(retry.request.type);
        retried.push({ ms: retry.ms, status: retry.status, ...(retry.code === undefined ? {} : { code: retry.code }), duplicated });
      }
      const slowest = Math.max(0, ...retried.map((retry) => retry.ms));
      log(`cycle ${cycle}: ${retried.length} in-flight retries answered ${[...new Set(retried.map((r) => r.status))].join('/')}, the slowest in ${slowest} ms`);
      const lost: string[] = [];
      const byProject = new Map<string, Request[]>();
      for (const request of acknowledged) byProject.set(request.projectId, [...(byProject.get(request.projectId) ?? []), request]);
      for (const [projectId, requests] of byProject) {
        const history = await projectHistory(port, projectId);
        for (const request of requests) {
          const found = history.find((event) => event.revision === request.revision);
          if (found?.type !== request.type) lost.push(`${projectId}@${request.revision} ${request.type}`);
        }
      }
      const verify = await http(port, 'GET', '/v1/audit/verify', { headers: auth, timeoutMs: 120_000 });
      const brokenChains = verify.status === 200 ? brokenOf(verify.json()) : [`verify answered ${verify.status}: ${verify.body}`];
      cycles.push({ acknowledged: acknowledged.length, inFlightAtKill: pending.length, lost, brokenChains, retried });
      if (cycle < options.cycles - 1) {
        await server.kill('SIGKILL');
        server = undefined;
      }
    }

    // The read models as the last restarted server serves them, then as a rebuild does.
    if (!server) throw new Error('no server is running');
    const served = await readModels(server.port);
    await server.kill('SIGTERM');
    rmSync(join(options.dataDir, 'read-models.db'), { force: true });
    rmSync(join(options.dataDir, 'read-models.db-wal'), { force: true });
    rmSync(join(options.dataDir, 'read-models.db-shm'), { force: true });
    server = await spawnServer(serverEnv(options.dataDir));
    await waitReady(server, 120_000);
    const rebuilt = await readModels(server.port);
    const equal = served === rebuilt;
    return { cycles, readModelsEqual: equal, ...(equal ? {} : { readModelsDiff: firstDifference(served, rebuilt) }) };
  } finally {
    await server?.kill('SIGKILL');
  }
}

function serverPort(server: ServerProcess | undefined): number {
  if (!server) throw new Error('no server');
  return server.port;
}

function send(port: number, request: Request): Promise<HttpAnswer> {
  return http(port, 'POST', request.path, {
    body: request.body,
    headers: { ...auth, 'idempotency-key': request.idempotencyKey },
    timeoutMs: 60_000,
  });
}

function lifecycleCount(type: string): number {
  return type === 'ProjectRegistered' ? 1 : lifecycle.filter((milestone) => milestone.type === type).length;
}

function codeOf(answer: HttpAnswer): string | undefined {
  try {
    const body = answer.json();
    return typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

async function projectHistory(port: number, projectId: string): Promise<{ revision: number; type: string }[]> {
  const answer = await http(port, 'GET', `/v1/projects/${projectId}/history`, { headers: auth });
  if (answer.status === 404) return [];
  if (answer.status !== 200) throw new Error(`history of ${projectId}: ${answer.status} ${answer.body}`);
  const body = answer.json();
  if (typeof body !== 'object' || body === null || !('events' in body) || !Array.isArray(body.events)) return [];
  return body.events.flatMap((event: unknown) =>
    typeof event === 'object' && event !== null && 'revision' in event && 'type' in event &&
    typeof event.revision === 'number' && typeof event.type === 'string' ? [{ revision: event.revision, type: event.type }] : []);
}

function brokenOf(body: unknown): unknown[] {
  return typeof body === 'object' && body !== null && 'broken' in body && Array.isArray(body.broken) ? body.broken : ['no verification'];
}

/** The ledger (every page) and the region's statistics, as text to compare. */
async function readModels(port: number): Promise<string> {
  const parts: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const answer = await http(port, 'GET', `/v1/projects?regionCode=131121&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: auth });
    if (answer.status !== 200) throw new Error(`ledger: ${answer.status} ${answer.body}`);
    const body = answer.json();
    parts.push(JSON.stringify(body, (key, value: unknown) => (key === 'nextCursor' || key === 'asOfPosition' || key === 'position' ? undefined : value)));
    cursor = typeof body === 'object' && body !== null && 'nextCursor' in body && typeof body.nextCursor === 'string' ? body.nextCursor : undefined;
    if (!cursor) break;
  }
  for (const path of ['/v1/stats/pipeline?regionCode=131121&year=2025', '/v1/stats/compliance?regionCode=131121']) {
    const answer = await http(port, 'GET', path, { headers: auth });
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${answer.body}`);
    parts.push(JSON.stringify(answer.json(), (key, value: unknown) => (key === 'position' || key === 'asOfPosition' ? undefined : value)));
  }
  return parts.join('\n');
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `served …${a.slice(Math.max(0, i - 80), i + 80)}… rebuilt …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}
