/**
 * A project's state as answered: GET /v1/projects/{id} and each row of GET /v1/projects
 * (projections/project-ledger/row.ts's LedgerRow), as one zod schema the OpenAPI document
 * shows and the answers are checked against.
 *
 * To extend it, add the field to `projectStateShape` (and to LedgerRow): tsc fails below while
 * a field of LedgerRow, or of its `approval` and `land`, is missing here. The objects are
 * loose, so a field added to the projection before the schema is still sent, never dropped.
 */
import { z } from 'zod';
import { CATEGORIES } from '../../../commands/project/events.js';
import type { LedgerRow } from '../../../projections/project-ledger/index.js';
import { STAGES } from '../../../projections/shared/project-facts.js';

const nullableString = z.string().nullable();
const wanAmount = z.number().meta({ description: '万元' });

const approvalShape = { kind: z.string(), authority: nullableString.meta({ description: '审批机关' }), documentNo: nullableString, projectCode: nullableString };
const landShape = { method: nullableString.meta({ description: '供地方式' }), parcelNo: nullableString, areaMu: z.number().nullable(), agreedStartBy: nullableString };
const commissioningShape = {
  partial: z.boolean(),
  capacityPct: z.number().nullable(),
  fullOn: nullableString.meta({ description: 'The full commissioning\'s date when it followed a partial one (milestones.Commissioned keeps the first)' }),
};
const fullProductionShape = { outputValue: wanAmount.nullable(), taxPaid: wanAmount.nullable() };
const withdrawApprovalShape = { authority: z.string(), documentNo: nullableString };

export const projectStateShape = {
  projectId: z.string(),
  name: z.string(),
  regionCode: z.string(),
  industry: z.string(),
  industryClass: nullableString,
  category: z.enum(CATEGORIES),
  origin: z.string(),
  level: nullableString,
  stage: z.enum(STAGES),
  totalInvestment: wanAmount.meta({ description: '总投资 (万元): approved, else contract, else planned' }),
  plannedInvestment: wanAmount,
  expectedInvestment: wanAmount.nullable(),
  contractInvestment: wanAmount.nullable(),
  approvedInvestment: wanAmount.nullable(),
  completedInvestment: wanAmount.meta({ description: 'Σ completed investment since start, corrections applied' }),
  fundsArrived: wanAmount,
  fundingSecured: wanAmount,
  milestones: z.record(z.string(), z.string()).meta({ description: 'Each milestone\'s date (YYYY-MM-DD) under its event type' }),
  investor: nullableString,
  investorOrigin: nullableString,
  agreementType: nullableString,
  signingEvent: nullableString,
  promisedStartBy: nullableString,
  approval: z.looseObject(approvalShape).nullable(),
  land: z.looseObject(landShape).nullable(),
  commissioning: z.looseObject(commissioningShape).nullable().meta({ description: 'The latest commissioning (投产): partial or full' }),
  fullProduction: z.looseObject(fullProductionShape).nullable().meta({ description: 'At full production (达产): output value and tax paid' }),
  statisticsMonth: nullableString,
  stallReason: nullableString,
  withdrawReason: nullableString,
  withdrawApprovedBy: z.looseObject(withdrawApprovalShape).nullable().meta({ description: 'Who approved the withdrawal (退出批准机关)' }),
  batchId: nullableString,
  flags: z.array(z.string()).readonly(),
  revision: z.number().int(),
  position: z.number().int(),
  lastRecordedAt: z.string(),
};

export const projectState = z.looseObject(projectStateShape)
  .meta({ description: 'A project: stage, registration fields, every milestone\'s date, amounts in 万元, flags; `revision` is its ETag' });

// Compile-time: every field the projection answers is in the schema (a missing one is named here).
type Missing<Row, Shape> = Exclude<keyof Row, keyof Shape>;
const everyField: [Missing<LedgerRow, typeof projectStateShape>, Missing<NonNullable<LedgerRow['approval']>, typeof approvalShape>, Missing<NonNullable<LedgerRow['land']>, typeof landShape>] extends [never, never, never] ? true : false = true;
void everyField;
