/**
 * The ledger, compliance and batches as they stood at one position, read while the fold goes
 * on. A province-wide list or the whole ledger as CSV takes many turns of the loop to compute
 * or send; holding the fold for all of them froze live updates and read-your-writes behind
 * every long query (and overlapping ones held it indefinitely). Instead, the fold tells a frozen
 * read before each event what it is about to change (shared/fact-watchers.ts), and the read
 * keeps those parts as they were: the facts of the event's project, its late reports, a batch's
 * members. Everything else it reads from the live state, which has not changed. Copies are
 * taken only of what changes while the read is open, so a read costs little more than the
 * events that arrive during it. The statistics are not frozen: their queries read a few cube
 * nodes in one turn (a snapshot writes the cube out at once: all-read-models.ts).
 */
import type { AllReadModelsState } from './all-read-models.js';
import type { BatchesState } from './batches/projection.js';
import type { ComplianceState, LateReport } from './compliance/projection.js';
import type { LedgerState } from './project-ledger/projection.js';
import type { DomainEvent } from './shared/domain-events.js';
import { watchFacts } from './shared/fact-watchers.js';
import { idRecord } from './shared/id-record.js';
import type { ProjectFacts, RegionIndex } from './shared/project-facts.js';

export interface FrozenReadModels {
  /** The position every view reflects. */
  readonly position: number;
  readonly 'project-ledger': LedgerState;
  readonly compliance: ComplianceState;
  readonly batches: BatchesState;
  /** Stops keeping copies: call it once the read is done (idempotent). */
  release(): void;
}

/** Freezes `state`, which must be at `position` now: call it in the turn the position is read. */
export function freezeReadModels(state: AllReadModelsState, position: number): FrozenReadModels {
  const live = state.facts;
  const registered = live.order.length;
  const facts = new Map<string, ProjectFacts | undefined>();
  const lateReports = new Map<string, LateReport[] | undefined>();
  const joinedAtStart = new Map<string, string[] | undefined>();

  const keepProject = (projectId: string): void => {
    if (facts.has(projectId)) return;
    const now = live.projects[projectId];
    // A project registered after the position stays unseen (`registered` also bounds `order`).
    facts.set(projectId, now === undefined || now.seq >= registered ? undefined : structuredClone(now));
    const reports = state.compliance.lateReports[projectId];
    if (!lateReports.has(projectId)) lateReports.set(projectId, reports === undefined ? undefined : [...reports]);
  };
  const keepJoined = (batchId: string): void => {
    if (joinedAtStart.has(batchId)) return;
    const joined = state.batches.joinedAtStart[batchId];
    joinedAtStart.set(batchId, joined === undefined ? undefined : [...joined]);
  };
  const beforeChange = (event: DomainEvent): void => {
    switch (event.type) {
      case 'AnnualTargetsSet':
        return;
      case 'GroundbreakingBatchScheduled':
        // The batch records are replaced, never changed, and were copied below; the listed projects join it.
        for (const projectId of event.data.projectIds) keepProject(projectId);
        return;
      default:
        keepProject(event.data.projectId);
        if (event.type === 'Started' && event.data.batchId !== undefined) keepJoined(event.data.batchId);
    }
  };
  const release = watchFacts(live.projects, beforeChange);

  const projects = kept(live.projects, facts);
  // The registration order only grows, and what it gains is hidden above. While a read is
  // frozen, the region index's lists change in place only by a registration's append (hidden
  // too); a move replaces the lists it changes (project-facts.ts), so a copy of the map (one
  // entry a region) keeps them as they are now.
  const order = live.order;
  const byRegion: RegionIndex = new Map(live.byRegion);
  // Each view keeps its own model's position, as the live states do (each counts the events it takes).
  return {
    position,
    'project-ledger': { position: state['project-ledger'].position, projects, order, byRegion },
    compliance: {
      position: state.compliance.position,
      projects,
      order,
      byRegion,
      batches: copyOf(state.compliance.batches),
      lateReports: kept(state.compliance.lateReports, lateReports),
    },
    batches: {
      position: state.batches.position,
      projects,
      batches: copyOf(state.batches.batches),
      joinedAtStart: kept(state.batches.joinedAtStart, joinedAtStart),
    },
    release: () => {
      release();
    },
  };
}

/** `live` seen through the copies kept of its entries before they changed (undefined: absent then). */
function kept<T>(live: Record<string, T>, copies: ReadonlyMap<string, T | undefined>): Record<string, T> {
  return new Proxy(live, {
    get: (target, key) => (typeof key === 'string' && copies.has(key) ? copies.get(key) : Reflect.get(target, key)),
    has: (target, key) => (typeof key === 'string' && copies.has(key) ? copies.get(key) !== undefined : Reflect.has(target, key)),
    set: () => false,
    deleteProperty: () => false,
  });
}

/** A shallow copy of a record of entries the fold replaces but never changes (batches, a few hundred). */
function copyOf<T>(record: Record<string, T>): Record<string, T> {
  const copy = idRecord<T>();
  for (const key in record) copy[key] = record[key] as T;
  return copy;
}
