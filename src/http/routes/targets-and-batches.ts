/**
 * The region-level commands (API.md): a region's annual targets (标尺) and 集中开工 batches.
 */
import { z } from 'zod';
import { clockAt } from '../../../commands/shared/clock.js';
import { handleCommand, loadStream, StaleRevision } from '../../../commands/handle-command.js';
import { targetsDecider } from '../../../commands/targets/decider.js';
import { targetsSchema, targetsStreamId } from '../../../commands/targets/events.js';
import { groundbreakingBatchScheduledSchema, batchStreamId } from '../../../commands/batch/events.js';
import { scheduleGroundbreakingBatch } from '../../../commands/batch/schedule-batch.js';
import { batchDecider } from '../../../commands/batch/decider.js';
import { isoDate } from '../../../commands/shared/dates.js';
import { regionCode } from '../../../commands/shared/region-code.js';
import type { Clock } from '../../clock.js';
import type { EventStore } from '../../event-store/port.js';
import { runCommandRequest } from '../command-request.js';
import { assertCovers, requireRole } from '../auth/index.js';
import type { ZodApp } from '../zod-app.js';
import { commandAnswer } from './project-bodies.js';

export interface TargetsAndBatchesOptions {
  readonly store: EventStore;
  readonly clock: Clock;
}

const targetsParams = z.object({
  regionCode: regionCode(),
  year: z.string().regex(/^\d{4}$/, { message: 'a year is four digits' }).transform(Number).pipe(z.number().int().min(1949).max(2200)),
});

const targetsBody = z.strictObject({
  ...targetsSchema.shape,
  occurredOn: isoDate().optional().meta({ description: 'The date the targets were set (default: today in China)' }),
})
  .refine((body) => Object.entries(body).some(([key, value]) => key !== 'occurredOn' && value !== undefined), { message: 'set at least one target measure' })
  .meta({ description: 'The target measures for the year; setting them again replaces the whole set' });

export async function targetsAndBatchesRoutes(app: ZodApp, options: TargetsAndBatchesOptions): Promise<void> {
  const { store, clock } = options;

  app.put('/regions/:regionCode/targets/:year', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Set a region\'s annual targets (AnnualTargetsSet); the same targets again append nothing',
      params: targetsParams,
      body: targetsBody,
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

  app.post('/batches', {
    preHandler: requireRole('bureau', 'admin'),
    schema: {
      tags: ['commands'],
      summary: 'Schedule a 集中开工 batch (GroundbreakingBatchScheduled)',
      body: groundbreakingBatchScheduledSchema,
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
          if (revision !== context.expectedRevision) throw new StaleRevision(batchStreamId(data.batchId), context.expectedRevision, revision);
        }
        return scheduleGroundbreakingBatch(store, { type: 'ScheduleGroundbreakingBatch', data, ...clockAt(clock.now()) }, context);
      },
    });
  });
}
