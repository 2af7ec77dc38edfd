/**
 * The monthly report workbook a bureau sends upward (月报): for a region and a month, 三个一批
 * by child region (signed, started, commissioned in the month, the reserve at its end, completed
 * investment), the annual targets against 序时进度, the 红黑榜 of its child regions, and the
 * compliance counts. Pure: built from the statistics answers as the API gives them, so every
 * figure is the API's figure for the same region and month.
 */
import type ExcelJS from 'exceljs';
import { excelJs } from '../exceljs.js';
import type { PipelineStatistics, SizedFigure } from '../../../projections/pipeline-statistics/query.js';
import type { Rankings } from '../../../projections/rankings/index.js';
import { AMOUNT_FORMAT } from './ledger-workbook.js';

export interface MonthlyReportInput {
  readonly regionCode: string;
  readonly regionName: string;
  /** `YYYY-MM`. */
  readonly month: string;
  /** The business date the figures are judged at. */
  readonly asOfDate: string;
  /** The global position the figures reflect. */
  readonly position: number;
  /** The region as a whole, for the month. */
  readonly region: PipelineStatistics;
  /** Each child region, for the month. */
  readonly children: readonly { readonly regionCode: string; readonly name: string; readonly statistics: PipelineStatistics }[];
  readonly rankings: readonly (Rankings & { readonly label: string })[];
  readonly compliance: readonly { readonly kind: string; readonly label: string; readonly count: number }[];
}

const PERCENT = '0.00%';
const POINTS = '+0.00;-0.00;0.00';

export async function monthlyReportWorkbook(input: MonthlyReportInput): Promise<Buffer> {
  const workbook = new (await excelJs()).Workbook();
  workbook.creator = '项目为王 pipeline';
  const [year, month] = input.month.split('-').map(Number);
  const title = `${input.regionName}${year}年${month}月项目建设月报`;
  threeBatches(workbook.addWorksheet('三个一批'), title, input);
  targets(workbook.addWorksheet('目标进度'), title, input);
  redBlackList(workbook.addWorksheet('红黑榜'), title, input);
  compliance(workbook.addWorksheet('问题清单'), title, input);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A merged title row, and a line saying when and of what the figures are. */
function heading(sheet: ExcelJS.Worksheet, title: string, width: number, input: MonthlyReportInput): void {
  sheet.mergeCells(1, 1, 1, width);
  const cell = sheet.getCell(1, 1);
  cell.value = title;
  cell.font = { bold: true, size: 14 };
  cell.alignment = { horizontal: 'center' };
  sheet.getCell(2, 1).value = `区划 ${input.regionCode}　统计截至 ${input.asOfDate}　数据位置 ${input.position}　金额单位：万元`;
}

function header(sheet: ExcelJS.Worksheet, row: number, labels: readonly string[]): void {
  const r = sheet.getRow(row);
  r.values = [...labels];
  r.font = { bold: true };
  r.alignment = { horizontal: 'center', wrapText: true };
  sheet.views = [{ state: 'frozen', ySplit: row }];
}

const THREE_BATCH_HEADERS = [
  '地区', '区划代码',
  '签约项目数', '签约金额', '亿元以上签约数', '亿元以上签约金额',
  '开工项目数', '开工项目总投资', '亿元以上开工数',
  '投产项目数', '投产项目总投资',
  '谋划储备项目数', '谋划储备总投资',
  '本月完成投资', '本年累计完成投资',
];

function threeBatchCells(name: string, code: string, s: PipelineStatistics): ExcelJS.CellValue[] {
  const sized = (f: SizedFigure) => [f.count, f.investment];
  return [
    name, code,
    ...sized(s.signed), s.signed.over1e8.count, s.signed.over1e8.investment,
    ...sized(s.started), s.started.over1e8.count,
    ...sized(s.commissioned),
    ...sized(s.reserve),
    s.completedInvestment.period, s.completedInvestment.ytd,
  ];
}

function threeBatches(sheet: ExcelJS.Worksheet, title: string, input: MonthlyReportInput): void {
  heading(sheet, `${title}（三个一批）`, THREE_BATCH_HEADERS.length, input);
  header(sheet, 4, THREE_BATCH_HEADERS);
  for (const child of input.children) sheet.addRow(threeBatchCells(child.name, child.regionCode, child.statistics));
  const total = sheet.addRow(threeBatchCells(`${input.regionName}（全域）`, input.regionCode, input.region));
  total.font = { bold: true };
  sheet.columns.forEach((column, i) => {
    column.width = i === 0 ? 22 : 14;
    const label = THREE_BATCH_HEADERS[i] ?? '';
    if (/金额|总投资|投资$/.test(label)) column.numFmt = AMOUNT_FORMAT;
  });
}

function targets(sheet: ExcelJS.Worksheet, title: string, input: MonthlyReportInput): void {
  const labels = ['指标', '年度目标', '本年累计完成', '完成率', '序时进度', '超（+）欠（−）序时进度（百分点）'];
  heading(sheet, `${title}（目标任务完成情况）`, labels.length, input);
  header(sheet, 4, labels);
  for (const row of input.region.targets) {
    sheet.addRow([row.label, row.target, row.actual, row.ratio, row.schedule ?? null, row.aheadPoints]);
  }
  if (input.region.targets.length === 0) sheet.addRow(['（本年未设目标）']);
  const widths = [26, 16, 16, 10, 10, 18];
  const formats = [undefined, '#,##0.##', '#,##0.##', PERCENT, PERCENT, POINTS];
  sheet.columns.forEach((column, i) => {
    column.width = widths[i] ?? 12;
    const format = formats[i];
    if (format !== undefined) column.numFmt = format;
  });
}

function redBlackList(sheet: ExcelJS.Worksheet, title: string, input: MonthlyReportInput): void {
  const labels = ['指标', '排名', '地区', '区划代码', '数值', '红黑榜'];
  heading(sheet, `${title}（红黑榜）`, labels.length, input);
  header(sheet, 4, labels);
  for (const ranking of input.rankings) {
    for (const row of ranking.rows) {
      const added = sheet.addRow([ranking.label, row.rank, row.name, row.regionCode, row.value, row.mark === 'red' ? '红榜' : row.mark === 'black' ? '黑榜' : '']);
      if (row.mark === 'red') added.getCell(6).font = { color: { argb: 'FFC00000' }, bold: true };
      if (row.mark === 'black') added.getCell(6).font = { bold: true };
    }
  }
  if (input.rankings.every((r) => r.rows.length === 0)) sheet.addRow(['（无下级地区）']);
  const widths = [22, 6, 20, 14, 16, 8];
  sheet.columns.forEach((column, i) => { column.width = widths[i] ?? 12; });
  sheet.getColumn(5).numFmt = '#,##0.####';
}

function compliance(sheet: ExcelJS.Worksheet, title: string, input: MonthlyReportInput): void {
  const labels = ['问题类型', '代码', '项目数'];
  heading(sheet, `${title}（问题清单）`, labels.length, input);
  header(sheet, 4, labels);
  for (const row of input.compliance) sheet.addRow([row.label, row.kind, row.count]);
  const widths = [26, 28, 10];
  sheet.columns.forEach((column, i) => { column.width = widths[i] ?? 12; });
}
