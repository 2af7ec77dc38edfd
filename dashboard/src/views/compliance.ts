/**
 * The compliance lists (应统未统, 未批先建, idle land, overdue batch starts, stalled, late
 * reports, 入统数据不一致, and any kind a newer server adds): the API's count of open items by
 * kind, then the items of the chosen kind (all kinds on the 大屏), most overdue first as the
 * API orders them. An item opens its project.
 */
import type { Compliance, ComplianceItem } from '../api-types.js';
import { fill, h } from '../dom.js';
import { formatCount } from '../format.js';
import { COMPLIANCE_LABELS, labelOf, STAGE_LABELS } from '../labels.js';
import { emptyState, panel, type Panel } from './panel.js';

const SHOWN_ITEMS = 40;

export interface ComplianceHandlers {
  onOpenProject(projectId: string): void;
  regionName(code: string): string;
}

export class ComplianceView {
  readonly panel: Panel = panel('compliance', '问题清单', '今日在办');
  private readonly tiles = h('div', { class: 'compliance-kinds' });
  private readonly list = h('ul', { class: 'compliance-items' });
  private kind: string | undefined;
  private last: Compliance | undefined;

  constructor(private readonly handlers: ComplianceHandlers) {
    this.panel.body.append(this.tiles, this.list);
  }

  render(compliance: Compliance): void {
    this.last = compliance;
    const kinds = Object.keys(compliance.counts);
    if (this.kind !== undefined && !kinds.includes(this.kind)) this.kind = undefined;
    const total = Object.values(compliance.counts).reduce((sum, n) => sum + n, 0);
    this.panel.note.textContent = `截至 ${compliance.asOfDate}`;
    fill(this.tiles, ...kinds.map((kind) => {
      const count = compliance.counts[kind] ?? 0;
      return h('button', {
        class: `compliance-kind${count > 0 ? ' has-items' : ''}${this.kind === kind ? ' selected' : ''}`,
        data: { kind },
        attrs: { type: 'button', 'aria-pressed': String(this.kind === kind) },
        onClick: () => {
          this.kind = this.kind === kind ? undefined : kind;
          if (this.last !== undefined) this.render(this.last);
        },
      }, h('span', { class: 'count', data: { count: kind }, text: formatCount(count) }), h('span', { class: 'label', text: labelOf(COMPLIANCE_LABELS, kind) }));
    }));
    const items = compliance.items.filter((item) => item.open && (this.kind === undefined || item.kind === this.kind));
    if (items.length === 0) {
      fill(this.list, emptyState(total === 0 ? '暂无问题项目' : '该类暂无问题项目'));
      return;
    }
    // In a county every item is the county's own: its name would only crowd the project's.
    const oneRegion = items.every((item) => item.regionCode === compliance.regionCode);
    this.list.classList.toggle('one-region', oneRegion);
    fill(this.list, ...items.slice(0, SHOWN_ITEMS).map((item) => this.item(item, !oneRegion)),
      items.length > SHOWN_ITEMS ? h('li', { class: 'more', text: `另有 ${formatCount(items.length - SHOWN_ITEMS)} 项` }) : null);
  }

  fail(message: string): void {
    fill(this.list, emptyState(message, 'error'));
  }

  private item(item: ComplianceItem, where: boolean): HTMLElement {
    return h('li', {
      class: 'compliance-item',
      data: { project: item.projectId, kind: item.kind },
      attrs: { role: 'button', tabindex: '0' },
      onClick: () => this.handlers.onOpenProject(item.projectId),
    },
    h('span', { class: `tag kind-${item.kind}`, text: labelOf(COMPLIANCE_LABELS, item.kind) }),
    h('span', { class: 'name', text: item.name, title: item.name }),
    where ? h('span', { class: 'where', text: this.handlers.regionName(item.regionCode) }) : null,
    h('span', { class: 'stage', text: labelOf(STAGE_LABELS, item.stage) }),
    h('span', { class: 'days', text: `${formatCount(item.days)} 天` }));
  }
}
