/**
 * The shapes of the API's answers, as far as the page reads them (API.md and /openapi.json
 * hold the whole). Fields a newer server may leave null or add are typed to allow it:
 * `schedule` and `aheadPoints` are null for stock measures; kinds and measures are strings.
 */

export interface SizedFigure {
  readonly count: number;
  readonly investment: number;
  readonly over1e8?: { readonly count: number; readonly investment: number };
  readonly over1e9?: { readonly count: number; readonly investment: number };
}

export interface PeriodLabel {
  readonly year: number;
  readonly quarter?: number;
  readonly month?: number;
}

export interface TargetRow {
  readonly measure: string;
  readonly label?: string;
  readonly target: number;
  readonly actual: number;
  readonly ratio: number | null;
  readonly schedule: number | null;
  readonly aheadPoints: number | null;
  /** On target (a flow at 序时进度, a stock or breakthrough at its whole target); absent from older servers. */
  readonly met?: boolean;
}

export interface YearOnYearRow {
  readonly measure: string;
  readonly label?: string;
  readonly current: number;
  readonly lastYear: number;
  readonly growth: number | null;
}

export interface PipelineStatistics {
  readonly regionCode: string;
  readonly period: PeriodLabel;
  readonly category?: string | null;
  readonly position: number;
  readonly asOfDate?: string | null;
  readonly months?: { readonly from: string; readonly to: string } | null;
  readonly signed: SizedFigure & { readonly largest?: number };
  readonly started: SizedFigure;
  readonly commissioned: SizedFigure;
  readonly reserve: SizedFigure;
  readonly completedInvestment: { readonly period: number; readonly ytd: number; readonly sinceStart?: number };
  readonly fundsArrived?: { readonly period: number; readonly ytd: number };
  readonly fundsInPlaceRate?: number | null;
  readonly fundingSecured?: { readonly period: number; readonly ytd: number };
  readonly schedule?: number | null;
  readonly targets: readonly TargetRow[];
  readonly yearOnYear?: { readonly period: PeriodLabel; readonly rows: readonly YearOnYearRow[] };
}

export interface RankingRow {
  readonly regionCode: string;
  readonly name: string;
  readonly value: number | null;
  readonly rank: number | null;
  readonly mark: 'red' | 'black' | null;
}

export interface Rankings {
  readonly regionCode: string;
  readonly measure: string;
  readonly period: PeriodLabel;
  readonly position: number;
  readonly listSize?: number;
  readonly rows: readonly RankingRow[];
}

export interface ComplianceItem {
  readonly kind: string;
  readonly projectId: string;
  readonly name: string;
  readonly regionCode: string;
  readonly stage: string;
  readonly since: string;
  readonly days: number;
  readonly open: boolean;
  readonly detail: string | null;
}

export interface Compliance {
  readonly regionCode: string;
  readonly asOfDate: string;
  readonly position: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly items: readonly ComplianceItem[];
}

export interface RegionRef {
  readonly code: string;
  readonly name: string;
  readonly level: string;
  readonly custom?: boolean;
}

export interface RegionView extends RegionRef {
  readonly fullName: string;
  readonly parent: RegionRef | null;
  readonly children: readonly RegionRef[];
}

export interface LedgerRow {
  readonly projectId: string;
  readonly name: string;
  readonly regionCode: string;
  readonly category: string;
  readonly stage: string;
  readonly totalInvestment: number;
  readonly completedInvestment: number;
  readonly fundsArrived?: number;
  readonly milestones: Readonly<Record<string, string>>;
  readonly investor?: string | null;
  readonly flags: readonly string[];
  readonly revision: number;
  readonly lastRecordedAt?: string;
}

export interface LedgerPage {
  readonly rows: readonly LedgerRow[];
  readonly nextCursor: string | null;
  readonly position: number;
}

export interface HistoryEvent {
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly occurredOn: string | null;
  readonly recordedAt: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly flags: readonly string[];
}

export interface ProjectHistory {
  readonly projectId: string;
  readonly events: readonly HistoryEvent[];
}

export interface StreamTokenGrant {
  readonly token: string;
  readonly expiresAt: string;
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly regions: readonly string[];
}
