/**
 * 横尺: the child regions ranked on a measure (the API's rank, value and 红黑榜 mark). A row
 * opens its region (drill-down). The bar beside each value only shows its size against the
 * first row's; the value itself is the API's.
 */
import type { RankingRow, Rankings } from '../api-types.js';
import { fill, h } from '../dom.js';
import { formatMeasure } from '../format.js';
import { MEASURE_LABELS, measureOf } from '../labels.js';
import { emptyState, panel, type Panel } from './panel.js';

export interface RankingsHandlers {
  onOpenRegion(code: string): void;
  onMeasure(measure: string): void;
}

const MARKS: Readonly<Record<'red' | 'black', string>> = { red: '红榜', black: '黑榜' };

export class RankingsView {
  readonly panel: Panel = panel('rankings', '区域排名（横尺）');
  private readonly list = h('ol', { class: 'ranking' });
  private readonly select = h('select', { class: 'control', attrs: { 'aria-label': '排名指标', name: 'measure' } });

  constructor(private readonly handlers: RankingsHandlers) {
    for (const [key, measure] of Object.entries(MEASURE_LABELS)) this.select.append(h('option', { text: measure.label, attrs: { value: key } }));
    this.select.addEventListener('change', () => this.handlers.onMeasure(this.select.value));
    this.panel.tools.append(this.select);
    this.panel.body.append(this.list);
  }

  set measure(measure: string) {
    if (!Array.from(this.select.options).some((option) => option.value === measure)) {
      this.select.append(h('option', { text: measureOf(measure).label, attrs: { value: measure } }));
    }
    this.select.value = measure;
  }

  render(rankings: Rankings): void {
    const { unit, label } = measureOf(rankings.measure);
    this.panel.note.textContent = rankings.listSize === undefined ? '' : `红黑榜各 ${rankings.listSize} 名`;
    this.panel.element.dataset['measure'] = rankings.measure;
    this.panel.element.title = `按${label}排名`;
    if (rankings.rows.length === 0) {
      fill(this.list, emptyState('无下级区域'));
      return;
    }
    const largest = Math.max(0, ...rankings.rows.map((row) => Math.abs(row.value ?? 0)));
    fill(this.list, ...rankings.rows.map((row) => this.row(row, unit, largest)));
  }

  fail(message: string): void {
    fill(this.list, emptyState(message, 'error'));
  }

  private row(row: RankingRow, unit: Parameters<typeof formatMeasure>[0], largest: number): HTMLElement {
    const width = largest === 0 || row.value === null ? 0 : (Math.abs(row.value) / largest) * 100;
    const bar = h('span', { class: 'bar' }, h('i'));
    bar.querySelector('i')?.style.setProperty('width', `${width.toFixed(1)}%`);
    return h('li', {
      class: `ranking-row${row.mark === null ? '' : ` mark-${row.mark}`}`,
      data: { region: row.regionCode, rank: String(row.rank ?? ''), mark: row.mark ?? '' },
      attrs: { role: 'button', tabindex: '0', title: `查看${row.name}` },
      onClick: () => this.handlers.onOpenRegion(row.regionCode),
    },
    h('span', { class: 'rank', text: row.rank === null ? '—' : String(row.rank) }),
    h('span', { class: 'name', text: row.name }),
    bar,
    h('span', { class: 'value', data: { value: row.regionCode }, text: formatMeasure(unit, row.value) }),
    h('span', { class: 'mark', text: row.mark === null ? '' : MARKS[row.mark] }));
  }
}
