/**
 * A 集中开工 (groundbreaking) batch, stream `batch-<batchId>`.
 */
import { z } from 'zod';
import { isoDate } from '../shared/dates.js';
import { regionCode } from '../shared/region-code.js';
import { projectId } from '../project/events.js';

export const batchId = () =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'batch ids are 1–64 letters, digits, _ or -' });

export const groundbreakingBatchScheduledSchema = z
  .strictObject({
    batchId: batchId(),
    regionCode: regionCode(),
    name: z.string().trim().min(1).max(200),
    occurredOn: isoDate(),
    ceremonyOn: isoDate().meta({ description: 'Date of the groundbreaking ceremony (may be ahead)' }),
    mustStartBy: isoDate().meta({ description: 'Every project of the batch must have started by then' }),
    projectIds: z.array(projectId()).min(1).max(2000),
  })
  .refine((b) => b.mustStartBy >= b.ceremonyOn, { message: 'mustStartBy cannot be before ceremonyOn', path: ['mustStartBy'] })
  .refine((b) => new Set(b.projectIds).size === b.projectIds.length, { message: 'a project is listed twice', path: ['projectIds'] });

export type GroundbreakingBatchScheduledData = z.output<typeof groundbreakingBatchScheduledSchema>;
export type BatchEvent = { readonly type: 'GroundbreakingBatchScheduled'; readonly data: GroundbreakingBatchScheduledData };

export function batchStreamId(id: string): string {
  return `batch-${id}`;
}
export const BATCH_STREAM_PREFIX = 'batch-';
