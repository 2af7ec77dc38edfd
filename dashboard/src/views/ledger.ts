/**
 * The ledger (台账) of a region: its projects as GET /v1/projects pages them (registration
 * order), filtered by stage and size, a page at a time. A row opens its project.
 */
import type { LedgerPage, LedgerRow } from '../api-types.js';
import { fill, h } from '../dom.js';
import { formatAmount } from '../format.js';
import { COMPLIANCE_LABELS, labelOf, STAGE_LABELS } from '../labels.js';
import { emptyState, panel, type Panel } from './panel.js';

export const LEDGER_PAGE_SIZE = 30;

export interface LedgerFilter {
  readonly stage: string | undefined;
  readonly over1e8: boolean;
}

export interface LedgerHandlers {
  onOpenProject(projectId: string): void;
  onFilter(filter: LedgerFilter): void;
  onPage(direction: 'next' | 'previous'): void;
  regionName(code: string): string;
}

export class LedgerView {
  readonly panel: Panel = panel('ledger', '项目台账');
  private readonly table = h('table', { class: 'ledger' });
  private readonly stage = h('select', { class: 'control', attrs: { 'aria-label': '阶段', name: 'stage' } });
  private readonly over1e8 = h('input', { attrs: { type: 'checkbox', name: 'over1e8' } });
  private readonly previous = h('button', { class: 'control', text: '上一页', attrs: { type: 'button' } });
  private readonly next = h('button', { class: 'control', text: '下一页', attrs: { type: 'button' } });

  constructor(private readonly handlers: LedgerHandlers) {
    this.stage.append(h('option', { text: '全部阶段', attrs: { value: '' } }), ...Object.entries(STAGE_LABELS).map(([key, label]) => h('option', { text: label, attrs: { value: key } })));
    const changed = () => this.handlers.onFilter(this.filter);
    this.stage.addEventListener('change', changed);
    this.over1e8.addEventListener('change', changed);
    this.previous.addEventListener('click', () => this.handlers.onPage('previous'));
    this.next.addEventListener('click', () => this.handlers.onPage('next'));
    this.panel.tools.append(this.stage, h('label', { class: 'control check' }, this.over1e8, '亿元以上'));
    this.panel.body.append(this.table, h('div', { class: 'pager control' }, this.previous, this.next));
  }

  get filter(): LedgerFilter {
    return { stage: this.stage.value === '' ? undefined : this.stage.value, over1e8: this.over1e8.checked };
  }

  /** `regionColumn`: whether rows may lie in several regions (not at a county, whose rows are all its own). */
  render(page: LedgerPage, pageNumber: number, regionColumn: boolean): void {
    this.panel.note.textContent = `第 ${pageNumber} 页`;
    this.previous.disabled = pageNumber <= 1;
    this.next.disabled = page.nextCursor === null;
    if (page.rows.length === 0) {
      fill(this.table, h('tbody', {}, h('tr', {}, h('td', {}, emptyState('没有符合条件的项目')))));
      return;
    }
    fill(this.table,
      h('thead', {}, h('tr', {}, ...['项目名称', regionColumn ? '所在地' : null, '阶段', '总投资', '累计完成', '开工', '问题']
        .flatMap((text) => text === null ? [] : [h('th', { text })]))),
      h('tbody', {}, ...page.rows.map((row) => this.row(row, regionColumn))));
  }

  fail(message: string): void {
    fill(this.table, h('tbody', {}, h('tr', {}, h('td', {}, emptyState(message, 'error')))));
  }

  private row(row: LedgerRow, regionColumn: boolean): HTMLElement {
    return h('tr', {
      class: 'ledger-row',
      data: { project: row.projectId },
      attrs: { role: 'button', tabindex: '0', title: row.name },
      onClick: () => this.handlers.onOpenProject(row.projectId),
    },
    h('td', { class: 'name', text: row.name }),
    regionColumn ? h('td', { text: this.handlers.regionName(row.regionCode) }) : null,
    h('td', {}, h('span', { class: `stage stage-${row.stage}`, text: labelOf(STAGE_LABELS, row.stage) })),
    h('td', { class: 'num', text: formatAmount(row.totalInvestment) }),
    h('td', { class: 'num', text: formatAmount(row.completedInvestment) }),
    h('td', { text: row.milestones['Started'] ?? '—' }),
    h('td', { class: 'flags', text: row.flags.map((flag) => labelOf(COMPLIANCE_LABELS, flag)).join('、') }));
  }
}
