/** A titled panel of the dashboard: its title bar (title, a note, tools) and its body. */
import { h } from '../dom.js';

export interface Panel {
  readonly element: HTMLElement;
  readonly title: HTMLElement;
  readonly note: HTMLElement;
  readonly tools: HTMLElement;
  readonly body: HTMLElement;
}

export function panel(name: string, title: string, subtitle?: string): Panel {
  const titleElement = h('h2', { text: title });
  const note = h('span', { class: 'panel-note' });
  const tools = h('div', { class: 'panel-tools control' });
  const body = h('div', { class: 'panel-body' });
  const element = h('section', { class: `panel panel-${name}`, data: { panel: name } },
    h('header', { class: 'panel-head' }, titleElement, subtitle === undefined ? null : h('span', { class: 'panel-sub', text: subtitle }), note, tools),
    body);
  return { element, title: titleElement, note, tools, body };
}

/** A short message in place of a panel's content (no data, an error). */
export function emptyState(text: string, kind: 'empty' | 'error' = 'empty'): HTMLElement {
  return h('p', { class: `empty-state ${kind}`, text });
}
