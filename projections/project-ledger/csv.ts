/**
 * The ledger as CSV for Excel: UTF-8 with a BOM (else Excel reads GBK and garbles the
 * Chinese), CRLF line ends, RFC 4180 quoting, amounts in 万元 with exactly 2 decimals, and
 * formula injection neutralised (OWASP: a cell starting with = + - @, tab or CR gets a leading
 * apostrophe, so a project named "=HYPERLINK(…)" stays text).
 */
import type { Amount } from '../../commands/shared/money.js';
import { totalInvestment, type ProjectFacts, type Stage } from '../shared/project-facts.js';
import type { LedgerState } from './projection.js';
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

const CATEGORY_LABELS: Readonly<Record<ProjectFacts['category'], string>> = {
  industrial: '工业',
  infrastructure: '基础设施',
  services: '服务业',
  public: '社会民生',
  agriculture: '农业',
};

const ORIGIN_LABELS: Readonly<Record<ProjectFacts['origin'], string>> = {
  attracted: '招商引资',
  local: '本地',
  government: '政府投资',
};

const LEVEL_LABELS: Readonly<Record<NonNullable<ProjectFacts['level']>, string>> = {
  county: '县级重点',
  city: '市级重点',
  province: '省级重点',
};

const FLAG_LABELS: Readonly<Record<string, string>> = {
  'started-without-approval': '未批先建',
  'late-report': '迟报',
};

/**
 * A column: its header, its cell, and whether the cell is free text. Only free text (what users
 * type) can hold quotes, separators or a leading = + - @; the other cells are ids, codes, dates,
 * amounts and fixed labels, which cannot, so they skip escaping (a 10^5-row export has millions
 * of cells).
 */
type Column = readonly [header: string, cell: (f: ProjectFacts) => string, freeText?: 'free-text'];

const amount = (value: Amount | undefined): string => (value === undefined ? '' : formatWan(value));

export const LEDGER_COLUMNS: readonly Column[] = [
  ['项目编号', (f) => f.projectId],
  ['项目名称', (f) => f.name, 'free-text'],
  ['区划代码', (f) => f.regionCode],
  ['行业门类', (f) => f.industry],
  ['行业小类', (f) => f.industryClass ?? ''],
  ['项目类别', (f) => CATEGORY_LABELS[f.category]],
  ['项目来源', (f) => ORIGIN_LABELS[f.origin]],
  ['重点项目级别', (f) => (f.level === undefined ? '' : LEVEL_LABELS[f.level])],
  ['阶段', (f) => STAGE_LABELS[f.stage]],
  ['总投资（万元）', (f) => formatWan(totalInvestment(f))],
  ['计划总投资（万元）', (f) => formatWan(f.plannedInvestment)],
  ['合同投资（万元）', (f) => amount(f.contractInvestment)],
  ['审批总投资（万元）', (f) => amount(f.approvedInvestment)],
  ['累计完成投资（万元）', (f) => formatWan(f.completedInvestment)],
  ['到位资金（万元）', (f) => formatWan(f.fundsArrived)],
  ['争取资金（万元）', (f) => formatWan(f.fundingSecured)],
  ['投资方', (f) => f.investor ?? '', 'free-text'],
  ['登记日期', (f) => f.dates.ProjectRegistered ?? ''],
  ['洽谈日期', (f) => f.dates.NegotiationOpened ?? ''],
  ['签约日期', (f) => f.dates.ProjectSigned ?? ''],
  ['审批日期', (f) => f.dates.ProjectApproved ?? ''],
  ['供地日期', (f) => f.dates.LandAcquired ?? ''],
  ['开工日期', (f) => f.dates.Started ?? ''],
  ['入库入统日期', (f) => f.dates.StatisticsEntered ?? ''],
  ['竣工日期', (f) => f.dates.Completed ?? ''],
  ['投产日期', (f) => f.dates.Commissioned ?? ''],
  ['达产日期', (f) => f.dates.FullProductionReached ?? ''],
  ['退出日期', (f) => f.dates.Withdrawn ?? ''],
  ['集中开工批次', (f) => f.batchId ?? ''],
  ['预警标记', (f) => f.flags.map((flag) => FLAG_LABELS[flag] ?? flag).join('；'), 'free-text'],
  ['版本', (f) => String(f.revision)],
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

/** The CSV in chunks (the BOM and header first, then one line per project) for streaming. */
export function* ledgerCsvChunks(state: LedgerState, filter: LedgerFilter = {}): Generator<string> {
  yield BOM + LEDGER_COLUMNS.map(([header]) => csvCell(header)).join(',') + CRLF;
  const cells = new Array<string>(LEDGER_COLUMNS.length);
  for (const facts of ledgerFacts(state, filter)) {
    for (let i = 0; i < LEDGER_COLUMNS.length; i++) {
      const [, cell, freeText] = LEDGER_COLUMNS[i] ?? ['', () => ''];
      const value = cell(facts);
      cells[i] = freeText === undefined ? value : csvCell(value);
    }
    yield cells.join(',') + CRLF;
  }
}

export function ledgerCsv(state: LedgerState, filter: LedgerFilter = {}): string {
  return [...ledgerCsvChunks(state, filter)].join('');
}
