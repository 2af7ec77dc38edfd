/**
 * Project events as stored (amounts are integer Amounts of 0.01 万元) and commands, with
 * defaults a test overrides field by field. TODAY is the day tests of late or future dates use.
 */
import type { ProjectEvent, ProjectEventData, ProjectEventType } from '../../commands/project/events.js';
import type { Clock, MilestoneEvent, PostMilestone, RegisterProject } from '../../commands/project/commands.js';

export const PROJECT = 'ZQ-2025-0017';
export const TODAY = '2025-06-15';

type Fields<T extends ProjectEventType> = Partial<Omit<ProjectEventData<T>, 'projectId'>>;
type Of<T extends ProjectEventType> = Extract<ProjectEvent, { type: T }>;

function make<T extends ProjectEventType>(type: T, defaults: Omit<ProjectEventData<T>, 'projectId'>) {
  return (fields: Fields<T> = {}): Of<T> => ({ type, data: { projectId: PROJECT, ...defaults, ...fields } }) as unknown as Of<T>; // generic spread: TS cannot see it is Of<T>
}

export const registered = make('ProjectRegistered', {
  occurredOn: '2025-01-10', name: '枣强县复合材料产业园', regionCode: '131121', industry: 'C',
  category: 'industrial', origin: 'attracted', plannedInvestment: 12_000_000,
});
export const negotiationOpened = make('NegotiationOpened', { occurredOn: '2025-02-01', investor: '河北某复材集团', investorOrigin: 'out_of_city', expectedInvestment: 11_000_000 });
export const signed = make('ProjectSigned', { occurredOn: '2025-03-01', agreementType: 'formal', contractInvestment: 10_000_000, investor: '河北某复材集团', investorOrigin: 'out_of_city' });
export const approved = make('ProjectApproved', { occurredOn: '2025-03-10', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 9_800_000 });
export const landAcquired = make('LandAcquired', { occurredOn: '2025-03-15', method: 'transfer', parcelNo: 'ZQ2025-08', areaMu: 120.5 });
export const started = make('Started', { occurredOn: '2025-04-01' });
export const statisticsEntered = make('StatisticsEntered', { occurredOn: '2025-04-20', month: '2025-04', plannedInvestment: 9_800_000 });
export const investmentReported = make('InvestmentReported', { occurredOn: '2025-05-05', period: '2025-04', amount: 150_000 });
export const investmentCorrected = make('InvestmentCorrected', { occurredOn: '2025-05-20', period: '2025-04', amount: 160_000, reason: '统计口径调整' });
export const fundsArrived = make('FundsArrived', { occurredOn: '2025-05-06', amount: 200_000, source: 'own', sourceRegion: 'out_of_city' });
export const fundingSecured = make('FundingSecured', { occurredOn: '2025-05-07', amount: 50_000, source: 'special_bond', documentNo: '冀财债〔2025〕3号' });
export const completed = make('Completed', { occurredOn: '2025-06-01' });
export const commissioned = make('Commissioned', { occurredOn: '2025-06-01', partial: false });
export const fullProduction = make('FullProductionReached', { occurredOn: '2025-06-10' });
export const stalled = make('Stalled', { occurredOn: '2025-05-10', reason: 'funds' });
export const resumed = make('Resumed', { occurredOn: '2025-05-25', reason: 'funds' });
export const withdrawn = make('Withdrawn', { occurredOn: '2025-05-30', reason: '投资方资金链断裂', approvedBy: { authority: '县项目办' } });
export const detailsCorrected = make('DetailsCorrected', { occurredOn: '2025-05-12', reason: '名称有误', name: '枣强县复合材料产业园（一期）' });
export const dateCorrected = make('MilestoneDateCorrected', { occurredOn: '2025-03-02', milestone: 'ProjectSigned', reason: '以合同落款日期为准' });

/** The clock on a business day, 10:00 in China. */
export function at(today: string): Clock {
  return { now: `${today}T02:00:00.000Z`, today };
}

/** By default a command is posted on the day its event occurred (neither late nor ahead). */
export function register(event: Of<'ProjectRegistered'> = registered(), clock = at(event.data.occurredOn)): RegisterProject {
  return { type: 'RegisterProject', data: event.data, ...clock };
}

export function post(event: MilestoneEvent, clock = at(event.data.occurredOn)): PostMilestone {
  return { type: 'PostMilestone', event, ...clock };
}
