/**
 * The project stream's events (DOMAIN.md, "Streams and events"): one zod schema per event,
 * the single source of truth for the event's data, the milestone request body and the
 * OpenAPI document. Amount fields parse from 万元 to integer Amounts (commands/shared/money).
 *
 * Every event's data carries `projectId` and `occurredOn`. The request body of a milestone is
 * the event's data without `projectId` (it comes from the path) plus `type`.
 */
import { z } from 'zod';
import { wan, mu } from '../shared/money.js';
import { isoDate, period } from '../shared/dates.js';
import { regionCode } from '../shared/region-code.js';

export const projectId = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, { message: 'project ids are 1–64 letters, digits, _ or -' })
    .meta({ description: 'Project id, unique in the whole system', example: 'ZQ-2025-0017' });

/** Free text: trimmed, bounded, and free of control characters (a NUL in a name breaks exports). */
const text = (max: number) => z.string().trim().min(1).max(max)
  .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, { message: 'control characters are not allowed' });

export const INDUSTRY_SECTIONS = ['A','B','C','D','E','F','G','H','I','J','K','L','M','N','O','P','Q','R','S','T'] as const;
export const CATEGORIES = ['industrial', 'infrastructure', 'services', 'public', 'agriculture'] as const;
export const ORIGINS = ['attracted', 'local', 'government'] as const;
export const LEVELS = ['county', 'city', 'province'] as const;
export const INVESTOR_ORIGINS = ['foreign', 'out_of_province', 'out_of_city', 'local'] as const;
export const AGREEMENT_TYPES = ['framework', 'formal', 'supplementary'] as const;
export const APPROVAL_KINDS = ['approval', 'ratification', 'filing'] as const;
export const LAND_METHODS = ['transfer', 'allocation', 'lease', 'existing'] as const;
export const FUND_SOURCES = ['own', 'loan', 'budget', 'special_bond', 'foreign'] as const;
export const FUND_SOURCE_REGIONS = ['out_of_province', 'out_of_city', 'in_city'] as const;
export const SECURED_FUNDING_SOURCES = ['central_budget', 'provincial_budget', 'special_bond', 'other'] as const;
export const STALL_REASONS = ['land', 'funds', 'approval', 'compensation', 'investor', 'other'] as const;

export type Category = (typeof CATEGORIES)[number];

const common = { projectId: projectId(), occurredOn: isoDate() };

/** The registration fields: what ProjectRegistered sets and DetailsCorrected may correct. */
export const registrationFields = {
  name: text(200).meta({ description: 'Project name', example: '枣强县复合材料产业园' }),
  regionCode: regionCode(),
  industry: z.enum(INDUSTRY_SECTIONS).meta({ description: 'GB/T 4754 section letter' }),
  industryClass: z.string().regex(/^\d{4}$/).optional().meta({ description: 'GB/T 4754 4-digit class' }),
  category: z.enum(CATEGORIES),
  origin: z.enum(ORIGINS),
  plannedInvestment: wan({ positive: true }),
  level: z.enum(LEVELS).optional().meta({ description: 'Key-project list the project is on' }),
};

export const eventSchemas = {
  ProjectRegistered: z.strictObject({ ...common, ...registrationFields }),
  NegotiationOpened: z.strictObject({
    ...common,
    investor: text(200),
    investorOrigin: z.enum(INVESTOR_ORIGINS),
    expectedInvestment: wan(),
  }),
  ProjectSigned: z.strictObject({
    ...common,
    agreementType: z.enum(AGREEMENT_TYPES),
    contractInvestment: wan(),
    investor: text(200),
    investorOrigin: z.enum(INVESTOR_ORIGINS),
    signingEvent: text(200).optional().meta({ description: 'The promotion event at which it was signed' }),
    promisedStartBy: isoDate().optional(),
  }),
  ProjectApproved: z.strictObject({
    ...common,
    kind: z.enum(APPROVAL_KINDS),
    authority: text(200),
    documentNo: text(100),
    projectCode: z.string().regex(/^[0-9A-Z-]{24}$/).optional().meta({ description: '24-character national project code' }),
    approvedInvestment: wan(),
  }),
  LandAcquired: z.strictObject({
    ...common,
    method: z.enum(LAND_METHODS),
    parcelNo: text(100),
    areaMu: mu(),
    agreedStartBy: isoDate().optional(),
  }),
  Started: z.strictObject({
    ...common,
    batchId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).optional().meta({ description: 'The 集中开工 batch it started in' }),
  }),
  StatisticsEntered: z.strictObject({ ...common, month: period(), plannedInvestment: wan() }),
  InvestmentReported: z.strictObject({ ...common, period: period(), amount: wan() }),
  InvestmentCorrected: z.strictObject({ ...common, period: period(), amount: wan(), reason: text(500) }),
  FundsArrived: z.strictObject({
    ...common,
    amount: wan(),
    source: z.enum(FUND_SOURCES),
    sourceRegion: z.enum(FUND_SOURCE_REGIONS),
  }),
  FundingSecured: z.strictObject({
    ...common,
    amount: wan(),
    source: z.enum(SECURED_FUNDING_SOURCES),
    documentNo: text(100),
  }),
  Completed: z.strictObject({ ...common, acceptanceNo: text(100).optional() }),
  Commissioned: z.strictObject({
    ...common,
    partial: z.boolean(),
    capacityPct: z.number().min(0).max(100).optional(),
  }),
  FullProductionReached: z.strictObject({
    ...common,
    outputValue: wan().optional().meta({ description: 'Annual output value, 万元' }),
    taxPaid: wan().optional().meta({ description: 'Tax paid, 万元' }),
  }),
  Stalled: z.strictObject({ ...common, reason: z.enum(STALL_REASONS), note: text(500).optional() }),
  Resumed: z.strictObject({ ...common, reason: z.enum(STALL_REASONS), note: text(500).optional() }),
  // v2 (migrations/upcasters/withdrawn-v1.ts): who approved the withdrawal, and the document
  // number (批复文号) an auditor looks the approval up by; v1 had free text only, which a
  // request may still send (it becomes the authority).
  Withdrawn: z.strictObject({
    ...common,
    reason: text(500),
    approvedBy: z.union([
      text(200).transform((authority) => ({ authority })),
      z.strictObject({
        authority: text(200).meta({ description: 'The body that approved the withdrawal', example: '枣强县人民政府' }),
        documentNo: text(100).optional().meta({ description: 'The approval\'s document number (批复文号)', example: '枣政字〔2025〕31号' }),
      }),
    ]).meta({ description: 'Who approved the withdrawal: an object, or (as before) the approving body\'s name alone' }),
  }),
  DetailsCorrected: z.strictObject({
    ...common,
    ...Object.fromEntries(Object.entries(registrationFields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof registrationFields]: z.ZodOptional<(typeof registrationFields)[K]>;
    },
    reason: text(500),
  }),
  MilestoneDateCorrected: z.strictObject({
    ...common,
    milestone: z.enum([
      'ProjectRegistered', 'NegotiationOpened', 'ProjectSigned', 'ProjectApproved', 'LandAcquired',
      'Started', 'StatisticsEntered', 'Completed', 'Commissioned', 'FullProductionReached',
    ]).meta({ description: 'The milestone whose date is corrected; occurredOn is the corrected date' }),
    reason: text(500),
  }),
} as const;

export type ProjectEventType = keyof typeof eventSchemas;
export const PROJECT_EVENT_TYPES = Object.keys(eventSchemas) as ProjectEventType[];

/** The event data as stored: amounts are integer Amounts. */
export type ProjectEventData<T extends ProjectEventType> = z.output<(typeof eventSchemas)[T]>;

export type ProjectEvent = {
  [T in ProjectEventType]: { readonly type: T; readonly data: ProjectEventData<T> };
}[ProjectEventType];

export type MilestoneType = Exclude<ProjectEventType, 'ProjectRegistered'>;
export type CorrectableMilestone = ProjectEventData<'MilestoneDateCorrected'>['milestone'];

export function projectStreamId(id: string): string {
  return `project-${id}`;
}
export const PROJECT_STREAM_PREFIX = 'project-';
