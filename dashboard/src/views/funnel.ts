/**
 * 三个一批: the reserve (谋划储备, a stock at the period's end), then the projects signed,
 * started and commissioned in the period (flows). The funnel's shape only orders the stages;
 * each stage's label carries its count and investment from the API, and the ≥ 1 亿 share.
 */
import type { PipelineStatistics, SizedFigure } from '../api-types.js';
import { changedSince, chartIn, PALETTE, rem, textStyle, tooltipStyle, type Chart } from '../charts.js';
import { h } from '../dom.js';
import { formatAmount, formatCount } from '../format.js';
import { panel, type Panel } from './panel.js';

const STAGES = [
  { key: 'reserve', label: '谋划储备', note: '期末在库' },
  { key: 'signed', label: '签约一批', note: '合同投资' },
  { key: 'started', label: '开工一批', note: '总投资' },
  { key: 'commissioned', label: '投产一批', note: '总投资' },
] as const;

export class FunnelView {
  readonly panel: Panel = panel('funnel', '三个一批', '谋划 → 签约 → 开工 → 投产');
  private readonly chart: Chart;
  private readonly memo: { drawn?: string } = {};
  private last: PipelineStatistics | undefined;

  constructor() {
    const canvas = h('div', { class: 'chart' });
    this.panel.body.append(canvas);
    this.chart = chartIn(canvas, () => this.draw());
  }

  render(statistics: PipelineStatistics): void {
    this.last = statistics;
    this.draw();
  }

  private draw(): void {
    const statistics = this.last;
    if (statistics === undefined) return;
    if (!changedSince(this.memo, [statistics.reserve, statistics.signed, statistics.started, statistics.commissioned])) return;
    const figures: Record<(typeof STAGES)[number]['key'], SizedFigure> = {
      reserve: statistics.reserve, signed: statistics.signed, started: statistics.started, commissioned: statistics.commissioned,
    };
    this.chart.setOption({
      tooltip: {
        ...tooltipStyle(),
        trigger: 'item',
        formatter: (item: { dataIndex: number }) => {
          const stage = STAGES[item.dataIndex];
          if (stage === undefined) return '';
          const figure = figures[stage.key];
          return [
            `<b>${stage.label}</b>`,
            `项目 ${formatCount(figure.count)} 个，${stage.note} ${formatAmount(figure.investment)}`,
            figure.over1e8 === undefined ? '' : `亿元以上 ${formatCount(figure.over1e8.count)} 个，${formatAmount(figure.over1e8.investment)}`,
            figure.over1e9 === undefined ? '' : `十亿元以上 ${formatCount(figure.over1e9.count)} 个，${formatAmount(figure.over1e9.investment)}`,
          ].filter((line) => line !== '').join('<br>');
        },
      },
      series: [{
        type: 'funnel',
        sort: 'none',
        left: '4%',
        right: '4%',
        top: '4%',
        bottom: '4%',
        minSize: '38%',
        maxSize: '100%',
        gap: rem(0.3),
        label: {
          show: true,
          position: 'inside',
          ...textStyle(0.82),
          color: '#ffffff',
          lineHeight: rem(1.15),
          formatter: (item: { dataIndex: number }) => {
            const stage = STAGES[item.dataIndex];
            if (stage === undefined) return '';
            const figure = figures[stage.key];
            return `{title|${stage.label}}  {count|${formatCount(figure.count)}}{unit| 个}\n{amount|${formatAmount(figure.investment)}}`;
          },
          rich: {
            title: { fontSize: rem(0.8), color: '#e8f3ff' },
            count: { fontSize: rem(1.15), fontWeight: 'bold', color: '#ffffff' },
            unit: { fontSize: rem(0.75), color: '#e8f3ff' },
            amount: { fontSize: rem(0.8), color: '#fff8d6' },
          },
        },
        itemStyle: { borderWidth: 0 },
        // The widths only order the stages; the labels carry the figures.
        data: STAGES.map((stage, index) => ({ name: stage.label, value: 100 - index * 18, itemStyle: { color: PALETTE.funnel[index] } })),
      }],
    }, { replaceMerge: ['series'] });
  }
}
