/**
 * Every hard rule a decider enforces, by its stable kebab-case name (the problem's `rule`
 * field, status 409). One registry, so the HTTP layer and the docs can list them and a test
 * can check every name is used and described. DOMAIN.md, "Rules", is the source; the rules
 * marked (local choice) are this code's reading where DOMAIN.md is silent.
 */
import { DomainRuleBroken } from './decider.js';
import { KEY_RULES } from './keys/rules.js';
import { REGION_RULES } from './regions/rules.js';

/** The rules of the project stream. */
export const PROJECT_RULES = {
  // Lifecycle
  'project-already-registered': 'a project id is registered once',
  'project-not-registered': 'the project must be registered first',
  'project-id-mismatch': "the event's projectId must be the stream's project (local choice)",
  'nothing-follows-withdrawn': 'nothing follows Withdrawn',
  'only-resumed-follows-stalled': 'only Resumed (or Withdrawn) follows Stalled',
  'resumed-needs-stalled': 'Resumed only follows Stalled',
  // Stages and dates
  'stage-moves-forward': 'stages only move forward along PLANNED → … → FULL_PRODUCTION',
  'stage-cannot-be-skipped': 'only NEGOTIATING and SIGNED may be skipped',
  'milestone-already-reached': 'a milestone already reached cannot be posted again',
  'milestone-not-reached': 'only a reached milestone can have its date corrected',
  'milestone-dates-in-order': 'milestone dates follow the stage order (local choice on same-day milestones)',
  'only-attracted-projects-sign': 'local and government projects are never signed',
  'occurred-on-not-in-future': 'occurredOn is never in the future',
  'occurred-on-not-before-registration': "occurredOn is never before the project's registration date",
  'correction-changes-nothing': 'a correction must change something (local choice)',
  'industry-class-in-section': 'the 4-digit GB/T 4754 industryClass lies in the project\'s industry section',
  // Statistics and investment
  'statistics-needs-started': 'StatisticsEntered needs Started (by its date and month)',
  'statistics-threshold-500wan': "StatisticsEntered needs both the project's 总投资 (on the entry's date) and the plannedInvestment it declares ≥ 500 万元",
  'statistics-once': 'StatisticsEntered once per project',
  'statistics-month-not-ahead': 'the statistics month cannot be later than the month it is recorded in (local choice)',
  'investment-needs-started': 'InvestmentReported needs Started (its period not before the start month)',
  'investment-period-once': 'at most one InvestmentReported per period; later ones are InvestmentCorrected',
  'investment-period-not-ahead': 'a period cannot be later than the month it is recorded in',
  'investment-correction-needs-report': 'InvestmentCorrected needs an InvestmentReported for that period',
  // Batches
  'started-batch-must-hold-project': "Started.batchId, when given, names the batch that holds the project (its stream lists it)",
} as const;

/** The rules of the targets and batch streams (besides project-not-registered and the date rules). */
export const TARGET_AND_BATCH_RULES = {
  'targets-stream-mismatch': 'a targets stream holds one region and year',
  'batch-already-scheduled': 'a batch id is scheduled once',
  'project-already-in-batch': 'a project joins at most one 集中开工 batch',
  'batch-project-already-started': 'a project joins a batch only before it has started',
  'batch-project-outside-region': "a batch's projects lie in the batch's region (local choice)",
} as const;

export const RULES = { ...PROJECT_RULES, ...TARGET_AND_BATCH_RULES, ...KEY_RULES, ...REGION_RULES } as const;

export type RuleName = keyof typeof RULES;
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/** Refuses the command: throws the DomainRuleBroken naming `rule`. */
export function refuse(rule: RuleName, message: string): never {
  throw new DomainRuleBroken(rule, message);
}

export function notInFuture(occurredOn: string, today: string): void {
  if (occurredOn > today) refuse('occurred-on-not-in-future', `${occurredOn} is after today (${today})`);
}
