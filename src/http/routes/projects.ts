/**
 * The project commands and the project's own reads (API.md): register, post a milestone,
 * the current state with its ETag, and the full history for auditors.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { clockAt } from '../../../commands/project/commands.js';
import { projectDecider } from '../../../commands/project/decider.js';
import { projectStreamId } from '../../../commands/project/events.js';
import { postMilestone } from '../../../commands/project/post-milestone.js';
import { membershipDecider, membershipStreamId } from '../../../commands/batch/membership.js';
import { batchStreamId } from '../../../commands/batch/events.js';
import { handleCommand, loadStream } from '../../../commands/handle-command.js';
import { getProject } from '../../../projections/project-ledger/index.js';
import { compliance, complianceFlags } from '../../../projections/compliance/index.js';
import { chinaDateOf } from '../../../commands/shared/dates.js';
import { foldAll } from '../../../projections/projection.js';
import type { Clock } from '../../clock.js';
import type { EventStore, RecordedEvent } from '../../event-store/port.js';
import { StreamNotFound } from '../../event-store/errors.js';
import { commandHeaders, runCommandRequest } from '../command-request.js';
import { errors } from '../errors.js';
import type { ZodApp } from '../zod-app.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import type { LogTree } from '../../log-tree/log-tree.js';
import { assertCovers, requireRole } from '../auth/index.js';
import { commandAnswer, dataInWan, milestoneBody, milestoneEventOf, projectIdParams, registerBody } from './project-bodies.js';
import { isoInstant } from '../params.js';
import { projectState } from './project-state.js';

export interface ProjectRoutesOptions {
  readonly store: EventStore;
  /** Where each event's leaf in the log's tree is found. */
  readonly logTree: Pick<LogTree, 'leafIndexOf' | 'waitFor'>;
  readonly clock: Clock;
  readonly regions: RegionCatalogue;
}

/** How long a history waits for the log's tree to take in the project's newest events. */
const TREE_WAIT_MS = 2_000;

const asOfQuery = z.object({
  asOf: isoInstant().optional().meta({ description: 'Answer as the data stood when this moment was recorded' }),
});

const historyEvent = z.object({
  revision: z.number().int(),
  position: z.number().int(),
  type: z.string(),
  occurredOn: z.string().nullable(),
  recordedAt: z.string(),
  data: z.record(z.string(), z.unknown()),
  actor: z.unknown(),
  flags: z.array(z.string()),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
  leafIndex: z.number().int().nullable().meta({ description: 'The event\'s leaf in the log\'s tree (GET /v1/audit/proofs/inclusion?index=); null only for an event the tree has not taken in yet' }),
  schemaVersion: z.number().int().meta({ description: 'The schema `data` is shown in (the current one: older events are upcast as read); the leaf holds the data as recorded' }),
});

export async function projectRoutes(app: ZodApp, options: ProjectRoutesOptions): Promise<void> {
  const { store, clock, regions, logTree } = options;

  app.post('/projects', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Register a project (ProjectRegistered)',
      body: registerBody,
      headers: commandHeaders,
      response: { 201: commandAnswer },
    },
  }, async (request, reply) => {
    const data = { ...request.body, projectId: request.body.projectId ?? randomUUID() };
    regions.assertKnown(data.regionCode);
    assertCovers(request.actor, data.regionCode);
    return runCommandRequest(request, reply, {
      store,
      actor: request.actor,
      streamId: projectStreamId(data.projectId),
      successStatus: 201,
      answerFields: { projectId: data.projectId },
      location: `/v1/projects/${encodeURIComponent(data.projectId)}`,
      execute: (context) => handleCommand(store, projectStreamId(data.projectId), projectDecider,
        { type: 'RegisterProject', data, ...clockAt(clock.now()) }, context),
    });
  });

  app.post('/projects/:projectId/milestones', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Post a milestone: any project event but ProjectRegistered, by `type`',
      params: projectIdParams,
      body: milestoneBody,
      headers: commandHeaders,
      response: { 201: commandAnswer },
    },
  }, async (request, reply) => {
    const { projectId } = request.params;
    const streamId = projectStreamId(projectId);
    const current = await loadStream(store, streamId, projectDecider);
    if (current.state.status === 'unregistered') throw new errors.NotFound(`no project ${projectId}`);
    assertCovers(request.actor, current.state.details.regionCode);
    const event = milestoneEventOf(request.body, projectId);
    if (event.type === 'DetailsCorrected' && event.data.regionCode !== undefined) {
      // Moving a project to another region takes write access to both.
      regions.assertKnown(event.data.regionCode);
      assertCovers(request.actor, event.data.regionCode);
    }
    return runCommandRequest(request, reply, {
      store,
      actor: request.actor,
      streamId,
      successStatus: 201,
      answerFields: { projectId },
      execute: (context) => postMilestone(store, streamId, { type: 'PostMilestone', event, ...clockAt(clock.now()) }, context),
    });
  });

  app.get('/projects/:projectId', {
    preHandler: requireRole('bureau', 'auditor', 'dashboard', 'admin'),
    schema: {
      tags: ['queries'],
      summary: 'A project\'s current state (or as of a moment), with its revision as ETag',
      params: projectIdParams,
      querystring: asOfQuery,
      response: { 200: projectState, 304: z.void().meta({ description: 'Not modified: If-None-Match named the current ETag' }) },
    },
  }, async (request, reply) => {
    const events = await withItsBatch(store, request.params.projectId, request.query.asOf, await projectEvents(store, request.params.projectId, request.query.asOf));
    // Compliance's fold holds the ledger's facts and what the flags are judged on (as of the day asked).
    const state = foldAll(compliance, events);
    const today = chinaDateOf(request.query.asOf === undefined ? clock.now() : new Date(request.query.asOf));
    const project = getProject(state, request.params.projectId, complianceFlags(state, today));
    if (!project) throw new errors.NotFound(`no project ${request.params.projectId}`);
    assertCovers(request.actor, project.regionCode, 'read');
    const etag = `"${project.revision}"`;
    reply.header('etag', etag);
    if (request.query.asOf === undefined && request.headers['if-none-match'] === etag) return reply.code(304).send();
    return { ...project };
  });

  app.get('/projects/:projectId/history', {
    preHandler: requireRole('bureau', 'auditor', 'admin'),
    schema: {
      tags: ['queries'],
      summary: 'Every event of the project in order, with its record time, actor and hash',
      params: projectIdParams,
      querystring: asOfQuery,
      response: { 200: z.object({ projectId: z.string(), events: z.array(historyEvent) }) },
    },
  }, async (request) => {
    const events = await projectEvents(store, request.params.projectId, request.query.asOf);
    const registered = events.find((e) => e.type === 'ProjectRegistered');
    if (!registered) throw new errors.NotFound(`no project ${request.params.projectId}`);
    const regionCode = events.reduce((code, e) => typeof e.data['regionCode'] === 'string' ? e.data['regionCode'] : code, '');
    assertCovers(request.actor, regionCode, 'read');
    const last = events.at(-1);
    if (last !== undefined) await logTree.waitFor(last.position, TREE_WAIT_MS);
    return {
      projectId: request.params.projectId,
      events: events.map((e) => ({
        revision: e.revision,
        position: e.position,
        type: e.type,
        occurredOn: typeof e.data['occurredOn'] === 'string' ? e.data['occurredOn'] : null,
        recordedAt: e.recordedAt,
        data: dataInWan(e.type, e.data),
        actor: e.metadata['actor'] ?? null,
        flags: Array.isArray(e.metadata['flags']) ? e.metadata['flags'].map(String) : [],
        prevHash: typeof e.metadata['prevHash'] === 'string' ? e.metadata['prevHash'] : null,
        hash: typeof e.metadata['hash'] === 'string' ? e.metadata['hash'] : null,
        leafIndex: logTree.leafIndexOf(e.position) ?? null,
        schemaVersion: typeof e.metadata['schemaVersion'] === 'number' ? e.metadata['schemaVersion'] : 1,
      })),
    };
  });
}

/** The project's events, or those recorded up to `asOf`. */
/**
 * The project's events and, in log order among them, the scheduling of the 集中开工 batch that
 * holds it: its flags are judged on the batch's deadline too (overdue-batch-start).
 */
async function withItsBatch(store: EventStore, projectId: string, asOf: string | undefined, events: RecordedEvent[]): Promise<RecordedEvent[]> {
  const { batchId } = (await loadStream(store, membershipStreamId(projectId), membershipDecider)).state;
  if (batchId === undefined) return events;
  const cutoff = asOf === undefined ? Infinity : Date.parse(asOf);
  const batch = (await store.readStream(batchStreamId(batchId)).catch((error: unknown) => {
    if (error instanceof StreamNotFound) return [];
    throw error;
  })).filter((e) => Date.parse(e.recordedAt) <= cutoff);
  return [...batch, ...events].sort((a, b) => a.position - b.position);
}

async function projectEvents(store: EventStore, projectId: string, asOf: string | undefined): Promise<RecordedEvent[]> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(projectStreamId(projectId));
  } catch (error) {
    if (error instanceof StreamNotFound) throw new errors.NotFound(`no project ${projectId}`);
    throw error;
  }
  if (asOf === undefined) return events;
  const cutoff = Date.parse(asOf);
  return events.filter((e) => Date.parse(e.recordedAt) <= cutoff);
}
