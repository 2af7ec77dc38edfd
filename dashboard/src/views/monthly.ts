/**
 * Completed investment by month (the statistics of each month of the year, one query a
 * month): this year's and the same month last year's (纵尺) as bars, and, where the region has
 * a completed-investment target, the cumulative completion rate against the 序时进度 line
 * (both the API's `ratio` and `schedule` of that target at each month's end).
 */
import type { PipelineStatistics } from '../api-types.js';
import { changedSince, chartIn, PALETTE, rem, textStyle, tooltipStyle, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { formatAmount, formatRatio, WAN_PER_YI } from '../format.js';
import { emptyState, panel, type Panel } from './panel.js';

export interface MonthStatistics {
  readonly month: number;
  /** Undefined when the month has not begun (the API says so with `months: null`). */
  readonly statistics: PipelineStatistics | undefined;
}

const MEASURE = 'completedInvestment';

export class MonthlyView {
  readonly panel: Panel = panel('monthly', '月度完成投资', '本年 · 去年同期 · 序时进度');
  private readonly canvas = h('div', { class: 'chart' });
  private readonly chart: Chart;
  private readonly memo: { drawn?: string } = {};
  private last: { readonly year: number; readonly months: readonly MonthStatistics[] } | undefined;

  constructor() {
    this.panel.body.append(this.canvas);
    this.chart = chartIn(this.canvas, () => this.draw());
  }

  render(year: number, months: readonly MonthStatistics[]): void {
    this.last = { year, months };
    this.draw();
  }

  private draw(): void {
    const last = this.last;
    if (last === undefined) return;
    const begun = last.months.filter((m) => m.statistics !== undefined);
    const target = (m: MonthStatistics) => m.statistics?.targets.find((row) => row.measure === MEASURE);
    const hasTarget = begun.some((m) => target(m) !== undefined);
    const lastYearOf = (m: MonthStatistics) => m.statistics?.yearOnYear?.rows.find((row) => row.measure === MEASURE)?.lastYear;
    const drawnFrom = last.months.map((m) => [m.month, m.statistics?.completedInvestment, lastYearOf(m), target(m)]);
    if (!changedSince(this.memo, [last.year, drawnFrom])) return;
    this.panel.note.textContent = hasTarget ? '' : '未设完成投资目标：不显示序时进度';
    const yi = (wan: number | undefined) => (wan === undefined ? '-' : wan / WAN_PER_YI);
    const percent = (value: number | null | undefined) => (value === null || value === undefined ? '-' : value * 100);
    const months = last.months.map((m) => `${m.month}月`);
    const axisLabel = { ...textStyle(0.75), color: PALETTE.muted };
    this.chart.setOption({
      textStyle: textStyle(0.8),
      color: [PALETTE.current, PALETTE.lastYear, PALETTE.ahead, PALETTE.schedule],
      legend: { top: 0, left: 'center', textStyle: { ...textStyle(0.75), color: PALETTE.muted }, itemWidth: rem(1), itemHeight: rem(0.6) },
      grid: { left: rem(3.2), right: hasTarget ? rem(3.2) : rem(1), top: rem(2.2), bottom: rem(1.6) },
      tooltip: {
        ...tooltipStyle(),
        trigger: 'axis',
        formatter: (items: ReadonlyArray<{ dataIndex: number }>) => {
          const index = items[0]?.dataIndex;
          const month = index === undefined ? undefined : last.months[index];
          if (month?.statistics === undefined) return '';
          const row = target(month);
          return [
            `<b>${last.year}年${month.month}月</b>`,
            `本月完成 ${formatAmount(month.statistics.completedInvestment.period)}`,
            `去年同期 ${formatAmount(lastYearOf(month))}`,
            `年累计 ${formatAmount(month.statistics.completedInvestment.ytd)}`,
            row === undefined ? '' : `累计完成率 ${formatRatio(row.ratio)}，序时进度 ${formatRatio(row.schedule)}`,
          ].filter((line) => line !== '').join('<br>');
        },
      },
      xAxis: { type: 'category', data: months, axisLabel, axisLine: { lineStyle: { color: PALETTE.axis } }, axisTick: { show: false } },
      yAxis: [
        { type: 'value', name: '亿元', nameTextStyle: axisLabel, axisLabel, splitLine: { lineStyle: { color: PALETTE.split } } },
        { type: 'value', name: '%', show: hasTarget, nameTextStyle: axisLabel, axisLabel: { ...axisLabel, formatter: '{value}%' }, splitLine: { show: false }, min: 0 },
      ],
      series: [
        { name: '本年完成', type: 'bar', barGap: '10%', barMaxWidth: rem(1.2), data: last.months.map((m) => yi(m.statistics?.completedInvestment.period)), itemStyle: { borderRadius: [3, 3, 0, 0] } },
        { name: '去年同期', type: 'bar', barMaxWidth: rem(1.2), data: last.months.map((m) => yi(lastYearOf(m))), itemStyle: { borderRadius: [3, 3, 0, 0] } },
        ...(hasTarget ? [
          { name: '累计完成率', type: 'line', yAxisIndex: 1, symbolSize: rem(0.45), lineStyle: { width: 3 }, data: last.months.map((m) => percent(target(m)?.ratio)) },
          { name: '序时进度', type: 'line', yAxisIndex: 1, symbol: 'none', lineStyle: { width: 2, type: 'dashed' }, data: last.months.map((m) => percent(target(m)?.schedule)) },
        ] : []),
      ],
    }, { replaceMerge: ['series'] });
    if (begun.length === 0) this.panel.note.textContent = '本年尚无数据';
  }

  /** Shown instead of the chart when the months could not be read. */
  fail(message: string): void {
    delete this.memo.drawn;
    this.panel.note.replaceChildren(emptyState(message, 'error'));
  }
}
