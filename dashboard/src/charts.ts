/**
 * ECharts, bundled from npm with only the charts and components the page draws, and the
 * page's look for them. A chart follows its container's size.
 */
import * as echarts from 'echarts/core';
import { BarChart, FunnelChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, FunnelChart, LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export type Chart = echarts.ECharts;

export const PALETTE = {
  text: '#d6e6ff',
  muted: '#8fa9cc',
  axis: '#2b4a78',
  split: 'rgba(120, 160, 220, 0.12)',
  accent: '#3fd0ff',
  current: '#3fa7ff',
  lastYear: 'rgba(143, 169, 204, 0.45)',
  ahead: '#20d39b',
  behind: '#ff8a3d',
  neutral: '#4aa3ff',
  schedule: '#ffd54a',
  red: '#ff4d5e',
  black: '#6b7280',
  funnel: ['#3fa7ff', '#20d3c2', '#7c8cff', '#ffb347'],
} as const;

/** The root font size in px: charts scale their text with the page. */
export function rem(times = 1): number {
  const size = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Math.round((Number.isFinite(size) ? size : 16) * times);
}

/**
 * A chart in `container`, resized with it; `redraw` runs again after a resize, so text sizes
 * that follow the page's font size follow it too.
 */
export function chartIn(container: HTMLElement, redraw: () => void): Chart {
  const chart = echarts.init(container, undefined, { renderer: 'canvas', locale: 'ZH' });
  // Live updates move bars and labels briefly; only the first drawing takes its time.
  chart.setOption({ animationDuration: 600, animationDurationUpdate: 250, animationEasingUpdate: 'cubicOut' });
  let pending: number | undefined;
  new ResizeObserver(() => {
    if (pending !== undefined) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      pending = undefined;
      chart.resize();
      redraw();
    });
  }).observe(container);
  return chart;
}

export function textStyle(times = 0.85): { color: string; fontSize: number; fontFamily: string } {
  return { color: PALETTE.text, fontSize: rem(times), fontFamily: getComputedStyle(document.body).fontFamily };
}

export const tooltipStyle = () => ({
  backgroundColor: 'rgba(6, 20, 45, 0.94)',
  borderColor: PALETTE.axis,
  textStyle: textStyle(0.8),
  confine: true,
});

/**
 * Whether a chart drawn from `inputs` would differ from the last one drawn into `memo`: the
 * inputs and the page's text size (which every chart's text follows). Live events redraw the
 * statistics many times a second under load; a chart whose figures did not move is left alone.
 */
export function changedSince(memo: { drawn?: string }, inputs: unknown): boolean {
  const key = JSON.stringify([inputs, rem()]);
  if (memo.drawn === key) return false;
  memo.drawn = key;
  return true;
}
