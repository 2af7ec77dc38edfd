/**
 * Imports read ledger rows: each row's project is found (by the id it gives, else by name and
 * region through the read side, else at the id derived from its name and region), its events
 * planned by the project decider (plan-row.ts), and, unless it is a dry run, appended to the
 * project's stream in one append, stamped and hash-chained as every command's events are. A
 * row lands whole or not at all; a concurrent write to the project re-plans the row.
 *
 * Rows of different projects run concurrently (a window of them), so the store's group commit
 * writes many rows per transaction; rows of one project run in file order.
 */
import { createHash } from 'node:crypto';
import type { EventStore, JsonObject } from '../../src/event-store/port.js';
import { WrongExpectedRevision } from '../../src/event-store/errors.js';
import { loadStream, stampEvents, type CommandContext } from '../handle-command.js';
import type { Clock } from '../shared/clock.js';
import { projectDecider } from '../project/decider.js';
import type { ScheduledBatch } from '../project/commands.js';
import { scheduledBatch } from '../project/post-milestone.js';
import { onStream } from '../stream-queue.js';
import { projectStreamId } from '../project/events.js';
import type { ProjectState } from '../project/state.js';
import type { StoredEvent } from '../decider.js';
import { toJsonObject } from '../shared/json.js';
import type { CellSource, LedgerRecord } from './ledger-record.js';
import { planRow } from './plan-row.js';

export interface LedgerImportOptions {
  readonly store: EventStore;
  /** Actor, correlation and causation of the import, stamped on every event. */
  readonly context: CommandContext;
  readonly dryRun: boolean;
  /** The business clock each row is decided at. */
  readonly clock: () => Clock;
  /** The id of the project already registered under this name in this region, if any (the read side). */
  readonly projectNamed: (name: string, regionCode: string) => string | undefined;
  /** Rows in flight at once (default 64). */
  readonly window?: number;
  readonly onProgress?: (done: number) => void;
}

export interface ImportedEvent {
  readonly type: string;
  /** As stored: amounts are integer Amounts (the HTTP layer shows them in 万元). */
  readonly data: JsonObject;
  readonly flags: readonly string[];
}

export type RowOutcome =
  | { readonly row: number; readonly status: 'accepted'; readonly projectId: string; readonly existing: boolean; readonly events: readonly ImportedEvent[]; readonly notes: readonly string[] }
  | { readonly row: number; readonly status: 'unchanged'; readonly projectId: string; readonly notes: readonly string[] }
  | { readonly row: number; readonly status: 'refused'; readonly projectId: string; readonly refusal: RuleRefusal };

export interface RuleRefusal {
  readonly rule: string;
  readonly message: string;
  readonly source: CellSource;
}

export interface LedgerImportResult {
  readonly outcomes: readonly RowOutcome[];
  /** Global position of the last event appended (0 when nothing was). */
  readonly position: number;
}

const MAX_ATTEMPTS = 5;

export async function importLedger(records: readonly LedgerRecord[], options: LedgerImportOptions): Promise<LedgerImportResult> {
  const byProject = new Map<string, LedgerRecord[]>();
  for (const record of records) {
    const id = projectIdOf(record, options);
    const rows = byProject.get(id);
    if (rows) rows.push(record);
    else byProject.set(id, [record]);
  }
  const outcomes = new Map<number, RowOutcome>();
  let position = 0;
  let done = 0;
  const queue = [...byProject.entries()];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [projectId, rows] = next;
      // A dry run appends nothing: the next row of the same project is planned on this one's outcome.
      const planned: Planned = { current: undefined };
      for (const record of rows) {
        const outcome = await importRow(record, projectId, options, planned);
        outcomes.set(record.row, outcome.outcome);
        position = Math.max(position, outcome.position);
        done += 1;
        options.onProgress?.(done);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.window ?? 64, queue.length)) }, worker));
  return { outcomes: records.map((r) => outcomes.get(r.row)).filter((o) => o !== undefined), position };
}

interface Planned {
  current: { readonly state: ProjectState; readonly events: readonly StoredEvent[]; readonly revision: number | 'no_stream'; readonly lastHash: string } | undefined;
}

function importRow(record: LedgerRecord, projectId: string, options: LedgerImportOptions, planned: Planned): Promise<{ outcome: RowOutcome; position: number }> {
  const streamId = projectStreamId(projectId);
  // Queued behind the commands on the project's stream from this process, as every command is (stream-queue.ts).
  return options.dryRun
    ? importRowOn(streamId, record, projectId, options, planned)
    : onStream(options.store, streamId, () => importRowOn(streamId, record, projectId, options, planned));
}

async function importRowOn(streamId: string, record: LedgerRecord, projectId: string, options: LedgerImportOptions, planned: Planned): Promise<{ outcome: RowOutcome; position: number }> {
  const namedBatch = await batchNamedBy(record, options.store);
  for (let attempt = 1; ; attempt++) {
    const current = planned.current ?? await loadStream(options.store, streamId, projectDecider);
    const plan = planRow(record, projectId, current, options.clock(), namedBatch);
    if (plan.kind === 'refused') {
      return { outcome: { row: record.row, status: 'refused', projectId, refusal: { rule: plan.rule, message: plan.message, source: plan.source } }, position: 0 };
    }
    if (plan.kind === 'unchanged') return { outcome: { row: record.row, status: 'unchanged', projectId, notes: plan.notes }, position: 0 };
    const events = plan.events.map((event) => ({ type: event.type, data: toJsonObject(event.data), flags: event.flags ?? [] }));
    const outcome: RowOutcome = { row: record.row, status: 'accepted', projectId, existing: current.state.status === 'registered', events, notes: plan.notes };
    if (options.dryRun) {
      planned.current = { ...current, state: plan.state, events: [...current.events, ...plan.events] };
      return { outcome, position: 0 };
    }
    try {
      const appended = await options.store.appendToStream(streamId, stampEvents(plan.events, current.lastHash, options.context), { expectedRevision: current.revision });
      return { outcome, position: appended.position };
    } catch (error) {
      // Someone wrote to the project meanwhile: plan the row again on its new state.
      if (!(error instanceof WrongExpectedRevision) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** The batch the row's start names (集中开工批次), as scheduled: the decider checks it holds the project. */
async function batchNamedBy(record: LedgerRecord, store: EventStore): Promise<ScheduledBatch | undefined> {
  for (const { event } of record.milestones) {
    if (event.type === 'Started' && event.data.batchId !== undefined) return scheduledBatch(store, event.data.batchId);
  }
  return undefined;
}

function projectIdOf(record: LedgerRecord, options: LedgerImportOptions): string {
  return record.projectId
    ?? options.projectNamed(record.registration.name, record.registration.regionCode)
    ?? derivedProjectId(record.registration.regionCode, record.registration.name);
}

/**
 * The id a row without one gets: derived from its region and name, so that importing the same
 * file again finds the same project even before the read side has caught up with the first.
 */
export function derivedProjectId(regionCode: string, name: string): string {
  return `xl-${createHash('sha256').update(`${regionCode}\n${name}`).digest('hex').slice(0, 24)}`;
}
