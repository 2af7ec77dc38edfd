/**
 * A ledger row as answered (GET /v1/projects/{id} and the paged ledger): amounts in 万元,
 * absent values as null, every milestone's date under its event type.
 */
import { amountToWan } from '../../commands/shared/money.js';
import type { Category } from '../../commands/project/events.js';
import { totalInvestment, type MilestoneDates, type ProjectFacts, type Stage } from '../shared/project-facts.js';

export interface LedgerRow {
  readonly projectId: string;
  readonly name: string;
  readonly regionCode: string;
  readonly industry: string;
  readonly industryClass: string | null;
  readonly category: Category;
  readonly origin: string;
  readonly level: string | null;
  readonly stage: Stage;
  /** 总投资 (万元): approved, else contract, else planned. */
  readonly totalInvestment: number;
  readonly plannedInvestment: number;
  readonly expectedInvestment: number | null;
  readonly contractInvestment: number | null;
  readonly approvedInvestment: number | null;
  /** Σ InvestmentReported since start, corrections applied (万元). */
  readonly completedInvestment: number;
  readonly fundsArrived: number;
  readonly fundingSecured: number;
  readonly milestones: MilestoneDates;
  readonly investor: string | null;
  readonly investorOrigin: string | null;
  readonly agreementType: string | null;
  readonly signingEvent: string | null;
  readonly promisedStartBy: string | null;
  readonly approval: { readonly kind: string; readonly authority: string | null; readonly documentNo: string | null; readonly projectCode: string | null } | null;
  readonly land: { readonly method: string | null; readonly parcelNo: string | null; readonly areaMu: number | null; readonly agreedStartBy: string | null } | null;
  /** The latest commissioning; `fullOn`: the full one's date when it followed a partial one (milestones keep the first). */
  readonly commissioning: { readonly partial: boolean; readonly capacityPct: number | null; readonly fullOn: string | null } | null;
  /** At full production (达产), in 万元. */
  readonly fullProduction: { readonly outputValue: number | null; readonly taxPaid: number | null } | null;
  readonly statisticsMonth: string | null;
  readonly stallReason: string | null;
  readonly withdrawReason: string | null;
  readonly withdrawApprovedBy: { readonly authority: string; readonly documentNo: string | null } | null;
  readonly batchId: string | null;
  /** The compliance kinds the project is listed under today (open or resolved). */
  readonly flags: readonly string[];
  readonly revision: number;
  readonly position: number;
  readonly lastRecordedAt: string;
}

/**
 * The flags a row shows: what the compliance lists say of the project on the day asked
 * (compliance/query.ts, `complianceFlags`), so the ledger and the lists never disagree.
 */
export type FlagsOf = (f: ProjectFacts) => readonly string[];

const wanOrNull = (amount: number | undefined): number | null => (amount === undefined ? null : amountToWan(amount));

export function toLedgerRow(f: ProjectFacts, flagsOf: FlagsOf): LedgerRow {
  return {
    projectId: f.projectId,
    name: f.name,
    regionCode: f.regionCode,
    industry: f.industry,
    industryClass: f.industryClass ?? null,
    category: f.category,
    origin: f.origin,
    level: f.level ?? null,
    stage: f.stage,
    totalInvestment: amountToWan(totalInvestment(f)),
    plannedInvestment: amountToWan(f.plannedInvestment),
    expectedInvestment: wanOrNull(f.expectedInvestment),
    contractInvestment: wanOrNull(f.contractInvestment),
    approvedInvestment: wanOrNull(f.approvedInvestment),
    completedInvestment: amountToWan(f.completedInvestment),
    fundsArrived: amountToWan(f.fundsArrived),
    fundingSecured: amountToWan(f.fundingSecured),
    milestones: { ...f.dates },
    investor: f.investor ?? null,
    investorOrigin: f.investorOrigin ?? null,
    agreementType: f.agreementType ?? null,
    signingEvent: f.signingEvent ?? null,
    promisedStartBy: f.promisedStartBy ?? null,
    approval: f.approvalKind === undefined ? null : {
      kind: f.approvalKind,
      authority: f.approvalAuthority ?? null,
      documentNo: f.approvalDocumentNo ?? null,
      projectCode: f.nationalProjectCode ?? null,
    },
    land: f.dates.LandAcquired === undefined ? null : {
      method: f.landMethod ?? null,
      parcelNo: f.parcelNo ?? null,
      areaMu: f.landAreaMu ?? null,
      agreedStartBy: f.agreedStartBy ?? null,
    },
    commissioning: f.commissioning === undefined ? null : {
      partial: f.commissioning.partial,
      capacityPct: f.commissioning.capacityPct ?? null,
      fullOn: f.commissioning.fullOn ?? null,
    },
    fullProduction: f.dates.FullProductionReached === undefined ? null : { outputValue: wanOrNull(f.outputValue), taxPaid: wanOrNull(f.taxPaid) },
    statisticsMonth: f.statisticsMonth ?? null,
    stallReason: f.stallReason ?? null,
    withdrawReason: f.withdrawReason ?? null,
    withdrawApprovedBy: f.withdrawApprovedBy === undefined ? null : { authority: f.withdrawApprovedBy.authority, documentNo: f.withdrawApprovedBy.documentNo ?? null },
    batchId: f.batchId ?? null,
    flags: [...flagsOf(f)],
    revision: f.revision,
    position: f.position,
    lastRecordedAt: f.lastRecordedAt,
  };
}
