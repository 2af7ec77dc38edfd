/**
 * A realistic, messy 台账 as a bureau keeps it in Excel, generated from a seed (never checked
 * in): merged title rows above the header, headers in a shuffled order and in their usual
 * variants, regions as names or codes, industries as letters or names, dates as Excel dates
 * and as 2025-03-05 / 2025/3/5 / 2025年3月5日 / 2025.3.5, amounts as numbers or as text with
 * thousands separators, blank optional cells, a blank row, a 合计 row at the bottom, and (when
 * asked) broken rows, each broken in exactly one cell whose row and column it records.
 */
import ExcelJS from 'exceljs';
import { addDays } from '../../../commands/shared/dates.js';
import { between, chance, seeded, type Random } from '../../../bench/history/random.js';

export interface PlantedError {
  readonly row: number;
  /** The header of the column the error is in. */
  readonly column: string;
  readonly kind: PlantedKind;
  /** The rule that refuses it, when a decider does. */
  readonly rule?: string;
}

export type PlantedKind =
  | 'bad-date' | 'bad-category' | 'no-name' | 'bad-amount' | 'unknown-region' | 'complete-before-start'
  | 'stats-before-start' | 'stats-under-500' | 'future-start' | 'commission-without-completion' | 'contract-without-signing';

const KINDS: readonly PlantedKind[] = [
  'bad-date', 'bad-category', 'no-name', 'bad-amount', 'unknown-region', 'complete-before-start',
  'stats-before-start', 'stats-under-500', 'future-start', 'commission-without-completion', 'contract-without-signing',
];

export interface MessyLedger {
  readonly bytes: Buffer;
  readonly format: 'xlsx' | 'csv';
  /** The sheet row numbers of the project rows, good and broken. */
  readonly projectRows: readonly number[];
  readonly planted: readonly PlantedError[];
  /** The rows that must import. */
  readonly goodRows: readonly number[];
  /** Events the good rows imply. */
  readonly goodEvents: number;
  readonly headerRow: number;
  readonly totalRow: number;
}

export interface MessyLedgerOptions {
  readonly rows: number;
  readonly seed: number;
  /** The import's business date: every good date is on or before it. */
  readonly today: string;
  /** Plant a broken row every this many rows (0: none). */
  readonly errorEvery?: number;
  readonly format?: 'xlsx' | 'csv';
  /** Name prefix, so two ledgers of one store do not share projects. */
  readonly namePrefix?: string;
}

const H = {
  no: '序号', name: '项目名称', region: '所在地区', industry: '行业', category: '项目类型', planned: '计划总投资（万元）',
  signed: '签约日期', contract: '签约金额', started: '开工时间', stats: '入库时间', completed: '竣工日期',
  commissioned: '投产日期', invested: '累计完成投资', remark: '备注',
} as const;
type Column = keyof typeof H;

const REGIONS = [['131121', '枣强县'], ['131122', '武邑县'], ['131102', '桃城区']] as const;
const INDUSTRIES = [['C', '制造业'], ['E', '建筑业'], ['G', '交通运输、仓储和邮政业'], ['I', '信息传输、软件和信息技术服务业'], ['A', '农、林、牧、渔业']] as const;
const CATEGORIES = ['工业', '基础设施', '服务业', '社会民生', '农业'] as const;
const WORDS = ['复合材料', '新能源电池', '冷链物流', '智能制造', '城乡供水', '光伏发电', '农产品加工', '文旅综合体', '数据中心', '装备制造', '康养中心', '物流园'];

type Cell = string | number | Date | null;

export async function messyLedger(options: MessyLedgerOptions): Promise<MessyLedger> {
  const rnd = seeded(options.seed);
  const format = options.format ?? 'xlsx';
  const columns = shuffled(rnd, Object.keys(H) as Column[]);
  const headerRow = 3;
  const table: Cell[][] = [];
  const planted: PlantedError[] = [];
  const projectRows: number[] = [];
  const goodRows: number[] = [];
  let goodEvents = 0;
  let plannedSum = 0;
  let rowNumber = headerRow;
  let kindIndex = 0;
  for (let i = 1; i <= options.rows; i++) {
    rowNumber += 1;
    if (i === Math.floor(options.rows / 2)) {
      table.push(columns.map(() => null)); // a blank row in the middle: skipped
      rowNumber += 1;
    }
    const every = options.errorEvery ?? 0;
    const kind = every > 0 && i % every === 0 ? KINDS[kindIndex++ % KINDS.length] : undefined;
    const project = projectRow(rnd, i, options, kind);
    projectRows.push(rowNumber);
    if (kind === undefined) {
      goodRows.push(rowNumber);
      goodEvents += project.events;
    } else {
      planted.push({ row: rowNumber, column: H[project.broken ?? 'name'], kind, ...(project.rule === undefined ? {} : { rule: project.rule }) });
    }
    plannedSum += project.planned;
    table.push(columns.map((column) => project.cells[column] ?? null));
  }
  rowNumber += 1;
  table.push(columns.map((column) => (column === 'name' ? '合计' : column === 'planned' ? Math.round(plannedSum * 100) / 100 : null)));
  const title = `${options.namePrefix ?? ''}衡水市重点项目建设台账（截至${options.today}）`;
  const bytes = format === 'xlsx' ? await xlsxOf(title, columns, table) : csvOf(title, columns, table);
  return { bytes, format, projectRows, planted, goodRows, goodEvents, headerRow, totalRow: rowNumber };
}

interface ProjectRow {
  readonly cells: Partial<Record<Column, Cell>>;
  readonly planned: number;
  readonly events: number;
  readonly broken?: Column;
  readonly rule?: string;
}

function projectRow(rnd: Random, i: number, options: MessyLedgerOptions, kind: PlantedKind | undefined): ProjectRow {
  const [code, regionName] = REGIONS[between(rnd, 0, REGIONS.length - 1)] ?? REGIONS[0];
  const [letter, industryName] = INDUSTRIES[between(rnd, 0, INDUSTRIES.length - 1)] ?? INDUSTRIES[0];
  // Stage: 0 planned, 1 signed, 2 started, 3 in the statistics, 4 completed, 5 commissioned.
  let stage = between(rnd, 0, 5);
  if (kind === 'complete-before-start' || kind === 'commission-without-completion') stage = 5;
  if (kind === 'stats-under-500' || kind === 'stats-before-start') stage = 3;
  if (kind === 'future-start' || kind === 'contract-without-signing') stage = 2;
  const statsRow = stage >= 3;
  let planned = between(rnd, statsRow ? 600 : 100, 80_000) + between(rnd, 0, 99) / 100;
  if (kind === 'stats-under-500') planned = between(rnd, 100, 450);
  const contract = statsRow && kind !== 'stats-under-500' ? Math.max(600, planned + between(rnd, -50, 5_000)) : kind === 'stats-under-500' ? planned : planned + between(rnd, 0, 3_000);
  const signedOn = addDays('2024-01-01', between(rnd, 0, 600));
  const startedOn = addDays(signedOn, between(rnd, 5, 90));
  const statsOn = addDays(startedOn, between(rnd, 0, 25));
  const completedOn = addDays(startedOn, between(rnd, 60, 200));
  const commissionedOn = addDays(completedOn, between(rnd, 0, 40));
  const cells: Partial<Record<Column, Cell>> = {
    no: i,
    name: `${options.namePrefix ?? ''}${WORDS[i % WORDS.length] ?? '产业'}项目${String(i).padStart(4, '0')}号`,
    region: chance(rnd, 0.5) ? code : regionName,
    industry: chance(rnd, 0.4) ? letter : chance(rnd, 0.5) ? industryName : `${letter} ${industryName}`,
    category: CATEGORIES[between(rnd, 0, CATEGORIES.length - 1)] ?? '工业',
    planned: amountCell(rnd, planned),
    remark: chance(rnd, 0.1) ? '重点推进' : null,
  };
  let events = 1;
  if (stage >= 1) {
    cells.signed = dateCell(rnd, signedOn);
    cells.contract = amountCell(rnd, contract);
    events += 1;
  }
  if (stage >= 2) {
    cells.started = dateCell(rnd, startedOn);
    events += 1;
    if (chance(rnd, 0.6)) {
      cells.invested = amountCell(rnd, between(rnd, 1, Math.max(1, Math.floor(planned))));
      events += 1;
    }
  }
  if (stage >= 3) { cells.stats = dateCell(rnd, statsOn); events += 1; }
  if (stage >= 4) { cells.completed = dateCell(rnd, completedOn); events += 1; }
  if (stage >= 5) { cells.commissioned = dateCell(rnd, commissionedOn); events += 1; }
  const broken = plant(rnd, cells, kind, { startedOn, signedOn });
  return { cells, planned, events, ...broken };
}

function plant(rnd: Random, cells: Partial<Record<Column, Cell>>, kind: PlantedKind | undefined, dates: { startedOn: string; signedOn: string }): { broken?: Column; rule?: string } {
  switch (kind) {
    case undefined:
      return {};
    case 'bad-date': {
      const column: Column = cells.started !== undefined ? 'started' : 'signed';
      cells[column] = chance(rnd, 0.5) ? '2025-02-30' : '2025年13月1日';
      if (cells.signed === undefined) cells.contract = null;
      return { broken: column };
    }
    case 'bad-category':
      cells.category = '其他类';
      return { broken: 'category' };
    case 'no-name':
      cells.name = null;
      return { broken: 'name' };
    case 'bad-amount':
      cells.planned = '约三千万';
      return { broken: 'planned' };
    case 'unknown-region':
      cells.region = '139999';
      return { broken: 'region', rule: 'region-unknown' };
    case 'complete-before-start':
      cells.completed = addDays(dates.startedOn, -3);
      cells.commissioned = addDays(dates.startedOn, 30);
      return { broken: 'completed', rule: 'milestone-dates-in-order' };
    case 'stats-before-start':
      cells.started = null;
      cells.invested = null;
      cells.completed = null;
      cells.commissioned = null;
      return { broken: 'stats', rule: 'statistics-needs-started' };
    case 'stats-under-500':
      return { broken: 'stats', rule: 'statistics-threshold-500wan' };
    case 'future-start':
      cells.started = '2026-09-01';
      cells.invested = null;
      return { broken: 'started', rule: 'occurred-on-not-in-future' };
    case 'commission-without-completion':
      cells.completed = null;
      return { broken: 'commissioned', rule: 'stage-cannot-be-skipped' };
    case 'contract-without-signing':
      cells.signed = null;
      return { broken: 'signed' };
    default: {
      const unhandled: never = kind;
      return unhandled;
    }
  }
}

function dateCell(rnd: Random, iso: string): Cell {
  const [y, m, d] = iso.split('-');
  switch (between(rnd, 0, 4)) {
    case 0: return new Date(`${iso}T00:00:00Z`);
    case 1: return iso;
    case 2: return `${y}/${Number(m)}/${Number(d)}`;
    case 3: return `${y}年${Number(m)}月${Number(d)}日`;
    default: return `${y}.${Number(m)}.${Number(d)}`;
  }
}

function amountCell(rnd: Random, value: number): Cell {
  const rounded = Math.round(value * 100) / 100;
  return chance(rnd, 0.5) ? rounded : rounded.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function shuffled<T>(rnd: Random, items: readonly T[]): T[] {
  const copy = [...items];
  // The name first sometimes, as most ledgers have it; else anywhere.
  for (let i = copy.length - 1; i > 0; i--) {
    const j = between(rnd, 0, i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function xlsxOf(title: string, columns: readonly Column[], table: readonly Cell[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('台账');
  sheet.getCell(1, 1).value = title;
  sheet.mergeCells(1, 1, 1, columns.length);
  sheet.getCell(2, 1).value = '填报单位：衡水市项目办　　金额单位：万元';
  sheet.mergeCells(2, 1, 2, columns.length);
  sheet.getRow(3).values = columns.map((c) => H[c]);
  table.forEach((cells, i) => {
    const row = sheet.getRow(4 + i);
    row.values = cells.map((cell) => cell ?? null);
    cells.forEach((cell, c) => { if (cell instanceof Date) row.getCell(c + 1).numFmt = 'yyyy"年"m"月"d"日"'; });
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function csvOf(title: string, columns: readonly Column[], table: readonly Cell[][]): Buffer {
  const text = (cell: Cell): string => {
    if (cell === null) return '';
    const value = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell);
    return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  };
  const lines = [text(title), '填报单位：衡水市项目办', columns.map((c) => H[c]).join(','), ...table.map((cells) => cells.map(text).join(','))];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
