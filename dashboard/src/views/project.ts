/**
 * One project, opened from the ledger or a compliance item: its current state (GET
 * /v1/projects/{id}: stage, amounts, every milestone's date, flags) and, for the roles that may
 * read it (bureau, auditor, admin: API.md), its full history (every event with its business
 * date, record time and flags). A dashboard key sees the milestones' timeline only.
 */
import type { HistoryEvent, LedgerRow, ProjectHistory } from '../api-types.js';
import { fill, h } from '../dom.js';
import { formatAmount, formatRecordTime } from '../format.js';
import { CATEGORY_LABELS, COMPLIANCE_LABELS, EVENT_LABELS, labelOf, MILESTONE_ORDER, STAGE_LABELS, STALL_REASON_LABELS } from '../labels.js';
import { emptyState } from './panel.js';

/** Payload fields worth a line in the history, with how to show them. */
const DETAIL_FIELDS: ReadonlyArray<readonly [string, string, 'amount' | 'text' | 'mu']> = [
  ['plannedInvestment', '计划投资', 'amount'],
  ['expectedInvestment', '预计投资', 'amount'],
  ['contractInvestment', '合同投资', 'amount'],
  ['approvedInvestment', '批复投资', 'amount'],
  ['amount', '金额', 'amount'],
  ['period', '所属月份', 'text'],
  ['month', '入统月份', 'text'],
  ['investor', '投资方', 'text'],
  ['documentNo', '文号', 'text'],
  ['parcelNo', '地块', 'text'],
  ['areaMu', '面积', 'mu'],
  ['milestone', '更正事项', 'text'],
  ['reason', '原因', 'text'],
  ['note', '说明', 'text'],
];

/** Events whose `reason` is a key of STALL_REASON_LABELS rather than free text. */
const REASON_KEYS: ReadonlySet<string> = new Set(['Stalled', 'Resumed']);

export interface ProjectHandlers {
  regionName(code: string): string;
  onClose(): void;
}

export class ProjectDrawer {
  readonly element = h('aside', { class: 'drawer', attrs: { 'aria-label': '项目详情', hidden: '' } });
  private readonly content = h('div', { class: 'drawer-content' });

  constructor(private readonly handlers: ProjectHandlers) {
    const close = h('button', { class: 'drawer-close', text: '×', attrs: { type: 'button', 'aria-label': '关闭' }, onClick: () => this.handlers.onClose() });
    this.element.append(close, this.content);
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  loading(projectId: string): void {
    this.element.hidden = false;
    this.element.dataset['project'] = projectId;
    fill(this.content, h('p', { class: 'empty-state', text: '正在加载项目…' }));
  }

  close(): void {
    this.element.hidden = true;
    delete this.element.dataset['project'];
  }

  fail(message: string): void {
    fill(this.content, emptyState(message, 'error'));
  }

  render(project: LedgerRow, history: ProjectHistory | undefined): void {
    const facts: Array<readonly [string, string]> = [
      ['所在地', this.handlers.regionName(project.regionCode)],
      ['类别', labelOf(CATEGORY_LABELS, project.category)],
      ['总投资', formatAmount(project.totalInvestment)],
      ['累计完成投资', formatAmount(project.completedInvestment)],
      ...(project.fundsArrived === undefined ? [] : [['到位资金', formatAmount(project.fundsArrived)] as const]),
      ...(project.investor === undefined || project.investor === null ? [] : [['投资方', project.investor] as const]),
    ];
    const milestones = [
      ...MILESTONE_ORDER.filter((type) => project.milestones[type] !== undefined),
      ...Object.keys(project.milestones).filter((type) => !MILESTONE_ORDER.includes(type)),
    ];
    fill(this.content,
      h('header', { class: 'project-head' },
        h('h2', { class: 'project-name', text: project.name }),
        h('span', { class: `stage stage-${project.stage}`, data: { stage: project.stage }, text: labelOf(STAGE_LABELS, project.stage) }),
        h('span', { class: 'project-id', text: project.projectId })),
      project.flags.length === 0 ? null : h('p', { class: 'project-flags' }, ...project.flags.map((flag) => h('span', { class: 'tag', text: labelOf(COMPLIANCE_LABELS, flag) }))),
      h('dl', { class: 'project-facts' }, ...facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })])),
      h('h3', { text: '节点' }),
      h('ol', { class: 'timeline' }, ...milestones.map((type) => h('li', { data: { milestone: type } },
        h('time', { text: project.milestones[type] ?? '' }), h('span', { text: labelOf(EVENT_LABELS, type) })))),
      history === undefined ? h('p', { class: 'muted note', text: '完整历史（每条记录的记录时间与标记）仅对项目办、审计和管理员密钥开放。' }) : this.history(history.events));
  }

  private history(events: readonly HistoryEvent[]): HTMLElement {
    return h('section', { class: 'history' },
      h('h3', { text: `历史记录（${events.length} 条）` }),
      h('table', { class: 'history-table' },
        h('thead', {}, h('tr', {}, ...['#', '业务日期', '事项', '内容', '记录时间', '标记'].map((text) => h('th', { text })))),
        h('tbody', {}, ...events.map((event) => h('tr', { data: { revision: String(event.revision), type: event.type } },
          h('td', { class: 'num', text: String(event.revision + 1) }),
          h('td', { text: event.occurredOn ?? '—' }),
          h('td', { text: labelOf(EVENT_LABELS, event.type) }),
          h('td', { class: 'detail', text: detailOf(event) }),
          h('td', { class: 'muted', text: formatRecordTime(event.recordedAt) }),
          h('td', { class: 'flags', text: event.flags.map((flag) => labelOf(COMPLIANCE_LABELS, flag)).join('、') }))))));
  }
}

function shownText(type: string, field: string, value: string): string {
  if (field === 'milestone') return labelOf(EVENT_LABELS, value);
  if (field === 'reason' && REASON_KEYS.has(type)) return labelOf(STALL_REASON_LABELS, value);
  return value;
}

function detailOf(event: HistoryEvent): string {
  const parts: string[] = [];
  for (const [field, label, kind] of DETAIL_FIELDS) {
    const value = event.data[field];
    if (value === undefined || value === null) continue;
    if (kind === 'amount' && typeof value === 'number') parts.push(`${label} ${formatAmount(value)}`);
    else if (kind === 'mu' && typeof value === 'number') parts.push(`${label} ${value} 亩`);
    else if (typeof value === 'string' || typeof value === 'number') parts.push(`${label} ${shownText(event.type, field, String(value))}`);
  }
  return parts.join('，');
}
