/**
 * GET /v1/live?regionCode=: Server-Sent Events of a region's pipeline statistics (API.md).
 * A `pipeline` event on connect and after every change touching the region, coalesced under
 * bursts; `id` is the global position the statistics reflect; `Last-Event-ID` resumes (one
 * fresh event when behind, nothing when not). The feeds and their backpressure live in
 * src/http/sse; this file wires them to the statistics read model, the request and shutdown.
 * A browser opens it with a stream token (`?token=`, auth/stream-tokens.ts) instead of a
 * bearer key.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { chinaDateOf } from '../../../commands/shared/dates.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import { queryPipelineStatistics } from '../../../projections/pipeline-statistics/index.js';
import type { ReadModels } from '../../../projections/runner/read-models.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import { ALL_ROLES, assertCovers, requireRole } from '../auth/index.js';
import { redactStreamToken } from '../auth/stream-tokens.js';
import { EVENT_STREAM_HEADERS, lastEventIdOf } from '../sse/event-stream.js';
import { DEFAULT_LIVE_SETTINGS, LiveHub, type LiveSettings, type LiveSource } from '../sse/live-hub.js';
import type { SseClient } from '../sse/sse-client.js';
import type { ZodApp } from '../zod-app.js';
import { pipelineAnswer } from './statistics.js';

export interface LiveRoutesOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly readModels: ReadModels;
  readonly settings?: Partial<LiveSettings>;
}

const liveQuery = z.object({
  regionCode: regionCode().meta({ description: 'The region whose statistics to follow (its child regions rolled up)' }),
  token: z.string().max(512).optional().meta({ description: 'A stream token from POST /v1/live/tokens, for clients that cannot send Authorization (EventSource)' }),
});

/** What the stream carries, one `pipeline` event at a time (an SSE message's fields; the reply itself is not JSON). */
const liveAnswer = {
  description: 'A text/event-stream of `pipeline` events (and `retry:` and comment lines)',
  content: {
    'text/event-stream': {
      schema: z.object({
        event: z.literal('pipeline'),
        id: z.number().int().meta({ description: 'The global position the statistics reflect: send it back as Last-Event-ID' }),
        data: pipelineAnswer.meta({ description: 'The statistics of GET /v1/stats/pipeline for the region and the current year, as one line of JSON' }),
      }).meta({ description: 'One event of the stream: `event: pipeline`, `id: <position>`, `data: <statistics JSON>`' }),
    },
  },
};

/** Request logs without the stream token (the URL carries it). */
const logSerializers = {
  req: (request: FastifyRequest) => ({ method: request.method, url: redactStreamToken(request.url), host: request.host, remoteAddress: request.ip }),
};

/**
 * The current year's statistics of a region, from the live statistics read model: the same
 * figures as GET /v1/stats/pipeline for the region and year (routes/statistics.ts computes
 * them inline, so the projection's query is called here with the same inputs).
 */
export function liveSource(readModels: ReadModels, clock: Clock): LiveSource {
  const runner = readModels.runners['pipeline-statistics'];
  return {
    statisticsOf: (code) => {
      const asOfDate = chinaDateOf(clock.now());
      const statistics = queryPipelineStatistics(runner.state, { regionCode: code, year: Number(asOfDate.slice(0, 4)), asOfDate });
      // The runner's position, as GET /v1/stats/pipeline answers: everything up to it is applied.
      return { position: runner.position, statistics: { ...statistics, position: runner.position }, period: asOfDate.slice(0, 4) };
    },
    currentPeriod: () => chinaDateOf(clock.now()).slice(0, 4),
    regionOfProject: (projectId) => runner.state.projects[projectId]?.regionCode,
    onApplied: (listener) => readModels.onApplied('pipeline-statistics', listener),
  };
}

export async function liveRoutes(app: ZodApp, options: LiveRoutesOptions): Promise<void> {
  const { store, clock, readModels } = options;
  const computed = app.metrics.counter('sse_statistics_computed_total', 'Statistics computed for live feeds (once per region per send, whatever the subscribers)');
  const coalesced = app.metrics.counter('sse_events_coalesced_total', 'Live events replaced by a newer one while the client\'s socket was full');
  const dropped = app.metrics.counter('sse_clients_dropped_total', 'Live clients dropped for not reading their stream');
  const hub = new LiveHub(liveSource(readModels, clock), { ...DEFAULT_LIVE_SETTINGS, ...options.settings }, {
    onComputed: () => computed(),
    onCoalesced: () => coalesced(),
    onDropped: (reason) => dropped({ reason }),
  });
  hub.start();
  // A revoked key's streams end at once: the key no longer reads anything, streams included.
  const streamsOfKey = new Map<string, Set<SseClient>>();
  const stopListening = app.onKeyRevoked((keyId) => {
    const streams = streamsOfKey.get(keyId);
    streamsOfKey.delete(keyId);
    for (const client of streams ?? []) {
      client.close();
      hub.remove(client);
    }
  });
  app.addHook('onClose', async () => { stopListening(); });
  app.metrics.gauge('sse_clients', 'Clients connected to GET /v1/live', () => [{ labels: {}, value: hub.clientCount }]);
  // Before the server stops listening: open streams would otherwise hold the close forever.
  app.addHook('preClose', async () => { hub.close(); });
  app.addHook('onClose', async () => { hub.close(); });

  app.get('/live', {
    preHandler: requireRole(...ALL_ROLES),
    config: { streamToken: true },
    logSerializers,
    schema: {
      security: [{ bearer: [] }, { streamToken: [] }],
      tags: ['queries'],
      summary: 'Server-Sent Events: the region\'s pipeline statistics now and after every change that touches it',
      description: 'text/event-stream. Each `pipeline` event carries the statistics of GET /v1/stats/pipeline for the region and the current year; ' +
        '`id` is the global position they reflect. Events are coalesced under bursts (at most one per region per ~100 ms, the last with the latest state). ' +
        'Reconnect with `Last-Event-ID`: a client behind gets the current statistics at once (they are state, not a diff). Comment lines every ~15 s keep the stream open. ' +
        'Authenticate with `Authorization: Bearer <key>`, or (a browser\'s EventSource) with `token=` from POST /v1/live/tokens.',
      querystring: liveQuery,
      headers: z.looseObject({
        'last-event-id': z.string().max(64).optional().meta({ description: 'The id of the last event received, when reconnecting' }),
      }),
      response: { 200: liveAnswer },
    },
  }, async (request, reply) => {
    const { regionCode: code } = request.query;
    app.regions.assertKnown(code);
    assertCovers(request.actor, code, 'read');
    const lastEventId = lastEventIdOf(request.headers['last-event-id']);
    const head = lastEventId === undefined ? 0 : await store.headPosition();

    reply.hijack();
    const response = reply.raw;
    // Headers the hooks set (CORS, rate limit) as well: the raw head would otherwise lose them.
    const hooked = Object.entries(reply.getHeaders()).filter((entry): entry is [string, string | number | string[]] => entry[1] !== undefined);
    // The body ends with the connection (`connection: close`), not with a last chunk, so a frame
    // goes on the wire as the hub built it: each client's event is one write of the shared
    // Buffer straight to its socket (one syscall), not the response's chunk framing and
    // cork-until-next-tick, which was a third of the server's time with 1,000 clients
    // (BENCHMARKS.md, "Live updates").
    response.useChunkedEncodingByDefault = false;
    response.writeHead(200, { ...Object.fromEntries(hooked), ...EVENT_STREAM_HEADERS, 'x-request-id': String(request.id) });
    response.flushHeaders();
    response.socket?.setNoDelay(true);
    // A HEAD request gets the head only: the response, which sends no body for HEAD, is its sink.
    const sink = request.method === 'GET' ? response.socket ?? response : response;
    const client = hub.subscribe(code, sink, lastEventId, head);
    const keyId = request.actor.keyId;
    const streams = streamsOfKey.get(keyId) ?? new Set<SseClient>();
    streamsOfKey.set(keyId, streams.add(client));
    response.on('close', () => {
      hub.remove(client);
      streams.delete(client);
      if (streams.size === 0 && streamsOfKey.get(keyId) === streams) streamsOfKey.delete(keyId);
    });
  });
}
