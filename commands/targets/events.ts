/**
 * Annual targets of a region (标尺), stream `targets-<regionCode>-<year>`.
 * Measure keys are DOMAIN.md's; amounts parse from 万元 to integer Amounts.
 */
import { z } from 'zod';
import { wan } from '../shared/money.js';
import { isoDate } from '../shared/dates.js';
import { regionCode } from '../shared/region-code.js';

const count = () => z.number().int().nonnegative().max(1_000_000);

export const targetMeasures = {
  reserveCount: count(),
  reserveInvestment: wan(),
  signedCount: count(),
  signedInvestment: wan(),
  signedOver1e8Count: count(),
  largestSigning: wan(),
  startedCount: count(),
  startedInvestment: wan(),
  commissionedCount: count(),
  completedInvestment: wan(),
  fundingSecured: wan(),
} as const;

export type TargetMeasure = keyof typeof targetMeasures;
export const TARGET_MEASURES = Object.keys(targetMeasures) as TargetMeasure[];
/** Measures counted in projects; the others are Amounts. */
export const COUNT_MEASURES: ReadonlySet<TargetMeasure> = new Set(['reserveCount', 'signedCount', 'signedOver1e8Count', 'startedCount', 'commissionedCount']);

export const targetsSchema = z
  .strictObject(Object.fromEntries(TARGET_MEASURES.map((m) => [m, targetMeasures[m].optional()])) as {
    [K in TargetMeasure]: z.ZodOptional<(typeof targetMeasures)[K]>;
  })
  .refine((t) => Object.values(t).some((v) => v !== undefined), { message: 'set at least one target measure' });

export const annualTargetsSetSchema = z.strictObject({
  regionCode: regionCode(),
  year: z.number().int().min(1949).max(2200),
  occurredOn: isoDate(),
  targets: targetsSchema,
});

export type AnnualTargetsSetData = z.output<typeof annualTargetsSetSchema>;
export type TargetsEvent = { readonly type: 'AnnualTargetsSet'; readonly data: AnnualTargetsSetData };

export function targetsStreamId(region: string, year: number): string {
  return `targets-${region}-${year}`;
}
export const TARGETS_STREAM_PREFIX = 'targets-';
