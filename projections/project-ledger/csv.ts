/**
 * The ledger as CSV for Excel: UTF-8 with a BOM (else Excel reads GBK and garbles the
 * Chinese), CRLF line ends, RFC 4180 quoting, amounts in 万元 with exactly 2 decimals, and
 * formula injection neutralised (OWASP: a cell starting with = + - @, tab or CR gets a leading
 * apostrophe, so a project named "=HYPERLINK(…)" stays text).
 */
import type { Amount } from '../../commands/shared/money.js';
import {
  AGREEMENT_TYPE_LABELS, APPROVAL_KIND_LABELS, CATEGORY_LABELS, INVESTOR_ORIGIN_LABELS, LAND_METHOD_LABELS, LEVEL_LABELS, ORIGIN_LABELS,
  STALL_REASON_LABELS,
} from '../../commands/project/labels.js';
import { periodOfIndex } from '../shared/calendar.js';
import { forEachAmount, type PeriodAmounts } from '../shared/period-amounts.js';
import { totalInvestment, type ProjectFacts, type Stage } from '../shared/project-facts.js';
import type { LedgerState } from './projection.js';
import type { FlagsOf } from './row.js';
import { ledgerFacts, type LedgerFilter } from './query.js';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
const BOM = '\uFEFF';
const CRLF = '\r\n';

export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  PLANNED: '谋划储备',
  NEGOTIATING: '洽谈',
  SIGNED: '签约',
  STARTED: '开工在建',
  COMPLETED: '竣工',
  COMMISSIONED: '投产',
  FULL_PRODUCTION: '达产',
  STALLED: '停滞',
  WITHDRAWN: '退出',
};

/** The compliance kinds (compliance/query.ts) in the bureaus' words. */
const FLAG_LABELS: Readonly<Record<string, string>> = {
  'statistics-not-entered': '应统未统',
  'started-without-approval': '未批先建',
  'statistics-inconsistent': '入统数据不一致',
  'idle-land': '闲置土地',
  'overdue-batch-start': '集中开工逾期',
  stalled: '停滞',
  'late-report': '迟报',
};

/**
 * What a column's cells hold, so that an XLSX export can type them (dates as dates, 万元 as
 * numbers) from the same cells as the CSV. Only free text (what users type) can hold quotes,
 * separators or a leading = + - @; the other cells are ids, codes, dates, amounts and fixed
 * labels, which cannot, so they skip escaping (a 10^5-row export has millions of cells).
 */
export type CellKind = 'code' | 'label' | 'free-text' | 'date' | 'month' | 'amount' | 'number' | 'integer' | 'amounts-by-month';

export interface LedgerColumn {
  readonly header: string;
  readonly kind: CellKind;
  readonly cell: (f: ProjectFacts, flagsOf: FlagsOf) => string;
}

const column = (header: string, kind: CellKind, cell: (f: ProjectFacts, flagsOf: FlagsOf) => string): LedgerColumn => ({ header, kind, cell });
const amount = (value: Amount | undefined): string => (value === undefined ? '' : formatWan(value));
const label = <K extends string>(labels: Readonly<Record<K, string>>, value: K | undefined): string => (value === undefined ? '' : labels[value]);
const labelOf = (labels: Readonly<Record<string, string>>, value: string | undefined): string => (value === undefined ? '' : labels[value] ?? value);

/** Monthly amounts as `2025-03 120.00；2025-04 80.00`: what an import needs to restore them month by month. */
export function amountsByMonth(pairs: PeriodAmounts): string {
  const entries: string[] = [];
  forEachAmount(pairs, (month, value) => entries.push(`${periodOfIndex(month)} ${formatWan(value)}`));
  return entries.join('；');
}

/**
 * The ledger's columns, in order. Beyond what a bureau reads at a glance, they carry every fact
 * of a project that its statistics and its ledger row rest on (the months of its completed
 * investment, its funds, its approval and land), so that an exported ledger imports back into an
 * empty store as the same ledger and the same statistics.
 */
export const LEDGER_COLUMNS: readonly LedgerColumn[] = [
  column('项目编号', 'code', (f) => f.projectId),
  column('项目名称', 'free-text', (f) => f.name),
  column('区划代码', 'code', (f) => f.regionCode),
  column('行业门类', 'code', (f) => f.industry),
  column('行业小类', 'code', (f) => f.industryClass ?? ''),
  column('项目类别', 'label', (f) => CATEGORY_LABELS[f.category]),
  column('项目来源', 'label', (f) => ORIGIN_LABELS[f.origin]),
  column('重点项目级别', 'label', (f) => label(LEVEL_LABELS, f.level)),
  column('阶段', 'label', (f) => STAGE_LABELS[f.stage]),
  column('总投资（万元）', 'amount', (f) => formatWan(totalInvestment(f))),
  column('计划总投资（万元）', 'amount', (f) => formatWan(f.plannedInvestment)),
  column('合同投资（万元）', 'amount', (f) => amount(f.contractInvestment)),
  column('审批总投资（万元）', 'amount', (f) => amount(f.approvedInvestment)),
  column('累计完成投资（万元）', 'amount', (f) => formatWan(f.completedInvestment)),
  column('到位资金（万元）', 'amount', (f) => formatWan(f.fundsArrived)),
  column('争取资金（万元）', 'amount', (f) => formatWan(f.fundingSecured)),
  column('投资方', 'free-text', (f) => f.investor ?? ''),
  column('登记日期', 'date', (f) => f.dates.ProjectRegistered ?? ''),
  column('洽谈日期', 'date', (f) => f.dates.NegotiationOpened ?? ''),
  column('签约日期', 'date', (f) => f.dates.ProjectSigned ?? ''),
  column('审批日期', 'date', (f) => f.dates.ProjectApproved ?? ''),
  column('供地日期', 'date', (f) => f.dates.LandAcquired ?? ''),
  column('开工日期', 'date', (f) => f.dates.Started ?? ''),
  column('入库入统日期', 'date', (f) => f.dates.StatisticsEntered ?? ''),
  column('竣工日期', 'date', (f) => f.dates.Completed ?? ''),
  column('投产日期', 'date', (f) => f.dates.Commissioned ?? ''),
  // A commissioning in part (投产日期 is its date) says so with its capacity, and its full one's date when that followed.
  column('投产产能（%）', 'number', (f) => (f.commissioning?.partialCapacityPct === undefined ? '' : String(f.commissioning.partialCapacityPct))),
  column('全面投产日期', 'date', (f) => f.commissioning?.fullOn ?? ''),
  column('达产日期', 'date', (f) => f.dates.FullProductionReached ?? ''),
  column('退出日期', 'date', (f) => f.dates.Withdrawn ?? ''),
  column('集中开工批次', 'code', (f) => f.batchId ?? ''),
  column('洽谈预计投资（万元）', 'amount', (f) => amount(f.expectedInvestment)),
  column('投资方来源', 'label', (f) => labelOf(INVESTOR_ORIGIN_LABELS, f.investorOrigin)),
  column('协议类型', 'label', (f) => labelOf(AGREEMENT_TYPE_LABELS, f.agreementType)),
  column('签约活动', 'free-text', (f) => f.signingEvent ?? ''),
  column('承诺开工日期', 'date', (f) => f.promisedStartBy ?? ''),
  column('审批类型', 'label', (f) => labelOf(APPROVAL_KIND_LABELS, f.approvalKind)),
  column('审批机关', 'free-text', (f) => f.approvalAuthority ?? ''),
  column('审批文号', 'free-text', (f) => f.approvalDocumentNo ?? ''),
  column('全国投资项目代码', 'code', (f) => f.nationalProjectCode ?? ''),
  column('供地方式', 'label', (f) => labelOf(LAND_METHOD_LABELS, f.landMethod)),
  column('宗地编号', 'free-text', (f) => f.parcelNo ?? ''),
  column('用地面积（亩）', 'number', (f) => (f.landAreaMu === undefined ? '' : String(f.landAreaMu))),
  column('约定开工日期', 'date', (f) => f.agreedStartBy ?? ''),
  column('入统月份', 'month', (f) => f.statisticsMonth ?? ''),
  column('入统计划总投资（万元）', 'amount', (f) => amount(f.statisticsPlannedInvestment)),
  column('停滞日期', 'date', (f) => f.dates.Stalled ?? ''),
  column('停滞原因', 'label', (f) => labelOf(STALL_REASON_LABELS, f.stallReason)),
  column('复工日期', 'date', (f) => f.dates.Resumed ?? ''),
  column('退出原因', 'free-text', (f) => f.withdrawReason ?? ''),
  column('退出批准机关', 'free-text', (f) => f.withdrawApprovedBy?.authority ?? ''),
  column('完成投资明细（万元）', 'amounts-by-month', (f) => amountsByMonth(f.reported)),
  column('到位资金明细（万元）', 'amounts-by-month', (f) => amountsByMonth(f.fundsByMonth)),
  column('争取资金明细（万元）', 'amounts-by-month', (f) => amountsByMonth(f.securedByMonth)),
  column('预警标记', 'free-text', (f, flagsOf) => flagsOf(f).map((flag) => FLAG_LABELS[flag] ?? flag).join('；')),
  column('版本', 'integer', (f) => String(f.revision)),
];

/** An integer Amount (0.01 万元) as 万元 with exactly two decimals, by integer arithmetic. */
export function formatWan(value: Amount): string {
  const sign = value < 0 ? '-' : '';
  const cents = Math.abs(value);
  const fraction = cents % 100;
  return `${sign}${(cents - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const EMPTY_COLUMN = column('', 'code', () => '');

/** The ledger's cells in ledger order, one string per column: what the CSV writes and the XLSX types. */
export function* ledgerCells(state: LedgerState, flagsOf: FlagsOf, filter: LedgerFilter = {}): Generator<string[]> {
  for (const facts of ledgerFacts(state, filter)) yield LEDGER_COLUMNS.map(({ cell }) => cell(facts, flagsOf));
}

/** The CSV in chunks (the BOM and header first, then one line per project) for streaming. */
export function* ledgerCsvChunks(state: LedgerState, flagsOf: FlagsOf, filter: LedgerFilter = {}): Generator<string> {
  yield BOM + LEDGER_COLUMNS.map(({ header }) => csvCell(header)).join(',') + CRLF;
  const cells = new Array<string>(LEDGER_COLUMNS.length);
  for (const facts of ledgerFacts(state, filter)) {
    for (let i = 0; i < LEDGER_COLUMNS.length; i++) {
      const { cell, kind } = LEDGER_COLUMNS[i] ?? EMPTY_COLUMN;
      const value = cell(facts, flagsOf);
      cells[i] = kind === 'free-text' ? csvCell(value) : value;
    }
    yield cells.join(',') + CRLF;
  }
}

export function ledgerCsv(state: LedgerState, flagsOf: FlagsOf, filter: LedgerFilter = {}): string {
  return [...ledgerCsvChunks(state, flagsOf, filter)].join('');
}
