/**
 * One row of an imported ledger (台账), read: the project it describes and the events its
 * columns imply, each with the cell it came from, so that a refusal can name the row, the
 * column, the value and what to fix. The file formats (src/excel/import/) make these; the
 * planner (plan-row.ts) decides them with the project decider.
 */
import type { RegionCode } from '../shared/region-code.js';
import type { IsoDate } from '../shared/dates.js';
import type { MilestoneEvent } from '../project/commands.js';
import type { ProjectEventData } from '../project/events.js';

/** Where a value came from: the header as the file writes it, the cell (`F7`) and its text. */
export interface CellSource {
  readonly column: string;
  readonly cell: string;
  readonly value: string;
}

/** A milestone event as the row implies it, before the project's id is known. */
export type ImpliedEvent = MilestoneEvent extends infer E
  ? E extends { readonly type: infer T; readonly data: infer D } ? { readonly type: T; readonly data: Omit<D, 'projectId'> } : never
  : never;

export interface ImpliedMilestone {
  readonly event: ImpliedEvent;
  readonly source: CellSource;
}

export type Registration = Omit<ProjectEventData<'ProjectRegistered'>, 'projectId' | 'occurredOn'>;

export interface LedgerRecord {
  /** The row's number as the sheet shows it. */
  readonly row: number;
  /** The id the row gives (项目编号), if any. */
  readonly projectId?: string;
  readonly registration: Registration;
  /** 登记日期 when the row gives it; else the earliest date of the row. */
  readonly registeredOn?: IsoDate;
  /** The cell that names the project: a refused registration points at it. */
  readonly source: CellSource;
  readonly milestones: readonly ImpliedMilestone[];
  /** What the import assumed where the row is silent (said in the answer). */
  readonly notes: readonly string[];
}

export type { RegionCode };
