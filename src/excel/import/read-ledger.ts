/**
 * A sheet as a ledger: its header row found (the first of the top rows that names at least
 * three known columns, one of them the project's name; title rows above it may be merged), then
 * each row below read into a LedgerRecord, or into the problems of its cells (row, column, value,
 * what to fix). Every event a row implies is checked by the event's own zod schema, as a REST
 * body is; the rules of the deciders are applied later, when the row is planned.
 *
 * What a row does not say is assumed and said (notes): a signing without an agreement type is a
 * formal contract, an approval without a kind is a filing, figures without months are dated as
 * early as the rules allow (completed investment in the start month, funds at the signing).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { z } from 'zod';
import type { CellSource, ImpliedEvent, ImpliedMilestone, LedgerRecord, Registration } from '../../../commands/ledger-import/ledger-record.js';
import { eventSchemas } from '../../../commands/project/events.js';
import {
  AGREEMENT_TYPE_LABELS, APPROVAL_KIND_LABELS, CATEGORY_LABELS, INDUSTRY_SECTION_LABELS, INVESTOR_ORIGIN_LABELS,
  LAND_METHOD_LABELS, LEVEL_LABELS, ORIGIN_LABELS, STALL_REASON_LABELS,
} from '../../../commands/project/labels.js';
import { daysInMonth, periodOf, type IsoDate, type Period } from '../../../commands/shared/dates.js';
import { amountToWan, type Amount } from '../../../commands/shared/money.js';
import {
  cellText, isBlank, normalText, readAmount, readAmountsByMonth, readArea, readCapacityPct, readChoice, readDate, readMonth, type MoneyUnit, type Read,
} from './cell-values.js';
import { LEDGER_FIELDS, matchHeader, type LedgerField } from './ledger-headers.js';
import type { RegionResolver } from './region-names.js';
import { columnLetters, SpreadsheetRefused, type Sheet, type SheetCell, type SheetRow, type Workbook } from './sheet.js';

export interface CellProblem extends CellSource {
  readonly problem: string;
  readonly fix: string;
  /** The domain rule the value breaks, when it is one. */
  readonly rule?: string;
}

export type ReadRow =
  | { readonly row: number; readonly kind: 'record'; readonly record: LedgerRecord }
  | { readonly row: number; readonly kind: 'problems'; readonly name: string | null; readonly problems: readonly CellProblem[] }
  | { readonly row: number; readonly kind: 'skipped'; readonly reason: string };

export interface LedgerColumnRead {
  readonly column: string;
  readonly header: string;
  /** The field it fills; null: not a column the import knows (ignored). */
  readonly field: LedgerField | null;
}

export interface LedgerSheet {
  readonly sheet: string;
  readonly headerRow: number;
  readonly columns: readonly LedgerColumnRead[];
  /** What the import assumes for columns the file does not have. */
  readonly assumptions: readonly string[];
  readonly rows: readonly ReadRow[];
}

export interface ReadLedgerOptions {
  readonly regions: RegionResolver;
  /** Today's business date: undated figures are never dated after it. */
  readonly today: IsoDate;
}

/** How many rows from the top the header row may be. */
const HEADER_SEARCH_ROWS = 30;
const TOTAL_ROW = /^(合计|总计|小计|累计|总合计)$/;
const NOT_GIVEN = '未填报';

/** Rows read between two turns of the event loop: a 10⁴-row file must not hold the server for seconds. */
const ROWS_PER_TURN = 200;

export async function readLedger(workbook: Workbook, options: ReadLedgerOptions): Promise<LedgerSheet> {
  const filled = workbook.sheets.filter((sheet) => sheet.rows.some((row) => row.cells.some((cell) => !isBlank(cell))));
  if (filled.length === 0) throw new SpreadsheetRefused('unreadable', 'the file is empty: there is no row to import');
  for (const sheet of filled) {
    const header = findHeader(sheet);
    if (header !== undefined) return readSheet(sheet, header, options);
  }
  throw new SpreadsheetRefused('unreadable', `no header row found in the first ${HEADER_SEARCH_ROWS} rows: the ledger needs a row of column headers such as 项目名称、所在地区、行业、项目类型、计划总投资（万元）`);
}

interface Header {
  readonly row: SheetRow;
  readonly columns: readonly LedgerColumnRead[];
  readonly index: ReadonlyMap<LedgerField, { readonly at: number; readonly header: string; readonly unit: MoneyUnit }>;
}

function findHeader(sheet: Sheet): Header | undefined {
  for (const row of sheet.rows.slice(0, HEADER_SEARCH_ROWS)) {
    const columns: LedgerColumnRead[] = [];
    const index = new Map<LedgerField, { at: number; header: string; unit: MoneyUnit }>();
    row.cells.forEach((cell, at) => {
      if (isBlank(cell)) return;
      const header = cellText(cell);
      const match = matchHeader(header);
      const first = match !== undefined && !index.has(match.field);
      if (match !== undefined && first) index.set(match.field, { at, header, unit: match.unit });
      columns.push({ column: columnLetters(at + 1), header, field: first && match ? match.field : null });
    });
    const known = [...index.keys()].filter((field) => field !== 'derived');
    if (known.length >= 3 && index.has('name')) return { row, columns, index };
  }
  return undefined;
}

async function readSheet(sheet: Sheet, header: Header, options: ReadLedgerOptions): Promise<LedgerSheet> {
  const headerRow = header.row.number;
  const merged = sheet.merged.filter((range) => range.bottom >= headerRow);
  if (merged.length > 0) {
    throw new SpreadsheetRefused('unreadable', `merged cells in the ledger (${merged.slice(0, 5).map((r) => r.ref).join(', ')}${merged.length > 5 ? ', …' : ''}): a merged range keeps its value in its first cell only; unmerge them and fill in every cell (merged title rows above the header row are fine)`);
  }
  const formulas = sheet.formulas.filter((f) => f.row >= headerRow);
  if (formulas.length > 0) {
    throw new SpreadsheetRefused('unreadable', `formulas in the ledger (${formulas.slice(0, 5).map((f) => `${f.address}: =${f.formula}`).join(', ')}${formulas.length > 5 ? ', …' : ''}): copy the sheet and paste it as values, so that what is imported is what you see`);
  }
  const missing = requiredMissing(header, options);
  if (missing.length > 0) {
    throw new SpreadsheetRefused('unreadable', `the header row (row ${headerRow}) has no column for ${missing.join('、')}: add ${missing.length === 1 ? 'it' : 'them'}`);
  }
  const rows: ReadRow[] = [];
  let read = 0;
  for (const row of sheet.rows) {
    if (row.number <= headerRow || row.cells.every(isBlank)) continue;
    if (++read % ROWS_PER_TURN === 0) await nextTurn();
    const answer = readRow(row, header, options);
    if (answer !== undefined) rows.push(answer);
  }
  return { sheet: sheet.name, headerRow, columns: header.columns, assumptions: assumptions(header), rows };
}

function requiredMissing(header: Header, options: ReadLedgerOptions): string[] {
  const missing: string[] = [];
  const need = (fields: readonly LedgerField[], words: string): void => {
    if (!fields.some((field) => header.index.has(field))) missing.push(words);
  };
  need(['name'], '项目名称');
  if (options.regions.defaultRegion === undefined) need(['region'], '所在地区（区划代码）');
  need(['industry'], '行业');
  need(['category'], '项目类型');
  need(['plannedInvestment', 'totalInvestment'], '计划总投资（万元）');
  return missing;
}

function assumptions(header: Header): string[] {
  const absent = (field: LedgerField) => !header.index.has(field);
  const said: string[] = [];
  if (absent('origin')) said.push('no 项目来源 column: projects with a signing are 招商引资, the others 本地');
  if (absent('agreementType') && !absent('signedOn')) said.push('no 协议类型 column: signings are 正式合同');
  if (absent('investor') && !(absent('signedOn') && absent('negotiatedOn'))) said.push(`no 投资方 column: investors are「${NOT_GIVEN}」`);
  if (absent('investorOrigin') && !(absent('signedOn') && absent('negotiatedOn'))) said.push('no 投资方来源 column: investors are 本地');
  if (absent('approvalKind') && !absent('approvedOn')) said.push('no 审批类型 column: approvals are 备案');
  if (absent('investmentByMonth') && !absent('completedInvestment')) said.push('累计完成投资 without months: reported for the month of 开工');
  if (absent('fundsByMonth') && !absent('fundsArrived')) said.push('到位资金 without dates: dated at the signing (else the registration), from own funds in the city');
  if (absent('fundingByMonth') && !absent('fundingSecured')) said.push('争取资金 without dates: dated at the registration');
  return said;
}

type EventData<T extends ImpliedEvent['type']> = Omit<z.input<(typeof eventSchemas)[T]>, 'projectId'>;

/** One data row: a record, its problems, or a row that is not a project (a total). */
function readRow(row: SheetRow, header: Header, options: ReadLedgerOptions): ReadRow | undefined {
  const problems: CellProblem[] = [];
  const notes: string[] = [];
  const at = (field: LedgerField) => header.index.get(field);
  const cellOf = (field: LedgerField): SheetCell => {
    const column = at(field);
    return column === undefined ? null : row.cells[column.at] ?? null;
  };
  const source = (field: LedgerField): CellSource => {
    const column = at(field);
    return column === undefined
      ? { column: LEDGER_FIELDS[field][0], cell: '', value: '' }
      : { column: column.header, cell: `${columnLetters(column.at + 1)}${row.number}`, value: cellText(cellOf(field)) };
  };
  const given = (field: LedgerField): boolean => !isBlank(cellOf(field));
  const problem = (field: LedgerField, what: string, fix: string, rule?: string): undefined => {
    problems.push({ ...source(field), problem: what, fix, ...(rule === undefined ? {} : { rule }) });
    return undefined;
  };
  const take = <T>(field: LedgerField, read: Read<T>): T | undefined => (read.ok ? read.value : problem(field, read.problem, read.fix));
  const text = (field: LedgerField): string | undefined => {
    if (!given(field)) return undefined;
    // This product's CSV export guards a text starting with = + - @ with an apostrophe: take it off.
    return unguarded(normalText(cellText(cellOf(field))));
  };
  const date = (field: LedgerField): IsoDate | undefined => (given(field) ? take(field, readDate(cellOf(field))) : undefined);
  const amount = (field: LedgerField): Amount | undefined => (given(field) ? take(field, readAmount(cellOf(field), at(field)?.unit ?? '万元')) : undefined);
  const choice = <C extends string>(field: LedgerField, labels: Readonly<Record<C, string>>, synonyms?: Readonly<Record<string, C>>): C | undefined =>
    (given(field) ? take(field, readChoice(cellOf(field), labels, synonyms)) : undefined);

  const name = text('name');
  if (name !== undefined && TOTAL_ROW.test(name.replace(/\s+/g, ''))) return { row: row.number, kind: 'skipped', reason: `a ${name} row` };
  const firstText = normalText(cellText(row.cells.find((cell) => !isBlank(cell)) ?? null)).replace(/\s+/g, '');
  if (name === undefined && TOTAL_ROW.test(firstText)) return { row: row.number, kind: 'skipped', reason: `a ${firstText} row` };
  if (name !== undefined && matchHeader(name)?.field === 'name') return { row: row.number, kind: 'skipped', reason: 'the header row again' };
  if (name === undefined) problem('name', 'no project name', 'fill in the project\'s name');

  const projectId = text('projectId');
  const regionRead = options.regions.resolve(text('region'));
  const regionCode = regionRead.ok ? regionRead.value : problem('region', regionRead.problem, regionRead.fix, regionRead.rule);
  const industry = given('industry')
    ? take('industry', readIndustry(cellOf('industry')))
    : problem('industry', 'no industry', 'write the GB/T 4754 section letter (A–T) or its name, such as C or 制造业');
  const industryClass = text('industryClass');
  const category = given('category')
    ? choice('category', CATEGORY_LABELS, CATEGORY_SYNONYMS)
    : problem('category', 'no project type', `write one of: ${Object.values(CATEGORY_LABELS).join('、')}`);
  const level = choice('level', LEVEL_LABELS, LEVEL_SYNONYMS);
  const planned = amount('plannedInvestment') ?? amount('totalInvestment');
  if (planned === undefined && !given('plannedInvestment') && !given('totalInvestment')) {
    problem(at('plannedInvestment') ? 'plannedInvestment' : 'totalInvestment', 'no planned investment', 'fill in 计划总投资 in 万元');
  }

  const signedOn = date('signedOn');
  const contract = amount('contractInvestment');
  const originGiven = choice('origin', ORIGIN_LABELS, ORIGIN_SYNONYMS);
  const origin = originGiven ?? (signedOn !== undefined || contract !== undefined ? 'attracted' : 'local');
  if (originGiven === undefined && at('origin') !== undefined && !given('origin')) notes.push(`项目来源 blank: taken as ${ORIGIN_LABELS[origin]}`);
  const approvedOn = date('approvedOn');
  const approved = amount('approvedInvestment');
  const registeredOn = date('registeredOn');

  // The dated events of the row, each with the cell that dates it.
  const milestones: ImpliedMilestone[] = [];
  const pending: { type: ImpliedEvent['type']; data: Record<string, unknown>; source: CellSource }[] = [];
  const implied = <T extends ImpliedEvent['type']>(type: T, data: EventData<T>, field: LedgerField): void => {
    pending.push({ type, data: { ...data }, source: source(field) });
  };
  const investorFields = () => ({
    investor: text('investor') ?? NOT_GIVEN,
    investorOrigin: choice('investorOrigin', INVESTOR_ORIGIN_LABELS, INVESTOR_ORIGIN_SYNONYMS) ?? 'local',
  });
  const wan = (value: Amount | undefined): number | undefined => (value === undefined ? undefined : amountToWan(value));
  const plannedWan = wan(planned) ?? 0;

  const negotiatedOn = date('negotiatedOn');
  if (negotiatedOn !== undefined) {
    implied('NegotiationOpened', { occurredOn: negotiatedOn, ...investorFields(), expectedInvestment: wan(amount('expectedInvestment')) ?? wan(contract) ?? plannedWan }, 'negotiatedOn');
  }
  if (signedOn !== undefined) {
    const signingEvent = text('signingEvent');
    const promisedStartBy = date('promisedStartBy');
    implied('ProjectSigned', {
      occurredOn: signedOn,
      agreementType: choice('agreementType', AGREEMENT_TYPE_LABELS, AGREEMENT_SYNONYMS) ?? 'formal',
      contractInvestment: wan(contract) ?? plannedWan,
      ...investorFields(),
      ...(signingEvent === undefined ? {} : { signingEvent }),
      ...(promisedStartBy === undefined ? {} : { promisedStartBy }),
    }, 'signedOn');
    if (contract === undefined) notes.push('合同投资 blank: the signing is valued at 计划总投资');
  } else if (contract !== undefined) {
    problem('signedOn', 'a contract investment but no signing date', 'fill in 签约日期, or clear 合同投资');
  }
  if (approvedOn !== undefined) {
    const projectCode = text('projectCode');
    implied('ProjectApproved', {
      occurredOn: approvedOn,
      kind: choice('approvalKind', APPROVAL_KIND_LABELS, APPROVAL_SYNONYMS) ?? 'filing',
      authority: text('approvalAuthority') ?? NOT_GIVEN,
      documentNo: text('documentNo') ?? NOT_GIVEN,
      ...(projectCode === undefined ? {} : { projectCode }),
      approvedInvestment: wan(approved) ?? wan(contract) ?? plannedWan,
    }, 'approvedOn');
  } else if (approved !== undefined) {
    problem('approvedOn', 'an approved investment but no approval date', 'fill in 审批日期, or clear 审批总投资');
  }
  const landOn = date('landOn');
  if (landOn !== undefined) {
    const areaMu = given('areaMu') ? take('areaMu', readArea(cellOf('areaMu'))) : problem('areaMu', 'land acquired but no area', 'fill in 用地面积（亩）');
    const agreedStartBy = date('agreedStartBy');
    if (areaMu !== undefined) {
      implied('LandAcquired', {
        occurredOn: landOn,
        method: choice('landMethod', LAND_METHOD_LABELS) ?? 'transfer',
        parcelNo: text('parcelNo') ?? NOT_GIVEN,
        areaMu,
        ...(agreedStartBy === undefined ? {} : { agreedStartBy }),
      }, 'landOn');
    }
  }
  const startedOn = date('startedOn');
  if (startedOn !== undefined) {
    const batchId = text('batchId');
    implied('Started', { occurredOn: startedOn, ...(batchId === undefined ? {} : { batchId }) }, 'startedOn');
  }
  const statisticsOn = date('statisticsOn');
  if (statisticsOn !== undefined) {
    const month = given('statisticsMonth') ? take('statisticsMonth', readMonth(cellOf('statisticsMonth'))) : periodOf(statisticsOn);
    // 总投资 on the day it entered the statistics (DOMAIN.md): approved, else contract, else planned.
    const total = approvedOn !== undefined && approvedOn <= statisticsOn ? wan(approved) ?? wan(contract) ?? plannedWan
      : signedOn !== undefined && signedOn <= statisticsOn ? wan(contract) ?? plannedWan : plannedWan;
    if (month !== undefined) {
      implied('StatisticsEntered', { occurredOn: statisticsOn, month, plannedInvestment: wan(amount('statisticsPlanned')) ?? total }, 'statisticsOn');
    }
  }
  const earliest = [registeredOn, negotiatedOn, signedOn, approvedOn, landOn, startedOn].filter((d) => d !== undefined).sort()[0];
  const registration = registeredOn ?? earliest ?? options.today;
  const capped = (on: IsoDate): IsoDate => (on > options.today ? options.today : on < registration ? registration : on);

  const byMonth = (detail: LedgerField, total: LedgerField) => {
    const entries = given(detail) ? take(detail, readAmountsByMonth(cellOf(detail), at(detail)?.unit ?? '万元')) : undefined;
    const sum = amount(total);
    if (entries !== undefined && sum !== undefined && entries.reduce((s, e) => s + e.amount, 0) !== sum) {
      problem(total, `the months of ${source(detail).column} add up to ${amountToWan(entries.reduce((s, e) => s + e.amount, 0))} 万元`, `make ${source(total).column} the sum of the months, or correct the months`);
    }
    return { entries, sum };
  };
  const investment = byMonth('investmentByMonth', 'completedInvestment');
  if (investment.entries !== undefined) {
    for (const { month, amount: value } of investment.entries) {
      implied('InvestmentReported', { occurredOn: capped(lastDayOf(month)), period: month, amount: amountToWan(value) }, 'investmentByMonth');
    }
  } else if (investment.sum !== undefined && investment.sum > 0) {
    const period: Period = periodOf(startedOn ?? options.today);
    implied('InvestmentReported', { occurredOn: capped(lastDayOf(period)), period, amount: amountToWan(investment.sum) }, 'completedInvestment');
  }
  const funds = byMonth('fundsByMonth', 'fundsArrived');
  const fundsOn = (month: Period) => capped(`${month}-01`);
  if (funds.entries !== undefined) {
    for (const { month, amount: value } of funds.entries) implied('FundsArrived', { occurredOn: fundsOn(month), amount: amountToWan(value), source: 'own', sourceRegion: 'in_city' }, 'fundsByMonth');
  } else if (funds.sum !== undefined && funds.sum > 0) {
    implied('FundsArrived', { occurredOn: capped(signedOn ?? registration), amount: amountToWan(funds.sum), source: 'own', sourceRegion: 'in_city' }, 'fundsArrived');
  }
  const secured = byMonth('fundingByMonth', 'fundingSecured');
  if (secured.entries !== undefined) {
    for (const { month, amount: value } of secured.entries) implied('FundingSecured', { occurredOn: fundsOn(month), amount: amountToWan(value), source: 'other', documentNo: NOT_GIVEN }, 'fundingByMonth');
  } else if (secured.sum !== undefined && secured.sum > 0) {
    implied('FundingSecured', { occurredOn: registration, amount: amountToWan(secured.sum), source: 'other', documentNo: NOT_GIVEN }, 'fundingSecured');
  }
  const completedOn = date('completedOn');
  if (completedOn !== undefined) implied('Completed', { occurredOn: completedOn }, 'completedOn');
  // 投产日期 is the first commissioning: in part when the row gives its capacity or a later full
  // one (全面投产日期), as the export writes a project commissioned in part (DOMAIN.md).
  const commissionedOn = date('commissionedOn');
  const capacityPct = given('capacityPct') ? take('capacityPct', readCapacityPct(cellOf('capacityPct'))) : undefined;
  const fullyCommissionedOn = date('fullyCommissionedOn');
  if (commissionedOn !== undefined) {
    const partial = capacityPct !== undefined || fullyCommissionedOn !== undefined;
    implied('Commissioned', { occurredOn: commissionedOn, partial, ...(capacityPct === undefined ? {} : { capacityPct }) }, 'commissionedOn');
    if (fullyCommissionedOn !== undefined) implied('Commissioned', { occurredOn: fullyCommissionedOn, partial: false }, 'fullyCommissionedOn');
  } else if (fullyCommissionedOn !== undefined || capacityPct !== undefined) {
    problem(fullyCommissionedOn !== undefined ? 'fullyCommissionedOn' : 'capacityPct', 'a commissioning in part but no commissioning date', 'fill in 投产日期 (the first commissioning\'s date), or clear 投产产能 and 全面投产日期');
  }
  const fullOn = date('fullProductionOn');
  if (fullOn !== undefined) implied('FullProductionReached', { occurredOn: fullOn }, 'fullProductionOn');
  const stallReason = choice('stallReason', STALL_REASON_LABELS) ?? 'other';
  const stalledOn = date('stalledOn');
  if (stalledOn !== undefined) implied('Stalled', { occurredOn: stalledOn, reason: stallReason }, 'stalledOn');
  const resumedOn = date('resumedOn');
  if (resumedOn !== undefined) implied('Resumed', { occurredOn: resumedOn, reason: stallReason }, 'resumedOn');
  const withdrawnOn = date('withdrawnOn');
  if (withdrawnOn !== undefined) implied('Withdrawn', { occurredOn: withdrawnOn, reason: text('withdrawReason') ?? NOT_GIVEN, approvedBy: text('withdrawApprovedBy') ?? NOT_GIVEN }, 'withdrawnOn');

  // The registration and every event through their schemas, as REST bodies are.
  const registrationInput = {
    projectId: projectId ?? 'import-row', occurredOn: registration, name: name ?? '', regionCode: regionCode ?? '',
    industry: industry ?? 'A', ...(industryClass === undefined ? {} : { industryClass }), category: category ?? 'industrial',
    origin, plannedInvestment: plannedWan, ...(level === undefined ? {} : { level }),
  };
  const parsedRegistration = eventSchemas.ProjectRegistered.safeParse(registrationInput);
  let registrationData: Registration | undefined;
  if (parsedRegistration.success) {
    const { projectId: _id, occurredOn: _on, ...fields } = parsedRegistration.data;
    registrationData = fields;
  } else {
    for (const issue of parsedRegistration.error.issues) {
      const field = REGISTRATION_COLUMNS[String(issue.path[0])] ?? 'name';
      if (problems.some((p) => p.column === source(field).column)) continue; // already said, more precisely
      problem(field, issue.message, `correct ${source(field).column}`);
    }
  }
  for (const { type, data, source: from } of pending) {
    const parsed = eventSchemas[type].safeParse({ ...data, projectId: 'import-row' });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push({ ...from, problem: `${type} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, fix: `correct the ${from.column} of this row or the cells it takes` });
      continue;
    }
    const { projectId: _id, ...eventData } = parsed.data;
    milestones.push({ event: { type, data: eventData } as ImpliedEvent, source: from });
  }
  if (problems.length > 0 || registrationData === undefined) return { row: row.number, kind: 'problems', name: name ?? null, problems };
  return {
    row: row.number,
    kind: 'record',
    record: {
      row: row.number,
      ...(projectId === undefined ? {} : { projectId }),
      registration: registrationData,
      ...(registeredOn === undefined ? {} : { registeredOn }),
      source: source('name'),
      milestones,
      notes,
    },
  };
}

const REGISTRATION_COLUMNS: Readonly<Record<string, LedgerField>> = {
  projectId: 'projectId', name: 'name', regionCode: 'region', industry: 'industry', industryClass: 'industryClass',
  category: 'category', origin: 'origin', plannedInvestment: 'plannedInvestment', level: 'level', occurredOn: 'registeredOn',
};

function unguarded(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

function lastDayOf(period: Period): IsoDate {
  return `${period}-${String(daysInMonth(Number(period.slice(0, 4)), Number(period.slice(5, 7)))).padStart(2, '0')}`;
}

function readIndustry(cell: SheetCell): Read<keyof typeof INDUSTRY_SECTION_LABELS> {
  const text = normalText(cellText(cell)).replace(/\s+/g, ' ');
  // "C 制造业", "C-制造业", "C（制造业）": the letter decides.
  const lettered = /^([A-Ta-t])(?:$|[\s\-—、.．:：(（])/.exec(text);
  return readChoice(lettered?.[1] ?? text, INDUSTRY_SECTION_LABELS, INDUSTRY_SYNONYMS);
}

const INDUSTRY_SYNONYMS = {
  农业: 'A', 农林牧渔: 'A', 林业: 'A', 畜牧: 'A', 渔业: 'A', 矿: 'B', 工业: 'C', 制造: 'C', 电力: 'D', 能源: 'D', 新能源: 'D',
  建筑: 'E', 批发: 'F', 零售: 'F', 商贸: 'F', 交通: 'G', 物流: 'G', 仓储: 'G', 住宿: 'H', 餐饮: 'H', 软件: 'I', 信息: 'I',
  金融: 'J', 房地产: 'K', 商务服务: 'L', 租赁: 'L', 科研: 'M', 科技服务: 'M', 水利: 'N', 环境: 'N', 公共设施: 'N',
  居民服务: 'O', 教育: 'P', 卫生: 'Q', 医疗: 'Q', 养老: 'Q', 文化: 'R', 体育: 'R', 旅游: 'R', 文旅: 'R', 公共管理: 'S',
} as const;
const CATEGORY_SYNONYMS = {
  产业: 'industrial', 制造业: 'industrial', 基建: 'infrastructure', 城建: 'infrastructure', 交通: 'infrastructure',
  服务: 'services', 现代服务业: 'services', 民生: 'public', 社会事业: 'public', 公共服务: 'public', 农林: 'agriculture',
} as const;
const ORIGIN_SYNONYMS = {
  招商: 'attracted', 引进: 'attracted', 外来投资: 'attracted', 政府: 'government', 财政: 'government', 自主: 'local', 本地企业: 'local', 本土: 'local',
} as const;
const LEVEL_SYNONYMS = {
  省重点: 'province', 省级: 'province', 省: 'province', 市重点: 'city', 市级: 'city', 市: 'city', 县重点: 'county', 县级: 'county', 区级: 'county', 县: 'county',
} as const;
const INVESTOR_ORIGIN_SYNONYMS = { 外资: 'foreign', 境外资金: 'foreign', 港澳台: 'foreign', 省外资金: 'out_of_province', 市外资金: 'out_of_city', 本市: 'local', 本县: 'local' } as const;
const AGREEMENT_SYNONYMS = { 框架: 'framework', 正式: 'formal', 合同: 'formal', 投资协议: 'formal', 补充: 'supplementary' } as const;
const APPROVAL_SYNONYMS = { 审批制: 'approval', 核准制: 'ratification', 备案制: 'filing', 批复: 'approval' } as const;
