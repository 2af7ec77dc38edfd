/**
 * The pipeline statistics as a reader at a terminal wants them: one heading line, then
 * 三个一批 and the reserve by size class, money, conversions, 标尺 and 纵尺. Amounts in 万元
 * with two decimals and thousands separators, ratios in percent.
 */
import type { PipelineStatistics, SizedFigure } from '../../projections/pipeline-statistics/index.js';
import { table } from './text-table.js';

export function statsTable(stats: PipelineStatistics, regionName: string | undefined): string {
  const { period } = stats;
  const label = `${period.year}${period.quarter === undefined ? '' : ` Q${period.quarter}`}${period.month === undefined ? '' : `-${String(period.month).padStart(2, '0')}`}`;
  const lines = [
    `${stats.regionCode}${regionName === undefined ? '' : ` ${regionName}`}  ${label}  ${stats.category ?? 'all categories'}`,
    `as of ${stats.asOfDate ?? 'now'} (log position ${count(stats.position)}); months ${stats.months ? `${stats.months.from} … ${stats.months.to}` : 'none yet'}; 序时进度 ${percent(stats.schedule)}`,
    '',
    ...table([
      ['三个一批 (万元)', 'count', 'investment', '≥1亿 count', '≥1亿 investment', '≥10亿 count', '≥10亿 investment'],
      sizedRow('signed 签约', stats.signed),
      sizedRow('started 开工', stats.started),
      sizedRow('commissioned 投产', stats.commissioned),
      sizedRow('reserve 谋划储备', stats.reserve),
    ], [false, true, true, true, true, true, true]),
    `largest signing ${wan(stats.signed.largest)} 万元`,
    '',
    ...table([
      ['money (万元)', 'period', 'year to date', 'since start'],
      ['completed investment 完成投资', wan(stats.completedInvestment.period), wan(stats.completedInvestment.ytd), wan(stats.completedInvestment.sinceStart)],
      ['funds arrived 资金到位', wan(stats.fundsArrived.period), wan(stats.fundsArrived.ytd), wan(stats.fundsArrived.sinceStart)],
      ['funding secured 争取资金', wan(stats.fundingSecured.period), wan(stats.fundingSecured.ytd), ''],
    ], [false, true, true, true]),
    `funds in place 资金到位率 ${percent(stats.fundsInPlace.rate)} (${wan(stats.fundsInPlace.arrived)} of ${wan(stats.fundsInPlace.contract)} 万元 contracted)`,
    '',
    `signing cohort: ${stats.conversion.signed} signed, ${stats.conversion.started} started (开工率 ${percent(stats.conversion.startRate)}; same year ${percent(stats.conversion.sameYearStartRate)}), ` +
      `${stats.conversion.commissioned} commissioned (${percent(stats.conversion.commissionRate)} of started); 四个当年 ${stats.fourSameYear}`,
  ];
  if (stats.targets.length > 0) {
    lines.push('', ...table([
      ['标尺 targets (year to date)', 'target', 'actual', 'done', 'vs 序时进度'],
      ...stats.targets.map((row) => [row.label, number(row.target), number(row.actual), percent(row.ratio), row.aheadPoints === null ? '-' : `${row.aheadPoints > 0 ? '+' : ''}${row.aheadPoints.toFixed(2)} pt`]),
    ], [false, true, true, true, true]));
  }
  lines.push('', ...table([
    [`纵尺 year on year (vs ${stats.yearOnYear.period.year})`, 'now', 'last year', 'growth'],
    ...stats.yearOnYear.rows.map((row) => [row.label, number(row.current), number(row.lastYear), percent(row.growth)]),
  ], [false, true, true, true]));
  return lines.join('\n');
}

function sizedRow(label: string, figure: SizedFigure): string[] {
  return [label, count(figure.count), wan(figure.investment), count(figure.over1e8.count), wan(figure.over1e8.investment), count(figure.over1e9.count), wan(figure.over1e9.investment)];
}

const count = (n: number) => n.toLocaleString('en-US');
const wan = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const number = (n: number) => (Number.isInteger(n) ? count(n) : wan(n));
const percent = (ratio: number | null) => (ratio === null ? '-' : `${(ratio * 100).toFixed(1)} %`);
