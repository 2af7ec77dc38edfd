/**
 * 标尺: each annual target's completion (the API's `ratio`) as a bar, the 序时进度 (`schedule`)
 * as a tick across it, and the points ahead or behind (`aheadPoints`) beside it. Stock and
 * breakthrough measures have no schedule (null): no tick, no points, only the completion.
 */
import type { TargetRow } from '../api-types.js';
import { changedSince, chartIn, PALETTE, rem, textStyle, tooltipStyle, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { formatMeasure, formatPoints, formatRatio } from '../format.js';
import { measureOf } from '../labels.js';
import { emptyState, panel, type Panel } from './panel.js';

/** Bars are drawn up to this completion; the label still says the whole figure. */
const DRAWN_UP_TO = 1.5;

export class TargetsView {
  readonly panel: Panel = panel('targets', '目标完成（标尺）', '完成率 · 序时进度 · 超/落后百分点');
  private readonly canvas = h('div', { class: 'chart' });
  private readonly empty = emptyState('本年未设目标');
  private readonly chart: Chart;
  private readonly memo: { drawn?: string } = {};
  private rows: readonly TargetRow[] = [];

  constructor() {
    this.panel.body.append(this.canvas);
    this.chart = chartIn(this.canvas, () => this.draw());
  }

  render(rows: readonly TargetRow[]): void {
    this.rows = rows;
    if (rows.length === 0) {
      if (!this.empty.isConnected) this.panel.body.append(this.empty);
    } else {
      this.empty.remove();
    }
    this.draw();
  }

  private draw(): void {
    const rows = this.rows;
    if (!changedSince(this.memo, rows)) return;
    const labelOf = (row: TargetRow) => row.label ?? measureOf(row.measure).label;
    // `met` says it for every measure (stocks too, which have no points); points where it is absent
    const colorOf = (row: TargetRow) => row.met !== undefined ? (row.met ? PALETTE.ahead : PALETTE.behind)
      : row.aheadPoints === null ? PALETTE.neutral : row.aheadPoints >= 0 ? PALETTE.ahead : PALETTE.behind;
    const axisLabel = { ...textStyle(0.75), color: PALETTE.muted };
    this.chart.setOption({
      grid: { left: rem(0.5), right: rem(0.5), top: rem(0.4), bottom: rem(0.4), containLabel: true },
      tooltip: {
        ...tooltipStyle(),
        trigger: 'item',
        formatter: (item: { dataIndex: number }) => {
          const row = rows[item.dataIndex];
          if (row === undefined) return '';
          const unit = measureOf(row.measure).unit;
          return [
            `<b>${labelOf(row)}</b>`,
            `目标 ${formatMeasure(unit, row.target)}，完成 ${formatMeasure(unit, row.actual)}`,
            `完成率 ${formatRatio(row.ratio)}`,
            row.schedule === null ? '存量 / 突破性指标：不计序时进度' : `序时进度 ${formatRatio(row.schedule)}，${aheadText(row.aheadPoints)}`,
          ].join('<br>');
        },
      },
      xAxis: { type: 'value', min: 0, max: DRAWN_UP_TO * 100, show: false },
      yAxis: [
        {
          type: 'category', inverse: true, data: rows.map(labelOf),
          axisLabel: { ...axisLabel, color: PALETTE.text, fontSize: rem(0.78) }, axisLine: { show: false }, axisTick: { show: false },
        },
        {
          // The figures beside each bar: completion and points ahead or behind, in a column of their own.
          type: 'category', inverse: true, position: 'right', data: rows.map((row) => row.measure),
          axisLine: { show: false }, axisTick: { show: false },
          axisLabel: {
            align: 'left',
            margin: rem(0.6),
            formatter: (_value: string, index: number) => {
              const row = rows[index];
              if (row === undefined) return '';
              return row.aheadPoints === null ? `{ratio|${formatRatio(row.ratio)}}` : `{ratio|${formatRatio(row.ratio)}} {${row.aheadPoints >= 0 ? 'ahead' : 'behind'}|${formatPoints(row.aheadPoints)}}`;
            },
            rich: {
              ratio: { ...textStyle(0.8), fontWeight: 'bold', width: rem(3.6), align: 'right' },
              ahead: { ...textStyle(0.75), color: PALETTE.ahead },
              behind: { ...textStyle(0.75), color: PALETTE.behind },
            },
          },
        },
      ],
      series: [
        {
          type: 'bar',
          barWidth: '52%',
          showBackground: true,
          backgroundStyle: { color: 'rgba(120, 160, 220, 0.10)', borderRadius: 4 },
          itemStyle: { borderRadius: 4 },
          data: rows.map((row) => ({
            value: row.ratio === null ? 0 : Math.min(row.ratio, DRAWN_UP_TO) * 100,
            itemStyle: { color: colorOf(row) },
          })),
          markLine: {
            silent: true, symbol: 'none', label: { show: false },
            lineStyle: { color: 'rgba(214, 230, 255, 0.25)', type: 'dotted' },
            data: [{ xAxis: 100 }],
          },
        },
        {
          type: 'scatter',
          symbol: 'rect',
          symbolSize: [3, rem(1.1)],
          itemStyle: { color: PALETTE.schedule },
          tooltip: { show: false },
          z: 5,
          // [x, the row's index on the category axis]; '-' leaves a row without schedule blank.
          data: rows.map((row, index) => [row.schedule === null ? '-' : Math.min(row.schedule, DRAWN_UP_TO) * 100, index]),
        },
      ],
    }, { replaceMerge: ['series'] });
  }
}

function aheadText(points: number | null): string {
  if (points === null) return '';
  return points >= 0 ? `超序时 ${formatPoints(points)} 个百分点` : `落后序时 ${formatPoints(points)} 个百分点`;
}
