/**
 * The dashboard once signed in: what region and year it shows, loading each panel from the
 * API, following the region live, drilling down (province → city → county → its ledger → a
 * project) and, on the 大屏 (`?screen=1`), cycling through the key's regions.
 *
 * Figures are never computed here: the statistics panels show the answer of GET
 * /v1/stats/pipeline (or the same statistics as a live event brings them), the chart of months
 * shows that answer for each month, rankings and compliance their own answers.
 *
 * A live event redraws the statistics at once; the queries it prompts (months, rankings,
 * ledger, compliance) are throttled and skipped when their data already reflect its position.
 */
import { Api, ApiError } from './api.js';
import type { Compliance, LedgerPage, PipelineStatistics, ProjectHistory, Rankings, RegionRef, RegionView, LedgerRow } from './api-types.js';
import { fill, h } from './dom.js';
import { LEVEL_LABELS } from './labels.js';
import { LiveFeed, type LiveStatus } from './live.js';
import { Throttle } from './throttle.js';
import { ComplianceView } from './views/compliance.js';
import { FunnelView } from './views/funnel.js';
import { KpiStrip } from './views/kpis.js';
import { LEDGER_PAGE_SIZE, LedgerView, type LedgerFilter } from './views/ledger.js';
import { MonthlyView, type MonthStatistics } from './views/monthly.js';
import { ProjectDrawer } from './views/project.js';
import { RankingsView } from './views/rankings.js';
import { TargetsView } from './views/targets.js';
import { YearOnYearView } from './views/year-on-year.js';

export interface Identity {
  readonly keyId: string;
  readonly name: string;
  readonly role: string;
  readonly regions: readonly string[];
}

export interface DashboardOptions {
  readonly screen: boolean;
  /** 大屏: seconds on each region before the next; 0 stays. */
  readonly cycleSeconds: number;
  readonly region: string | undefined;
  readonly year: number | undefined;
  readonly measure: string | undefined;
  readonly onSignOut: (reason?: string) => void;
}

/** API.md: a project's history is for these roles; a dashboard key reads its state only. */
const HISTORY_ROLES: ReadonlySet<string> = new Set(['bureau', 'auditor', 'admin']);
/** Regions below which there is nothing to rank: their ledger is shown instead. */
const LEDGER_LEVELS: ReadonlySet<string> = new Set(['county', 'township', 'custom']);
/** The 大屏 cycles through the key's regions and their children of these levels. */
const CYCLE_LEVELS: ReadonlySet<string> = new Set(['province', 'city', 'county']);
/** 亿元以上 in the ledger filter: 1 亿元 in 万元. */
const ONE_YI_WAN = 10_000;
const YEARS_SHOWN = 5;
/** Under a stream of live events the charts are redrawn at most this often (the figures at once). */
const CHART_INTERVAL_MS = 500;

export class Dashboard {
  private readonly api: Api;
  private readonly live: LiveFeed;
  private readonly regions = new Map<string, RegionView>();
  private region: RegionView | undefined;
  private chain: readonly RegionRef[] = [];
  private year: number | undefined;
  private currentYear: number | undefined;
  private measure: string;
  private bottom: 'rankings' | 'ledger' = 'rankings';
  private ledgerCursors: Array<string | undefined> = [undefined];
  private ledgerPage = 0;
  /** Bumped at each navigation: answers for an older view are dropped. */
  private view = 0;
  private statistics: PipelineStatistics | undefined;
  private livePosition = -1;
  private monthsPosition = -1;
  private bottomPosition = -1;
  private compliancePosition = -1;
  private cycle: number | undefined;
  private chartTimer: number | undefined;
  private chartsDrawnAt = Number.NEGATIVE_INFINITY;

  private readonly kpis = new KpiStrip();
  private readonly funnel = new FunnelView();
  private readonly monthly = new MonthlyView();
  private readonly targets = new TargetsView();
  private readonly yearOnYear = new YearOnYearView();
  private readonly rankings: RankingsView;
  private readonly ledger: LedgerView;
  private readonly compliance: ComplianceView;
  private readonly drawer: ProjectDrawer;

  private readonly title = h('h1', { class: 'region-title' });
  private readonly crumbs = h('nav', { class: 'crumbs', attrs: { 'aria-label': '区域' } });
  private readonly yearSelect = h('select', { class: 'control', attrs: { 'aria-label': '年度', name: 'year' } });
  private readonly yearLabel = h('span', { class: 'year-label' });
  private readonly liveBadge = h('div', { class: 'live', data: { live: 'connecting' }, attrs: { role: 'status' } }, h('i'), h('span', { text: '连接中' }));
  private readonly updated = h('div', { class: 'updated' });
  private readonly clock = h('div', { class: 'clock' });
  private readonly message = h('div', { class: 'banner', attrs: { hidden: '', role: 'alert' } });
  private readonly bottomRow = h('div', { class: 'row row-bottom' });

  private readonly refreshStatistics = new Throttle(async () => { await this.loadStatistics(); }, 2_000);
  // What a live event prompts: each query only when its answer is older than the event, and
  // not more often than its interval (twelve month queries cost more than one ranking).
  private readonly refreshBottom = new Throttle(async () => {
    if (this.livePosition > this.bottomPosition) await this.loadBottom();
  }, 8_000);
  private readonly refreshMonths = new Throttle(async () => {
    if (this.livePosition > this.monthsPosition) await this.loadMonths();
  }, 30_000);
  private readonly refreshCompliance = new Throttle(async () => {
    if (this.livePosition > this.compliancePosition) await this.loadCompliance();
  }, 30_000);

  constructor(private readonly root: HTMLElement, key: string, private readonly identity: Identity, private readonly options: DashboardOptions) {
    this.api = new Api(key);
    this.measure = options.measure ?? 'completedInvestment';
    this.year = options.year;
    const regionName = (code: string) => this.regionName(code);
    this.rankings = new RankingsView({ onOpenRegion: (code) => void this.go(code, 'push'), onMeasure: (measure) => this.setMeasure(measure) });
    this.ledger = new LedgerView({
      onOpenProject: (id) => void this.openProject(id),
      onFilter: (filter) => this.setLedgerFilter(filter),
      onPage: (direction) => this.turnLedgerPage(direction),
      regionName,
    });
    this.compliance = new ComplianceView({ onOpenProject: (id) => void this.openProject(id), regionName });
    this.drawer = new ProjectDrawer({ regionName, onClose: () => this.drawer.close() });
    this.rankings.measure = this.measure;
    this.live = new LiveFeed(this.api, {
      onStatistics: (statistics, first) => this.onLive(statistics, first),
      onStatus: (status) => this.showLiveStatus(status),
      onKeyRefused: () => this.options.onSignOut('密钥已失效或已被吊销，请重新登录。'),
    });
  }

  async start(): Promise<void> {
    this.layout();
    window.addEventListener('popstate', () => {
      const code = new URLSearchParams(window.location.search).get('region');
      if (code !== null && code !== this.region?.code) void this.go(code, 'none');
    });
    window.setInterval(() => this.tick(), 1_000);
    this.tick();
    const home = this.identity.regions[0] ?? '000000';
    const first = this.options.region ?? home;
    const opened = await this.go(first, 'replace');
    if (!opened && first !== home) await this.go(home, 'replace');
    if (this.options.screen && this.options.cycleSeconds > 0) void this.startCycle();
  }

  // ------------------------------------------------------------------ layout

  private layout(): void {
    const toggleToLedger = h('button', { class: 'control tab', text: '项目台账', attrs: { type: 'button' }, onClick: () => this.showBottom('ledger') });
    const toggleToRankings = h('button', { class: 'control tab', text: '区域排名', attrs: { type: 'button' }, onClick: () => this.showBottom('rankings') });
    this.rankings.panel.tools.append(toggleToLedger);
    this.ledger.panel.tools.append(toggleToRankings);
    this.yearSelect.addEventListener('change', () => {
      const year = Number(this.yearSelect.value);
      if (Number.isInteger(year) && year !== this.year) this.setYear(year);
    });
    this.bottomRow.append(h('div', { class: 'cell' }, this.rankings.panel.element, this.ledger.panel.element), this.yearOnYear.panel.element, this.compliance.panel.element);
    const signOut = h('button', { class: 'control link', text: '退出', attrs: { type: 'button' }, onClick: () => this.options.onSignOut() });
    const header = h('header', { class: 'top' },
      h('div', { class: 'brand' }, h('span', { class: 'product', text: '项目为王 · 重点项目建设监测' }), this.title),
      this.crumbs,
      h('div', { class: 'period' }, this.yearSelect, this.yearLabel),
      h('div', { class: 'status' }, this.liveBadge, this.updated, this.clock),
      h('div', { class: 'who control' }, h('span', { text: this.identity.name, title: `${this.identity.role} · ${this.identity.regions.join(', ')}` }), signOut));
    fill(this.root,
      h('div', { class: 'dash' },
        header,
        this.message,
        this.kpis.element,
        h('main', { class: 'grid' },
          h('div', { class: 'row row-top' }, this.funnel.panel.element, this.monthly.panel.element, this.targets.panel.element),
          this.bottomRow)),
      this.drawer.element);
    this.showBottom('rankings', false);
  }

  private showBottom(which: 'rankings' | 'ledger', load = true): void {
    this.bottom = which;
    this.rankings.panel.element.hidden = which !== 'rankings';
    this.ledger.panel.element.hidden = which !== 'ledger';
    // The ledger's columns need room: its row gives it more width.
    this.bottomRow.classList.toggle('with-ledger', which === 'ledger');
    if (!load || this.region === undefined) return;
    if (which === 'ledger') void this.loadLedger();
    else void this.loadRankings();
  }

  // ------------------------------------------------------------------ navigation

  /** Shows `code`; false when it cannot be shown (unknown, or not the key's). */
  private async go(code: string, history: 'push' | 'replace' | 'none'): Promise<boolean> {
    const view = ++this.view;
    this.drawer.close();
    let region: RegionView;
    try {
      region = await this.regionOf(code);
    } catch (error) {
      if (view === this.view) this.fail(error, `无法打开区域 ${code}`);
      return false;
    }
    if (view !== this.view) return true;
    this.region = region;
    this.statistics = undefined;
    this.livePosition = -1;
    this.monthsPosition = -1;
    this.bottomPosition = -1;
    this.compliancePosition = -1;
    this.ledgerCursors = [undefined];
    this.ledgerPage = 0;
    this.refreshStatistics.cancel();
    this.refreshBottom.cancel();
    this.refreshMonths.cancel();
    this.refreshCompliance.cancel();
    this.chain = await this.chainOf(region);
    if (view !== this.view) return true;
    this.showHeader();
    this.syncUrl(history);
    this.showBottom(LEDGER_LEVELS.has(region.level) ? 'ledger' : 'rankings', false);
    const loaded = await this.loadStatistics();
    if (view !== this.view) return true;
    if (loaded === 'refused') return false;
    // Followed unless refused: a region the key may not read gets no stream retrying in vain,
    // and a server that could not answer now sends the statistics once it is back.
    this.live.follow(region.code);
    if (loaded === 'shown') await Promise.all([this.loadSecondary(), this.loadCompliance()]);
    return true;
  }

  private setYear(year: number): void {
    this.year = year;
    this.syncUrl('replace');
    void this.reloadAll();
  }

  private setMeasure(measure: string): void {
    this.measure = measure;
    this.syncUrl('replace');
    void this.loadRankings();
  }

  private setLedgerFilter(_filter: LedgerFilter): void {
    this.ledgerCursors = [undefined];
    this.ledgerPage = 0;
    void this.loadLedger();
  }

  private turnLedgerPage(direction: 'next' | 'previous'): void {
    if (direction === 'previous' && this.ledgerPage > 0) this.ledgerPage -= 1;
    if (direction === 'next' && this.ledgerCursors[this.ledgerPage + 1] !== undefined) this.ledgerPage += 1;
    void this.loadLedger();
  }

  private async reloadAll(): Promise<void> {
    this.monthsPosition = -1;
    this.bottomPosition = -1;
    this.compliancePosition = -1;
    if (await this.loadStatistics() === 'shown') await Promise.all([this.loadSecondary(), this.loadCompliance()]);
  }

  /** The region and its ancestors up to the key's own region (the breadcrumb). */
  private async chainOf(region: RegionView): Promise<RegionRef[]> {
    const chain: RegionRef[] = [region];
    let current: RegionView = region;
    while (!this.identity.regions.includes(current.code) && current.parent !== null && chain.length < 6) {
      try {
        current = await this.regionOf(current.parent.code);
      } catch {
        break;
      }
      chain.unshift(current);
    }
    return chain;
  }

  private async regionOf(code: string): Promise<RegionView> {
    const known = this.regions.get(code);
    if (known !== undefined) return known;
    const region = await this.api.get<RegionView>(`/v1/regions/${encodeURIComponent(code)}`);
    this.regions.set(code, region);
    return region;
  }

  private regionName(code: string): string {
    if (this.region?.code === code) return this.region.name;
    const child = this.region?.children.find((c) => c.code === code);
    return child?.name ?? this.regions.get(code)?.name ?? code;
  }

  // ------------------------------------------------------------------ loading

  /**
   * 'shown'; 'refused' when the API will not show this region to this key (4xx: forbidden,
   * unknown); 'failed' when it could not answer now (unreachable, overloaded): worth retrying.
   */
  private async loadStatistics(): Promise<'shown' | 'refused' | 'failed'> {
    const view = this.view;
    const region = this.region;
    if (region === undefined) return 'refused';
    try {
      const statistics = await this.api.get<PipelineStatistics>('/v1/stats/pipeline', { regionCode: region.code, year: this.year });
      if (view !== this.view) return 'failed';
      this.year ??= statistics.period.year;
      if (this.options.year === undefined) this.currentYear ??= statistics.period.year;
      this.showStatistics(statistics);
      return 'shown';
    } catch (error) {
      if (view === this.view) this.fail(error, '统计数据读取失败');
      const refused = error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;
      return refused ? 'refused' : 'failed';
    }
  }

  private async loadSecondary(): Promise<void> {
    await Promise.all([this.loadMonths(), this.loadBottom()]);
  }

  private async loadBottom(): Promise<void> {
    await (this.bottom === 'ledger' ? this.loadLedger() : this.loadRankings());
  }

  private async loadMonths(): Promise<void> {
    const view = this.view;
    const region = this.region;
    if (region === undefined) return;
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, index) =>
        this.api.get<PipelineStatistics>('/v1/stats/pipeline', { regionCode: region.code, year: this.year, month: index + 1 })));
      if (view !== this.view) return;
      const months: MonthStatistics[] = answers.map((statistics, index) => ({ month: index + 1, statistics: statistics.months === null ? undefined : statistics }));
      const year = answers[0]?.period.year ?? this.year ?? 0;
      this.monthly.render(year, months);
      this.monthsPosition = Math.max(this.monthsPosition, Math.min(...answers.map((a) => a.position)));
    } catch (error) {
      if (view === this.view) this.monthly.fail(messageOf(error, '月度数据读取失败'));
      this.checkKey(error);
    }
  }

  private async loadRankings(): Promise<void> {
    const view = this.view;
    const region = this.region;
    if (region === undefined) return;
    try {
      const rankings = await this.api.get<Rankings>('/v1/stats/rankings', { regionCode: region.code, year: this.year, measure: this.measure });
      if (view !== this.view) return;
      this.rankings.render(rankings);
      this.bottomPosition = Math.max(this.bottomPosition, rankings.position);
    } catch (error) {
      if (view === this.view) this.rankings.fail(messageOf(error, '排名读取失败'));
      this.checkKey(error);
    }
  }

  private async loadLedger(): Promise<void> {
    const view = this.view;
    const region = this.region;
    if (region === undefined) return;
    const filter = this.ledger.filter;
    const page = this.ledgerPage;
    try {
      const answer = await this.api.get<LedgerPage>('/v1/projects', {
        regionCode: region.code,
        limit: LEDGER_PAGE_SIZE,
        cursor: this.ledgerCursors[page],
        stage: filter.stage,
        minInvestment: filter.over1e8 ? ONE_YI_WAN : undefined,
      });
      if (view !== this.view || page !== this.ledgerPage) return;
      this.ledgerCursors[page + 1] = answer.nextCursor ?? undefined;
      this.ledger.render(answer, page + 1, !LEDGER_LEVELS.has(region.level));
      this.bottomPosition = Math.max(this.bottomPosition, answer.position);
    } catch (error) {
      if (view === this.view) this.ledger.fail(messageOf(error, '台账读取失败'));
      this.checkKey(error);
    }
  }

  private async loadCompliance(): Promise<void> {
    const view = this.view;
    const region = this.region;
    if (region === undefined) return;
    try {
      const compliance = await this.api.get<Compliance>('/v1/stats/compliance', { regionCode: region.code, includeResolved: false });
      if (view !== this.view) return;
      this.compliance.render(compliance);
      this.compliancePosition = Math.max(this.compliancePosition, compliance.position);
    } catch (error) {
      if (view === this.view) this.compliance.fail(messageOf(error, '问题清单读取失败'));
      this.checkKey(error);
    }
  }

  private async openProject(projectId: string): Promise<void> {
    this.drawer.loading(projectId);
    const path = `/v1/projects/${encodeURIComponent(projectId)}`;
    try {
      const [project, history] = await Promise.all([
        this.api.get<LedgerRow>(path),
        HISTORY_ROLES.has(this.identity.role) ? this.api.get<ProjectHistory>(`${path}/history`) : Promise.resolve(undefined),
      ]);
      if (this.drawer.element.dataset['project'] !== projectId) return;
      await this.regionOf(project.regionCode).catch(() => undefined);
      this.drawer.render(project, history);
    } catch (error) {
      if (this.drawer.element.dataset['project'] === projectId) this.drawer.fail(messageOf(error, '项目读取失败'));
      this.checkKey(error);
    }
  }

  // ------------------------------------------------------------------ live

  private onLive(statistics: PipelineStatistics, first: boolean): void {
    const region = this.region;
    if (region === undefined || statistics.regionCode !== region.code) return;
    this.currentYear = statistics.period.year;
    this.livePosition = Math.max(this.livePosition, statistics.position);
    if (this.year === undefined || this.year === statistics.period.year) {
      if (this.statistics === undefined || statistics.position >= this.statistics.position) this.showStatistics(statistics, true);
    } else {
      this.refreshStatistics.request();
    }
    this.refreshBottom.request(first);
    this.refreshMonths.request(first);
    this.refreshCompliance.request(first);
  }

  private showLiveStatus(status: LiveStatus): void {
    this.liveBadge.dataset['live'] = status;
    const text = this.liveBadge.querySelector('span');
    if (text !== null) text.textContent = status === 'open' ? '实时' : status === 'connecting' ? '连接中' : '重连中…';
  }

  // ------------------------------------------------------------------ drawing

  /**
   * The figures at once; the charts and the table at once too, unless a live event drew them
   * less than CHART_INTERVAL_MS ago (then once that is over, with the newest statistics).
   */
  private showStatistics(statistics: PipelineStatistics, live = false): void {
    this.statistics = statistics;
    this.year ??= statistics.period.year;
    this.kpis.render(statistics);
    const drawCharts = () => {
      this.chartTimer = undefined;
      this.chartsDrawnAt = performance.now();
      const newest = this.statistics;
      if (newest === undefined) return;
      this.funnel.render(newest);
      this.targets.render(newest.targets);
      this.yearOnYear.render(newest);
    };
    if (this.chartTimer !== undefined) window.clearTimeout(this.chartTimer);
    const wait = live ? Math.max(0, this.chartsDrawnAt + CHART_INTERVAL_MS - performance.now()) : 0;
    if (wait === 0) drawCharts();
    else this.chartTimer = window.setTimeout(drawCharts, wait);
    this.updated.textContent = `数据位置 #${statistics.position} · ${new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' })} 更新`;
    this.updated.dataset['position'] = String(statistics.position);
    this.showYears();
    this.hideMessage();
  }

  private showHeader(): void {
    const region = this.region;
    if (region === undefined) return;
    this.title.textContent = region.fullName;
    this.title.dataset['region'] = region.code;
    fill(this.crumbs, ...this.chain.flatMap((ref, index) => {
      const last = index === this.chain.length - 1;
      const crumb = last
        ? h('span', { class: 'crumb current', data: { region: ref.code }, text: `${ref.name}` })
        : h('a', { class: 'crumb', data: { region: ref.code }, text: ref.name, attrs: { href: `?region=${ref.code}` }, onClick: (event) => {
          event.preventDefault();
          void this.go(ref.code, 'push');
        } });
      return index === 0 ? [crumb] : [h('span', { class: 'sep', text: '›' }), crumb];
    }), h('span', { class: 'level', text: LEVEL_LABELS[region.level] ?? region.level }));
    document.title = `${region.name} · 项目为王`;
  }

  private showYears(): void {
    const selected = this.year;
    if (selected === undefined) return;
    const newest = Math.max(selected, this.currentYear ?? selected);
    const years = Array.from({ length: YEARS_SHOWN }, (_, index) => newest - index);
    if (this.yearSelect.options.length !== years.length || this.yearSelect.options[0]?.value !== String(newest)) {
      fill(this.yearSelect, ...years.map((year) => h('option', { text: `${year}年`, attrs: { value: String(year) } })));
    }
    this.yearSelect.value = String(selected);
    this.yearLabel.textContent = `${selected}年`;
  }

  private tick(): void {
    this.clock.textContent = new Date().toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  private syncUrl(mode: 'push' | 'replace' | 'none'): void {
    if (mode === 'none' || this.region === undefined) return;
    const params = new URLSearchParams(window.location.search);
    params.set('region', this.region.code);
    if (this.year === undefined || this.year === this.currentYear) params.delete('year');
    else params.set('year', String(this.year));
    if (this.measure === 'completedInvestment') params.delete('measure');
    else params.set('measure', this.measure);
    const url = `${window.location.pathname}?${params.toString()}`;
    if (mode === 'push') history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  private async startCycle(): Promise<void> {
    const stops: string[] = [];
    for (const code of this.identity.regions) {
      const region = await this.regionOf(code).catch(() => undefined);
      if (region === undefined) continue;
      stops.push(region.code, ...region.children.filter((child) => CYCLE_LEVELS.has(child.level)).map((child) => child.code));
    }
    if (stops.length < 2) return;
    this.cycle = window.setInterval(() => {
      const at = this.region === undefined ? -1 : stops.indexOf(this.region.code);
      const next = stops[(at + 1) % stops.length];
      if (next !== undefined) void this.go(next, 'replace');
    }, this.options.cycleSeconds * 1000);
  }

  // ------------------------------------------------------------------ failures

  private fail(error: unknown, what: string): void {
    if (this.checkKey(error)) return;
    this.message.textContent = messageOf(error, what);
    this.message.hidden = false;
  }

  private hideMessage(): void {
    this.message.hidden = true;
  }

  /** A refused key ends the session; true when it did. */
  private checkKey(error: unknown): boolean {
    if (error instanceof ApiError && error.status === 401) {
      this.live.stop();
      if (this.cycle !== undefined) window.clearInterval(this.cycle);
      this.options.onSignOut('密钥已失效或已被吊销，请重新登录。');
      return true;
    }
    return false;
  }
}

function messageOf(error: unknown, what: string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return `${what}：无法连接服务器，稍后自动重试`;
    if (error.status === 403) return `${what}：此密钥无权查看该区域`;
    if (error.status === 429) return `${what}：请求过于频繁，稍后自动重试`;
    return `${what}：${error.message}`;
  }
  return what;
}
