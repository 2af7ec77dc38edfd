/** 纵尺: this period against the same months last year, with the API's growth rates. */
import type { PipelineStatistics } from '../api-types.js';
import { fill, h } from '../dom.js';
import { formatGrowth, formatMeasure } from '../format.js';
import { measureOf, YEAR_ON_YEAR_MEASURES } from '../labels.js';
import { emptyState, panel, type Panel } from './panel.js';

export class YearOnYearView {
  readonly panel: Panel = panel('year-on-year', '同比（纵尺）');
  private readonly table = h('table', { class: 'yoy' });

  constructor() {
    this.panel.body.append(this.table);
  }

  render(statistics: PipelineStatistics): void {
    const yearOnYear = statistics.yearOnYear;
    if (yearOnYear === undefined || yearOnYear.rows.length === 0) {
      fill(this.table, h('tbody', {}, h('tr', {}, h('td', {}, emptyState('无同比数据')))));
      return;
    }
    this.panel.note.textContent = `对比 ${yearOnYear.period.year} 年同期`;
    const rows = YEAR_ON_YEAR_MEASURES.flatMap((measure) => {
      const row = yearOnYear.rows.find((r) => r.measure === measure);
      return row === undefined ? [] : [row];
    });
    fill(this.table,
      h('thead', {}, h('tr', {}, h('th', { text: '指标' }), h('th', { text: `${statistics.period.year}年` }), h('th', { text: `${yearOnYear.period.year}年同期` }), h('th', { text: '增长' }))),
      h('tbody', {}, ...rows.map((row) => {
        const { unit, label } = measureOf(row.measure);
        const trend = row.growth === null ? 'flat' : row.growth > 0 ? 'up' : row.growth < 0 ? 'down' : 'flat';
        return h('tr', { data: { measure: row.measure } },
          h('th', { text: row.label ?? label }),
          h('td', { text: formatMeasure(unit, row.current) }),
          h('td', { class: 'muted', text: formatMeasure(unit, row.lastYear) }),
          h('td', { class: `growth ${trend}`, text: `${trend === 'up' ? '▲ ' : trend === 'down' ? '▼ ' : ''}${formatGrowth(row.growth)}` }));
      })));
  }
}
