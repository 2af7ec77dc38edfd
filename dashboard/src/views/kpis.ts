/**
 * The figures across the top: 谋划储备, 签约, 开工, 投产 (counts and 亿元), completed investment,
 * funds in place, funding secured, each straight from the statistics answer. A figure that
 * changes flashes, so a live update is seen on a 大屏.
 */
import type { PipelineStatistics } from '../api-types.js';
import { h } from '../dom.js';
import { amountParts, formatCount, formatRatio } from '../format.js';

interface Card {
  readonly key: string;
  readonly label: string;
  readonly main: (s: PipelineStatistics) => Figure;
  readonly side: (s: PipelineStatistics) => Figure | undefined;
}

interface Figure {
  readonly figure: string;
  readonly value: string;
  readonly unit: string;
  readonly prefix?: string;
}

const count = (figure: string, value: number | undefined): Figure => ({ figure, value: formatCount(value), unit: '个' });
const amount = (figure: string, value: number | undefined, prefix?: string): Figure => {
  if (value === undefined) return { figure, value: '—', unit: '', ...(prefix === undefined ? {} : { prefix }) };
  const parts = amountParts(value);
  return { figure, value: parts.value, unit: parts.unit, ...(prefix === undefined ? {} : { prefix }) };
};

const CARDS: readonly Card[] = [
  { key: 'reserve', label: '谋划储备', main: (s) => count('reserve.count', s.reserve.count), side: (s) => amount('reserve.investment', s.reserve.investment, '总投资') },
  { key: 'signed', label: '签约项目', main: (s) => count('signed.count', s.signed.count), side: (s) => amount('signed.investment', s.signed.investment, '合同投资') },
  { key: 'started', label: '开工项目', main: (s) => count('started.count', s.started.count), side: (s) => amount('started.investment', s.started.investment, '总投资') },
  { key: 'commissioned', label: '投产项目', main: (s) => count('commissioned.count', s.commissioned.count), side: (s) => amount('commissioned.investment', s.commissioned.investment, '总投资') },
  { key: 'completed', label: '完成投资（年累计）', main: (s) => amount('completedInvestment.ytd', s.completedInvestment.ytd), side: (s) => s.completedInvestment.sinceStart === undefined ? undefined : amount('completedInvestment.sinceStart', s.completedInvestment.sinceStart, '开工以来') },
  { key: 'funds', label: '资金到位率', main: (s) => ({ figure: 'fundsInPlaceRate', value: formatRatio(s.fundsInPlaceRate), unit: '' }), side: (s) => s.fundsArrived === undefined ? undefined : amount('fundsArrived.ytd', s.fundsArrived.ytd, '到位资金') },
  { key: 'secured', label: '争取资金', main: (s) => amount('fundingSecured.ytd', s.fundingSecured?.ytd), side: () => undefined },
];

export class KpiStrip {
  readonly element = h('section', { class: 'kpis', data: { panel: 'kpis' } });
  private readonly cards = new Map<string, HTMLElement>();

  constructor() {
    for (const card of CARDS) {
      const element = h('article', { class: `kpi kpi-${card.key}` }, h('h3', { text: card.label }), h('div', { class: 'kpi-main' }), h('div', { class: 'kpi-side' }));
      this.cards.set(card.key, element);
      this.element.append(element);
    }
  }

  render(statistics: PipelineStatistics): void {
    for (const card of CARDS) {
      const element = this.cards.get(card.key);
      if (element === undefined) continue;
      const main = element.querySelector('.kpi-main');
      const side = element.querySelector('.kpi-side');
      if (main !== null) show(main, card.main(statistics));
      if (side !== null) {
        const figure = card.side(statistics);
        if (figure === undefined) side.replaceChildren();
        else show(side, figure);
      }
    }
  }
}

/** Writes a figure into its slot, flashing it when the text changed (not on first render). */
function show(slot: Element, figure: Figure): void {
  let value = slot.querySelector<HTMLElement>('[data-figure]');
  if (value === null || value.dataset['figure'] !== figure.figure) {
    value = h('span', { class: 'figure', data: { figure: figure.figure } });
    slot.replaceChildren(
      ...(figure.prefix === undefined ? [] : [h('span', { class: 'figure-prefix', text: figure.prefix })]),
      value,
      h('span', { class: 'figure-unit', text: figure.unit }),
    );
    value.textContent = figure.value;
    return;
  }
  const unit = slot.querySelector('.figure-unit');
  if (unit !== null) unit.textContent = figure.unit;
  if (value.textContent !== figure.value) {
    value.textContent = figure.value;
    value.classList.remove('changed');
    void value.offsetWidth;
    value.classList.add('changed');
  }
}
