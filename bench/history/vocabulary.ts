/**
 * The words of a generated history: project names, investors, authorities, document numbers,
 * industry classes. Plausible 河南 filler, so that ledgers and CSV exports look like the real
 * thing (and weigh what the real thing weighs).
 */
import type { Category } from '../../commands/project/events.js';
import { between, pick, weighted, type Random } from './random.js';

type Section = 'A' | 'C' | 'D' | 'E' | 'G' | 'I' | 'K' | 'L' | 'M' | 'N' | 'P' | 'Q' | 'R';

const SECTIONS_BY_CATEGORY: { readonly [C in Category]: readonly (readonly [Section, number])[] } = {
  industrial: [['C', 85], ['D', 15]],
  infrastructure: [['E', 35], ['G', 30], ['N', 25], ['D', 10]],
  services: [['G', 25], ['I', 15], ['L', 15], ['M', 15], ['R', 15], ['K', 15]],
  public: [['P', 40], ['Q', 35], ['N', 25]],
  agriculture: [['A', 80], ['C', 20]],
};

const CLASSES: { readonly [S in Section]: readonly string[] } = {
  A: ['0111', '0141', '0190', '0311', '0313'],
  C: ['1391', '1495', '2651', '2710', '2929', '3399', '3612', '3670', '3841', '3971'],
  D: ['4412', '4415', '4416', '4430'],
  E: ['4813', '4819', '4822', '4852'],
  G: ['5411', '5821', '5951', '5991'],
  I: ['6450', '6520', '6531'],
  K: ['7010', '7040'],
  L: ['7212', '7291'],
  M: ['7320', '7520'],
  N: ['7721', '7741', '7820'],
  P: ['8331', '8334', '8341'],
  Q: ['8411', '8415', '8514'],
  R: ['8730', '9011', '9030'],
};

const NAMES: { readonly [C in Category]: readonly string[] } = {
  industrial: ['新能源电池', '汽车零部件', '绿色食品加工', '装配式建筑构件', '电子信息', '生物医药', '新材料', '智能装备', '纺织服装', '家居制造'],
  infrastructure: ['城乡供水一体化工程', '污水处理厂提标改造工程', '国道改线工程', '县乡道路提升工程', '集中供热管网工程', '220千伏输变电工程', '物流园区道路工程'],
  services: ['商贸物流园', '冷链物流中心', '文旅综合体', '电商产业园', '城市综合体', '会展中心'],
  public: ['人民医院新院区', '高级中学扩建', '养老服务中心', '全民健身中心', '保障性住房', '老旧小区改造'],
  agriculture: ['高标准农田建设', '现代农业产业园', '畜禽规模养殖', '设施蔬菜基地', '花生深加工'],
};

const QUALIFIERS = ['', '', '年产10万吨', '高端', '智能化', '绿色', '数字化'];
const PHASES = ['', '', '', '（一期）', '（二期）'];

export function industryOf(rnd: Random, category: Category): { industry: Section; industryClass?: string } {
  const industry = weighted(rnd, SECTIONS_BY_CATEGORY[category]);
  return rnd() < 0.5 ? { industry, industryClass: pick(rnd, CLASSES[industry]) } : { industry };
}

export function projectName(rnd: Random, county: string, category: Category): string {
  const qualifier = category === 'industrial' ? pick(rnd, QUALIFIERS) : '';
  const subject = pick(rnd, NAMES[category]);
  const suffix = subject.endsWith('工程') ? '' : '项目';
  return `${county}${qualifier}${subject}${suffix}${pick(rnd, PHASES)}`;
}

const INVESTOR_HEADS = ['中原', '豫能', '华润', '中建', '比亚迪', '宁德', '牧原', '双汇', '宇通', '洛钼', '平煤', '正大', '富士康', '隆基', '万洋', '卫华'];
const INVESTOR_TRADES = ['新能源', '控股', '实业', '科技', '建设', '食品', '智能制造', '物流'];
const INVESTOR_FORMS = ['有限公司', '集团有限公司', '股份有限公司'];

export function investorName(rnd: Random): string {
  return `${pick(rnd, INVESTOR_HEADS)}${pick(rnd, INVESTOR_TRADES)}${pick(rnd, INVESTOR_FORMS)}`;
}

export function signingEventName(rnd: Random, year: number, quarter: number): string {
  return rnd() < 0.7
    ? `${year}年河南省第${quarter}期“三个一批”项目建设活动`
    : `第${year - 2010}届中国河南国际投资贸易洽谈会`;
}

export const WITHDRAWAL_REASONS = ['投资方资金链断裂，项目终止', '规划调整，项目取消', '企业经营战略调整', '用地未落实，项目退出', '环评未通过，项目终止'];
export const CORRECTION_REASONS = ['可研批复调整总投资', '统计数据核实更正', '录入错误更正', '设计变更'];

/** The 24-character national project code (YYYY-XXXXXX-XX-XX-XXXXXX). */
export function projectCode(rnd: Random, year: number, county: string, industryClass: string | undefined, kind: 'approval' | 'ratification' | 'filing'): string {
  const trade = (industryClass ?? '99').slice(0, 2);
  const kindCode = kind === 'approval' ? '01' : kind === 'ratification' ? '02' : '03';
  return `${year}-${county}-${trade}-${kindCode}-${String(between(rnd, 1, 999_999)).padStart(6, '0')}`;
}
