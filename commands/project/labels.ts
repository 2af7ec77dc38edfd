/**
 * The Chinese words bureaus write for the project events' coded values: what the ledger
 * exports show and what a ledger import reads back. One table per value, so the export and
 * the import cannot drift apart (an exported ledger must import as it was).
 */
import type {
  AGREEMENT_TYPES, APPROVAL_KINDS, CATEGORIES, INDUSTRY_SECTIONS, INVESTOR_ORIGINS, LAND_METHODS, LEVELS, ORIGINS,
  STALL_REASONS,
} from './events.js';

type Labels<Values extends readonly string[]> = Readonly<Record<Values[number], string>>;

export const CATEGORY_LABELS: Labels<typeof CATEGORIES> = {
  industrial: '工业',
  infrastructure: '基础设施',
  services: '服务业',
  public: '社会民生',
  agriculture: '农业',
};

export const ORIGIN_LABELS: Labels<typeof ORIGINS> = {
  attracted: '招商引资',
  local: '本地',
  government: '政府投资',
};

export const LEVEL_LABELS: Labels<typeof LEVELS> = {
  county: '县级重点',
  city: '市级重点',
  province: '省级重点',
};

export const INVESTOR_ORIGIN_LABELS: Labels<typeof INVESTOR_ORIGINS> = {
  foreign: '境外',
  out_of_province: '省外',
  out_of_city: '市外',
  local: '本地',
};

export const AGREEMENT_TYPE_LABELS: Labels<typeof AGREEMENT_TYPES> = {
  framework: '框架协议',
  formal: '正式合同',
  supplementary: '补充协议',
};

export const APPROVAL_KIND_LABELS: Labels<typeof APPROVAL_KINDS> = {
  approval: '审批',
  ratification: '核准',
  filing: '备案',
};

export const LAND_METHOD_LABELS: Labels<typeof LAND_METHODS> = {
  transfer: '出让',
  allocation: '划拨',
  lease: '租赁',
  existing: '自有用地',
};

export const STALL_REASON_LABELS: Labels<typeof STALL_REASONS> = {
  land: '土地',
  funds: '资金',
  approval: '审批',
  compensation: '征迁',
  investor: '投资方',
  other: '其他',
};

/** GB/T 4754-2017 sections, by letter. */
export const INDUSTRY_SECTION_LABELS: Labels<typeof INDUSTRY_SECTIONS> = {
  A: '农、林、牧、渔业',
  B: '采矿业',
  C: '制造业',
  D: '电力、热力、燃气及水生产和供应业',
  E: '建筑业',
  F: '批发和零售业',
  G: '交通运输、仓储和邮政业',
  H: '住宿和餐饮业',
  I: '信息传输、软件和信息技术服务业',
  J: '金融业',
  K: '房地产业',
  L: '租赁和商务服务业',
  M: '科学研究和技术服务业',
  N: '水利、环境和公共设施管理业',
  O: '居民服务、修理和其他服务业',
  P: '教育',
  Q: '卫生和社会工作',
  R: '文化、体育和娱乐业',
  S: '公共管理、社会保障和社会组织',
  T: '国际组织',
};
