/**
 * The region-level commands (API.md): a region's annual targets (标尺) and 集中开工 batches.
 */
import { z } from 'zod';
import { clockAt } from '../../../commands/shared/clock.js';
import { handleCommand, loadStream, StaleRevision } from '../../../commands/handle-command.js';
import { targetsDecider } from '../../../commands/targets/decider.js';
import { COUNT_MEASURES, TARGET_MEASURES, targetsSchema, targetsStreamId, type TargetMeasure } from '../../../commands/targets/events.js';
import { amountToWan } from '../../../commands/shared/money.js';
import { errors } from '../errors.js';
import { groundbreakingBatchScheduledSchema, batchStreamId } from '../../../commands/batch/events.js';
import { scheduleGroundbreakingBatch } from '../../../commands/batch/schedule-batch.js';
import { batchDecider } from '../../../commands/batch/decider.js';
import { isoDate } from '../../../commands/shared/dates.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import { commandHeaders, runCommandRequest } from '../command-request.js';
import { assertCovers, requireRole } from '../auth/index.js';
import type { ZodApp } from '../zod-app.js';
import { commandAnswer } from './project-bodies.js';
import { yearParam } from '../params.js';

export interface TargetsAndBatchesOptions {
  readonly store: EventStore;
  readonly clock: Clock;
}

const targetsParams = z.object({
  regionCode: regionCode(),
  year: yearParam(),
});

const targetsBody = z.strictObject({
  ...targetsSchema.shape,
  occurredOn: isoDate().optional().meta({ description: 'The date the targets were set (default: today in China)' }),
})
  .refine((body) => Object.entries(body).some(([key, value]) => key !== 'occurredOn' && value !== undefined), { message: 'set at least one target measure' })
  .meta({ description: 'The target measures for the year; setting them again replaces the whole set' });

/** A measure's figure as answered: counts as they are, amounts in 万元. */
const measureAnswer = (measure: TargetMeasure) => (COUNT_MEASURES.has(measure)
  ? z.number().int().optional().meta({ description: 'A count of projects' })
  : z.number().optional().meta({ description: '万元' }));

const targetsAnswer = z.object({
  regionCode: z.string(),
  year: z.number().int(),
  setOn: z.string().meta({ description: 'The date the targets were set (occurredOn of the last PUT)' }),
  targets: z.object(Object.fromEntries(TARGET_MEASURES.map((measure) => [measure, measureAnswer(measure)]))),
  revision: z.number().int().meta({ description: 'The targets stream\'s revision: the ETag, for If-Match on the PUT' }),
  position: z.number().int().meta({ description: 'The global position of the last setting' }),
});

function targetsInWan(targets: Readonly<Partial<Record<TargetMeasure, number | undefined>>>): Partial<Record<TargetMeasure, number>> {
  const answer: Partial<Record<TargetMeasure, number>> = {};
  for (const measure of TARGET_MEASURES) {
    const value = targets[measure];
    if (value !== undefined) answer[measure] = COUNT_MEASURES.has(measure) ? value : amountToWan(value);
  }
  return answer;
}

export async function targetsAndBatchesRoutes(app: ZodApp, options: TargetsAndBatchesOptions): Promise<void> {
  const { store, clock } = options;

  app.put('/regions/:regionCode/targets/:year', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Set a region\'s annual targets (AnnualTargetsSet); the same targets again append nothing',
      params: targetsParams,
      body: targetsBody,
      headers: commandHeaders,
      response: { 200: commandAnswer },
    },
  }, async (request, reply) => {
    const { regionCode: code, year } = request.params;
    app.regions.assertKnown(code);
    assertCovers(request.actor, code);
    const { occurredOn, ...measures } = request.body;
    const now = clockAt(clock.now());
    const streamId = targetsStreamId(code, year);
    return runCommandRequest(request, reply, {
      store,
      actor: request.actor,
      streamId,
      successStatus: 200,
      execute: (context) => handleCommand(store, streamId, targetsDecider, {
        type: 'SetAnnualTargets',
        data: { regionCode: code, year, occurredOn: occurredOn ?? now.today, targets: measures },
        ...now,
      }, context),
    });
  });

  app.get('/regions/:regionCode/targets/:year', {
    // Who may set a region's targets may read them back; auditors read everything in their regions.
    preHandler: requireRole('bureau', 'auditor', 'admin'),
    schema: {
      tags: ['queries'],
      summary: 'A region\'s annual targets (标尺) as last set, with their revision as ETag (for If-Match on the PUT)',
      description: 'The whole set as the last PUT gave it: a PUT replaces the set, so a measure it left out has no target.',
      params: targetsParams,
      response: { 200: targetsAnswer },
    },
  }, async (request, reply) => {
    const { regionCode: code, year } = request.params;
    app.regions.assertKnown(code);
    assertCovers(request.actor, code, 'read');
    const { state, revision, position } = await loadStream(store, targetsStreamId(code, year), targetsDecider);
    if (state.status === 'unset' || revision === 'no_stream') throw new errors.NotFound(`no targets are set for region ${code} in ${year}`);
    reply.header('etag', `"${revision}"`);
    return { regionCode: code, year, setOn: state.setOn, targets: targetsInWan(state.targets), revision, position };
  });

  app.post('/batches', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Schedule a 集中开工 batch (GroundbreakingBatchScheduled)',
      body: groundbreakingBatchScheduledSchema,
      headers: commandHeaders,
      response: { 201: commandAnswer },
    },
  }, async (request, reply) => {
    const data = request.body;
    app.regions.assertKnown(data.regionCode);
    assertCovers(request.actor, data.regionCode);
    return runCommandRequest(request, reply, {
      store,
      actor: request.actor,
      streamId: batchStreamId(data.batchId),
      successStatus: 201,
      answerFields: { batchId: data.batchId },
      location: `/v1/batches/${encodeURIComponent(data.batchId)}`,
      execute: async (context) => {
        // A stale If-Match is refused before any project is claimed for the batch, so the
        // refusal appends nothing (scheduleGroundbreakingBatch checks it only at the last step).
        if (context.expectedRevision !== undefined) {
          const { revision } = await loadStream(store, batchStreamId(data.batchId), batchDecider);
          const holds = context.expectedRevision === 'exists' ? revision !== 'no_stream' : revision === context.expectedRevision;
          if (!holds) throw new StaleRevision(batchStreamId(data.batchId), context.expectedRevision, revision);
        }
        return scheduleGroundbreakingBatch(store, { type: 'ScheduleGroundbreakingBatch', data, ...clockAt(clock.now()) }, context);
      },
    });
  });
}
