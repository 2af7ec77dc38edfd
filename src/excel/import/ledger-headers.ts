/**
 * The column headers bureaus write in a 台账, by the field each one fills: this product's own
 * export headers first (LEDGER_COLUMNS, so an export imports back), then the usual variants.
 * A header is matched after taking out spaces, line breaks, a required-field star and its
 * unit in brackets (（万元）, (亿元), /万元): the unit is kept to scale the amounts.
 */
import type { MoneyUnit } from './cell-values.js';
import { normalText } from './cell-values.js';

export const LEDGER_FIELDS = {
  projectId: ['项目编号', '项目ID', '项目id', '编号'],
  name: ['项目名称', '名称', '项目全称'],
  region: ['区划代码', '所在地区', '行政区划代码', '区划', '行政区划', '所属地区', '地区', '所在县区', '县区', '所属区域'],
  industry: ['行业门类', '行业', '所属行业', '行业分类', '国民经济行业'],
  industryClass: ['行业小类', '行业代码', '行业小类代码'],
  category: ['项目类别', '项目类型', '类别', '类型', '项目分类'],
  origin: ['项目来源', '来源', '投资来源'],
  level: ['重点项目级别', '项目级别', '重点级别', '级别'],
  plannedInvestment: ['计划总投资', '计划投资', '计划投资额'],
  totalInvestment: ['总投资', '项目总投资', '投资总额', '总投资额'],
  contractInvestment: ['合同投资', '合同投资额', '签约金额', '签约投资', '签约额', '协议投资', '协议投资额'],
  approvedInvestment: ['审批总投资', '批复总投资', '核准总投资', '备案总投资'],
  expectedInvestment: ['洽谈预计投资', '预计投资', '意向投资', '意向投资额'],
  completedInvestment: ['累计完成投资', '完成投资', '累计完成投资额'],
  investmentByMonth: ['完成投资明细'],
  fundsArrived: ['到位资金', '累计到位资金', '实际到位资金'],
  fundsByMonth: ['到位资金明细'],
  fundingSecured: ['争取资金', '争取上级资金', '累计争取资金'],
  fundingByMonth: ['争取资金明细'],
  investor: ['投资方', '投资主体', '签约企业', '投资企业', '投资商', '项目业主', '业主单位'],
  investorOrigin: ['投资方来源', '客商来源'],
  agreementType: ['协议类型', '签约类型', '合同类型'],
  signingEvent: ['签约活动'],
  promisedStartBy: ['承诺开工日期', '承诺开工时间'],
  registeredOn: ['登记日期', '登记时间', '谋划日期', '谋划时间', '录入日期'],
  negotiatedOn: ['洽谈日期', '洽谈时间'],
  signedOn: ['签约日期', '签约时间'],
  approvedOn: ['审批日期', '审批时间', '批复日期', '核准日期', '备案日期', '立项日期'],
  approvalKind: ['审批类型', '审批方式'],
  approvalAuthority: ['审批机关', '审批部门'],
  documentNo: ['审批文号', '批复文号', '备案文号'],
  projectCode: ['全国投资项目代码', '项目代码', '投资项目代码'],
  landOn: ['供地日期', '拿地日期', '供地时间', '拿地时间'],
  landMethod: ['供地方式', '用地方式'],
  parcelNo: ['宗地编号', '地块编号'],
  areaMu: ['用地面积', '占地面积', '供地面积'],
  agreedStartBy: ['约定开工日期', '约定开工时间'],
  startedOn: ['开工日期', '开工时间', '实际开工日期', '实际开工时间'],
  batchId: ['集中开工批次'],
  statisticsOn: ['入库入统日期', '入库时间', '入库日期', '入统时间', '入统日期', '纳统时间', '纳统日期'],
  statisticsMonth: ['入统月份', '入库月份'],
  statisticsPlanned: ['入统计划总投资'],
  completedOn: ['竣工日期', '竣工时间'],
  commissionedOn: ['投产日期', '投产时间', '首次投产日期', '部分投产日期'],
  capacityPct: ['投产产能', '部分投产产能', '投产产能比例', '已投产产能', '投产比例'],
  fullyCommissionedOn: ['全面投产日期', '全面投产时间', '全部投产日期', '全部投产时间', '整体投产日期'],
  fullProductionOn: ['达产日期', '达产时间'],
  stalledOn: ['停滞日期', '停工日期'],
  stallReason: ['停滞原因', '停工原因'],
  resumedOn: ['复工日期', '复工时间'],
  withdrawnOn: ['退出日期', '终止日期'],
  withdrawReason: ['退出原因', '终止原因'],
  withdrawApprovedBy: ['退出批准机关', '终止批准机关', '退出审批机关'],
  // Read-only columns of the export (derived from the events) and the usual bookkeeping ones:
  // known, so that they are not reported as unknown, and never imported.
  derived: ['阶段', '预警标记', '版本', '序号', '备注', '项目阶段', '当前阶段'],
} as const satisfies Record<string, readonly string[]>;

export type LedgerField = keyof typeof LEDGER_FIELDS;

export interface HeaderMatch {
  readonly field: LedgerField;
  readonly unit: MoneyUnit;
}

const BY_HEADER: ReadonlyMap<string, LedgerField> = new Map(
  Object.entries(LEDGER_FIELDS).flatMap(([field, headers]) => headers.map((header): [string, LedgerField] => [header, field as LedgerField])),
);

/** The field a header names, and the unit it gives its amounts (万元 unless it says otherwise). */
export function matchHeader(header: string): HeaderMatch | undefined {
  let text = normalText(header).replace(/\s+/g, '').replace(/^\*|\*$/g, '').replace(/^\d+[.、]/, '');
  let unit: MoneyUnit = '万元';
  const unitMatch = /(?:\(|（|\/|_)?(亿元|万元|元|亩)(?:\)|）)?$/.exec(text);
  if (unitMatch) {
    if (unitMatch[1] === '亿元' || unitMatch[1] === '万元' || unitMatch[1] === '元') unit = unitMatch[1];
    text = text.slice(0, unitMatch.index);
  }
  text = text.replace(/[(（][^)）]*[)）]$/, '');
  const field = BY_HEADER.get(text);
  return field === undefined ? undefined : { field, unit };
}
