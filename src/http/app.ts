/**
 * buildApp(deps) assembles the HTTP application around its dependencies; src/main.ts is the
 * only place that listens. Tests build it with an in-memory store and use app.inject.
 */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { EventStore } from '../event-store/port.js';
import { errorHandler, notFoundHandler } from './problem-details.js';
import { errors } from './errors.js';
import { Metrics } from './metrics.js';
import { capConnectionsPerClient, clientErrorHandler, serverTimeouts } from './connections.js';
import { installOpenApi } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { installAccess } from './auth/install-access.js';
import { installCors } from './cors.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { projectRoutes } from './routes/projects.js';
import { targetsAndBatchesRoutes } from './routes/targets-and-batches.js';
import { statisticsRoutes } from './routes/statistics.js';
import { ledgerRoutes } from './routes/ledger.js';
import { liveRoutes } from './routes/live.js';
import { importRoutes } from './routes/imports.js';
import { reportRoutes } from './routes/reports.js';
import { readModelReads } from './excel-reads.js';
import { auditRoutes } from './routes/audit.js';
import { verifiableLogRoutes } from './routes/verifiable-log.js';
import { upcastingStore } from '../event-store/upcasting-store.js';
import { cachingStreams } from '../event-store/stream-cache.js';
import { upcasters } from '../../migrations/upcasters/index.js';
import { LogTree } from '../log-tree/log-tree.js';
import { generateSigner } from '../log-tree/signed-note.js';
import type { LiveSettings } from './sse/live-hub.js';
import type { ReadinessCheck, ZodApp } from './zod-app.js';
import { ReadModels } from '../../projections/runner/read-models.js';
import { openSnapshotStore, type SnapshotStore } from '../../projections/runner/snapshot-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Checks /readyz runs; features add theirs. */
    readiness: ReadinessCheck[];
    metrics: Metrics;
    /** The projections' runners: queries read their states, SSE listens to them. */
    readModels: ReadModels;
  }
}

export interface AppDeps {
  /** The store as recorded; the app reads it through the upcasters, all but the audit routes. */
  readonly store: EventStore;
  /**
   * The verifiable log's tree over `store`, not yet started (src/main.ts: in DATA_DIR, with the
   * operator's or the kept key). Absent: one in memory with a key of its own (tests).
   */
  readonly logTree?: LogTree;
  readonly config: Config;
  readonly clock?: Clock;
  /** A pino logger; tests pass none (silent). */
  readonly logger?: FastifyBaseLogger;
  /** Where projection snapshots are kept; in memory when absent (tests). */
  readonly snapshots?: SnapshotStore;
  /** Where the statistics' history is kept (`DATA_DIR/statistics-history.db`); in memory when absent (tests). */
  readonly statisticsHistoryPath?: string;
  /** GET /v1/live's timings (heartbeat, coalescing window, slow-client limits); tests shorten them. */
  readonly live?: Partial<LiveSettings>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: AppDeps): Promise<ZodApp> {
  const { config } = deps;
  const recorded = deps.store;
  // The one place stored events are lifted to the current schema, for every reader; the
  // streams commands read are kept in memory, brought up to date on each read.
  const store = cachingStreams(upcastingStore(recorded, upcasters));
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A client's X-Request-Id is kept when it is sane, so its logs and ours correlate.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // While closing, requests still arriving are refused by the hook below, as a problem.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Malformed URLs and over-long parameters are answered before routing: as problems too.
    frameworkErrors: (error, request, reply) => { errorHandler.call(reply.server, error, request, reply); },
    // Slow or never-ending requests time out; the parser's refusals are problems too (connections.ts).
    ...serverTimeouts(config),
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  capConnectionsPerClient(app.server, config.MAX_CONNECTIONS_PER_CLIENT, app.log);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  // Shutting down: a request that still arrives (on a kept-alive socket) is refused at once
  // as the registry's 503 (fastify's own return503OnClosing answers a JSON of its own), before
  // any other hook runs. Fastify marks itself closing before the preClose hooks.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new errors.NotReady('the server is shutting down: retry, on another instance if there is one');
  });
  // Only JSON is a command body (imports register their file types): a JSON text sent as
  // text/plain is 415, not parsed as a string and refused as "expected object".
  app.removeContentTypeParser('text/plain');
  app.decorate('readiness', [] as ReadinessCheck[]);
  app.decorate('metrics', new Metrics());

  const requests = app.metrics.counter('http_requests_total', 'HTTP requests answered, by route and status');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    requests({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });

  // API.md's "appends": the events this process appended, and how many appends each commit held.
  const appended = app.metrics.counter('appends_total', 'Events appended to the log by this process');
  const groupSizes = app.metrics.histogram('store_group_commit_appends', 'Appends per commit of the store (the embedded store commits a group of appends at once)', [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
  appended({}, 0);
  const stopObserving = recorded.observeCommits?.((commit) => {
    if (commit.events > 0) appended({}, commit.events);
    groupSizes(commit.appends);
  });
  if (stopObserving !== undefined) app.addHook('onClose', async () => { stopObserving(); });

  app.readiness.push({
    name: 'event-store',
    probe: async () => {
      await store.ping();
      return { ok: true, detail: store.kind };
    },
  });

  // The log tree's worker takes ~0.4 s to start (a thread loading its modules): it starts now and
  // is waited for below, while the OpenAPI document and the read models are set up meanwhile.
  const logTree = deps.logTree ?? new LogTree({
    store: recorded, path: ':memory:', origin: config.LOG_ORIGIN, signers: [generateSigner(config.LOG_ORIGIN)], logger: app.log,
  });
  const logTreeStarted = logTree.start();
  logTreeStarted.catch(() => undefined); // awaited below; not unhandled if a step before it throws
  app.addHook('onClose', async () => { await logTreeStarted.catch(() => undefined); await logTree.stop(); });

  await installOpenApi(app);

  const readModels = new ReadModels({
    store, snapshots: deps.snapshots ?? openSnapshotStore(':memory:'), logger: app.log,
    history: { path: deps.statisticsHistoryPath ?? ':memory:' },
  });
  app.decorate('readModels', readModels);
  await readModels.start();
  app.addHook('onClose', async () => { await readModels.stop(); });
  app.readiness.push({
    name: 'read-models',
    probe: async () => {
      const halted = readModels.runner.lastError;
      if (readModels.runner.status === 'halted' && halted instanceof Error) return { ok: false, detail: halted.message };
      const lags = await readModels.lags();
      const behind = lags.filter((lag) => lag.status !== 'live');
      return behind.length === 0
        ? { ok: true, detail: `at position ${readModels.position}` }
        : { ok: false, detail: behind.map((lag) => `${lag.name} ${lag.status}, ${lag.events} events behind`).join(', ') };
    },
  });
  app.metrics.gauge('projection_lag_events', 'Events the read model is behind the head of the log', async () =>
    (await readModels.lags()).map((lag) => ({ labels: { projection: lag.name }, value: lag.events })));
  app.metrics.gauge('projection_halted', 'Whether the read model stopped at an event its fold failed on (1) or folds on (0)', async () =>
    (await readModels.lags()).map((lag) => ({ labels: { projection: lag.name }, value: lag.status === 'halted' ? 1 : 0 })));
  app.metrics.gauge('read_models_kept_projects', 'Projects whose facts the fold holds in memory (the others are read from the read side\'s rows)', () =>
    [{ labels: {}, value: readModels.runner.status === 'halted' ? 0 : readModels.keptProjects }]);
  app.metrics.gauge('projection_lag_ms', 'How far behind the head of the log the read model is, in record time', async () =>
    (await readModels.lags()).map((lag) => ({ labels: { projection: lag.name }, value: lag.ms })));

  await logTreeStarted;
  app.readiness.push({
    name: 'log-tree',
    probe: async () => (logTree.problem === undefined
      ? { ok: true, detail: `${logTree.size} leaves` }
      : { ok: false, detail: logTree.problem }),
  });
  app.metrics.gauge('log_tree_leaves', 'Leaves in the log\'s Merkle tree', async () => [{ labels: {}, value: logTree.size }]);
  app.metrics.gauge('log_tree_checkpoint_size', 'Tree size of the newest signed checkpoint', async () => [{ labels: {}, value: logTree.checkpoint().size }]);

  await app.register(healthRoutes);
  // Before authentication: a refused request carries the CORS headers too.
  await installCors(app, config.CORS_ORIGINS);
  // Regions, keys, authentication and rate limits: before any /v1 route (they check each one).
  await installAccess(app, { store, config, clock });
  await app.register(projectRoutes, { prefix: '/v1', store, clock, regions: app.regions, logTree });
  await app.register(targetsAndBatchesRoutes, { prefix: '/v1', store, clock });
  const excelReads = readModelReads(app, { listSize: config.RANKING_MARKS, regions: app.regions });
  await app.register(ledgerRoutes, { prefix: '/v1', clock, reads: excelReads });
  await app.register(importRoutes, { prefix: '/v1', store, clock, config, reads: excelReads });
  await app.register(reportRoutes, { prefix: '/v1', clock, reads: excelReads });
  await app.register(statisticsRoutes, { prefix: '/v1', clock, config });
  await app.register(liveRoutes, { prefix: '/v1', store, clock, readModels, settings: { windowMs: config.LIVE_COALESCE_MS, ...deps.live } });
  await app.register(auditRoutes, { prefix: '/v1', store: recorded, logTree });
  await app.register(verifiableLogRoutes, { prefix: '/v1', store: recorded, logTree });
  await app.register(dashboardRoutes, { ...(config.DASHBOARD_DIR === undefined ? {} : { root: config.DASHBOARD_DIR }) });

  return app;
}
