/**
 * The page's Chinese names for what the API sends as keys. A key the page does not know yet
 * (a new compliance kind, a new measure) is shown as the API sends it, never dropped.
 */
import type { Unit } from './format.js';

export const STAGE_LABELS: Readonly<Record<string, string>> = {
  PLANNED: '谋划储备',
  NEGOTIATING: '洽谈',
  SIGNED: '已签约',
  STARTED: '在建',
  COMPLETED: '已竣工',
  COMMISSIONED: '已投产',
  FULL_PRODUCTION: '已达产',
  STALLED: '停工',
  WITHDRAWN: '已退出',
};

export const EVENT_LABELS: Readonly<Record<string, string>> = {
  ProjectRegistered: '谋划入库',
  NegotiationOpened: '洽谈',
  ProjectSigned: '签约',
  ProjectApproved: '审批 / 核准 / 备案',
  LandAcquired: '供地',
  Started: '开工',
  StatisticsEntered: '入库入统',
  InvestmentReported: '完成投资',
  InvestmentCorrected: '投资更正',
  FundsArrived: '资金到位',
  FundingSecured: '争取资金',
  Completed: '竣工',
  Commissioned: '投产',
  FullProductionReached: '达产',
  Stalled: '停工',
  Resumed: '复工',
  Withdrawn: '退出',
  DetailsCorrected: '信息更正',
  MilestoneDateCorrected: '日期更正',
};

/** The milestones of a project's life, in order, for its timeline. */
export const MILESTONE_ORDER: readonly string[] = [
  'ProjectRegistered', 'NegotiationOpened', 'ProjectSigned', 'LandAcquired', 'ProjectApproved', 'Started',
  'StatisticsEntered', 'Stalled', 'Resumed', 'Completed', 'Commissioned', 'FullProductionReached', 'Withdrawn',
];

export const COMPLIANCE_LABELS: Readonly<Record<string, string>> = {
  'statistics-not-entered': '应统未统',
  'statistics-inconsistent': '入统数据不一致',
  'started-without-approval': '未批先建',
  'idle-land': '闲置土地',
  'overdue-batch-start': '集中开工逾期',
  stalled: '停工项目',
  'late-report': '迟报补报',
};

/** Why a project stalled (or resumed): Stalled and Resumed carry one of these. */
export const STALL_REASON_LABELS: Readonly<Record<string, string>> = {
  land: '用地', funds: '资金', approval: '审批手续', compensation: '征迁补偿', investor: '投资方', other: '其他',
};

export const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  industrial: '产业', infrastructure: '基础设施', services: '服务业', public: '社会事业', agriculture: '农业',
};

export const LEVEL_LABELS: Readonly<Record<string, string>> = {
  country: '全国', province: '省', city: '市', county: '县（区）', township: '乡镇', custom: '功能区',
};

export interface MeasureLabel {
  readonly label: string;
  readonly unit: Unit;
}

/** The measures the rankings (横尺) can be asked on, with their units. */
export const MEASURE_LABELS: Readonly<Record<string, MeasureLabel>> = {
  completedInvestment: { label: '完成投资', unit: 'amount' },
  signedCount: { label: '签约项目数', unit: 'count' },
  signedInvestment: { label: '签约合同投资', unit: 'amount' },
  signedOver1e8Count: { label: '亿元以上签约项目数', unit: 'count' },
  signedOver1e9Count: { label: '十亿元以上签约项目数', unit: 'count' },
  largestSigning: { label: '单体最大签约项目', unit: 'amount' },
  startedCount: { label: '开工项目数', unit: 'count' },
  startedInvestment: { label: '开工项目总投资', unit: 'amount' },
  startedOver1e8Count: { label: '亿元以上开工项目数', unit: 'count' },
  commissionedCount: { label: '投产项目数', unit: 'count' },
  commissionedInvestment: { label: '投产项目总投资', unit: 'amount' },
  reserveCount: { label: '谋划储备项目数', unit: 'count' },
  reserveInvestment: { label: '谋划储备项目总投资', unit: 'amount' },
  fundsArrived: { label: '到位资金', unit: 'amount' },
  fundingSecured: { label: '争取资金', unit: 'amount' },
  fundsInPlaceRate: { label: '资金到位率', unit: 'ratio' },
  startRate: { label: '签约项目开工率', unit: 'ratio' },
  commissionRate: { label: '开工项目投产率', unit: 'ratio' },
  sameYearStartRate: { label: '当年签约当年开工率', unit: 'ratio' },
  fourSameYearCount: { label: '四个当年项目数', unit: 'count' },
};

/** The 纵尺 table's rows, in this order (the API sends more; these are the ones leaders ask). */
export const YEAR_ON_YEAR_MEASURES: readonly string[] = [
  'signedCount', 'signedInvestment', 'startedCount', 'startedInvestment', 'commissionedCount',
  'completedInvestment', 'fundsArrived', 'fundingSecured',
];

/** Count measures among the targets (标尺); the others are amounts (万元). */
export const COUNT_TARGETS: ReadonlySet<string> = new Set(['reserveCount', 'signedCount', 'signedOver1e8Count', 'startedCount', 'commissionedCount']);

export function labelOf(labels: Readonly<Record<string, string>>, key: string): string {
  return labels[key] ?? key;
}

export function measureOf(key: string): MeasureLabel {
  return MEASURE_LABELS[key] ?? { label: key, unit: 'count' };
}
