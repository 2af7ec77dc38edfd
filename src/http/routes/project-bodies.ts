/**
 * Request and answer schemas of the project commands, derived from the event schemas so that
 * validation, types and the OpenAPI document have one source (commands/project/events.ts).
 */
import { z } from 'zod';
import { eventSchemas, projectId, type MilestoneType, type ProjectEvent } from '../../../commands/project/events.js';
import type { MilestoneEvent } from '../../../commands/project/commands.js';
import { amountFieldsOf, amountToWan } from '../../../commands/shared/money.js';
import type { JsonObject } from '../../event-store/port.js';

export const registerBody = eventSchemas.ProjectRegistered.extend({ projectId: projectId().optional() })
  .meta({ description: 'ProjectRegistered (谋划 / 储备); projectId is generated when absent' });

function milestone<T extends MilestoneType, Shape extends z.core.$ZodLooseShape & { projectId: z.ZodType }>(type: T, schema: z.ZodObject<Shape>) {
  const { projectId: _fromPath, ...fields } = schema.shape;
  return z.strictObject({ type: z.literal(type), ...fields }).meta({ title: type });
}

export const milestoneBody = z.discriminatedUnion('type', [
  milestone('NegotiationOpened', eventSchemas.NegotiationOpened),
  milestone('ProjectSigned', eventSchemas.ProjectSigned),
  milestone('ProjectApproved', eventSchemas.ProjectApproved),
  milestone('LandAcquired', eventSchemas.LandAcquired),
  milestone('Started', eventSchemas.Started),
  milestone('StatisticsEntered', eventSchemas.StatisticsEntered),
  milestone('InvestmentReported', eventSchemas.InvestmentReported),
  milestone('InvestmentCorrected', eventSchemas.InvestmentCorrected),
  milestone('FundsArrived', eventSchemas.FundsArrived),
  milestone('FundingSecured', eventSchemas.FundingSecured),
  milestone('Completed', eventSchemas.Completed),
  milestone('Commissioned', eventSchemas.Commissioned),
  milestone('FullProductionReached', eventSchemas.FullProductionReached),
  milestone('Stalled', eventSchemas.Stalled),
  milestone('Resumed', eventSchemas.Resumed),
  milestone('Withdrawn', eventSchemas.Withdrawn),
  milestone('DetailsCorrected', eventSchemas.DetailsCorrected),
  milestone('MilestoneDateCorrected', eventSchemas.MilestoneDateCorrected),
]).meta({ description: 'A project event other than ProjectRegistered, discriminated by `type`' });

export type MilestoneBody = z.output<typeof milestoneBody>;

/**
 * The body as the project's event. The body's fields are the event's data less projectId,
 * which comes from the path; TypeScript cannot follow `type` through the spread, hence the
 * one assertion, which the schema above guarantees.
 */
export function milestoneEventOf(body: MilestoneBody, projectIdFromPath: string): MilestoneEvent {
  const { type, ...fields } = body;
  return { type, data: { ...fields, projectId: projectIdFromPath } } as MilestoneEvent;
}

export const commandAnswer = z.object({
  projectId: z.string().optional(),
  batchId: z.string().optional(),
  revision: z.number().int().meta({ description: 'The stream\'s revision after the command; also the ETag' }),
  position: z.number().int().meta({ description: 'Global position of the last event appended; pass it as minPosition to read your writes' }),
  events: z.array(z.string()).meta({ description: 'Types of the events appended' }),
});

export const projectIdParams = z.object({ projectId: projectId() });

const AMOUNT_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(eventSchemas).map(([type, schema]) => [type, amountFieldsOf(schema.shape)]),
);

/** Stored event data with its Amounts shown in 万元, as every answer shows money. */
export function dataInWan(type: ProjectEvent['type'] | string, data: JsonObject): JsonObject {
  const fields = AMOUNT_FIELDS.get(type);
  if (!fields || fields.length === 0) return data;
  const shown: JsonObject = { ...data };
  for (const field of fields) {
    const amount = data[field];
    if (typeof amount === 'number') shown[field] = amountToWan(amount);
  }
  return shown;
}
