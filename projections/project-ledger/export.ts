/**
 * The whole (filtered) ledger as one position, streamed without holding the fold: a 10⁵-row
 * export takes seconds to send, and commands and live updates must go on meanwhile. The rows
 * are read from the live facts a chunk at a time; before the fold changes a project whose row
 * has not been sent yet, the export keeps that row as it stood (shared/fact-watchers.ts).
 * Every row is then of the position the export began at: a project registered later is not in
 * it, one moved out of the filter later still is, and none is sent twice.
 */
import type { DomainEvent } from '../shared/domain-events.js';
import { watchFacts } from '../shared/fact-watchers.js';
import { lowerBound, seqsWithin, type ProjectFacts } from '../shared/project-facts.js';
import { LEDGER_COLUMNS } from './csv.js';
import type { LedgerState } from './projection.js';
import { ledgerMatcher, type LedgerFilter } from './query.js';
import type { FlagsOf } from './row.js';

export interface LedgerExport {
  /** The global position every row reflects. */
  readonly position: number;
  /** Each matching project's cells (LEDGER_COLUMNS) in ledger order; the export ends when it is done. */
  readonly rows: Generator<string[], void, undefined>;
  /** Stops keeping rows: call it when the reader goes away before the end (idempotent). */
  close(): void;
}

/**
 * Begins an export of `state` (live or as of a moment), which must be at `position` now: call it
 * in the same turn as the position is read.
 */
export function exportLedger(state: LedgerState, position: number, flagsOf: FlagsOf, filter: LedgerFilter): LedgerExport {
  const matches = ledgerMatcher(filter);
  const cellsOf = (facts: ProjectFacts): string[] | null => (matches(facts) ? LEDGER_COLUMNS.map(({ cell }) => cell(facts, flagsOf)) : null);
  const roots = filter.regionCode !== undefined ? [filter.regionCode] : filter.regionCodes;
  // A copy: the region index's own lists change as projects register and move.
  const seqs = Int32Array.from(seqsWithin(state, roots));
  const registered = state.order.length;
  /** Rows kept as they stood, by seq, for the projects the fold changed before they were sent (null: not a match then). */
  const kept = new Map<number, string[] | null>();
  let next = 0;

  const keep = (facts: ProjectFacts | undefined): void => {
    if (facts === undefined) return;
    const { seq } = facts;
    if (seq >= registered || kept.has(seq)) return;
    const at = lowerBound(seqs, seq);
    if (at < next || seqs[at] !== seq) return; // sent already, or not in the export's regions at its position
    kept.set(seq, cellsOf(facts));
  };
  const factsAt = (seq: number): ProjectFacts | undefined => {
    const id = state.order[seq];
    return id === undefined ? undefined : state.projects[id];
  };
  const beforeChange = (event: DomainEvent): void => {
    if (event.type === 'AnnualTargetsSet') return;
    if (event.type !== 'GroundbreakingBatchScheduled') {
      keep(state.projects[event.data.projectId]);
      return;
    }
    for (const projectId of event.data.projectIds) keep(state.projects[projectId]);
    // A batch scheduled again moves its members' deadline, and so their flags.
    for (let i = next; i < seqs.length; i++) {
      const facts = factsAt(seqs[i] as number);
      if (facts?.batchId === event.data.batchId) keep(facts);
    }
  };
  const close = watchFacts(state.projects, beforeChange);

  function* rows(): Generator<string[], void, undefined> {
    try {
      while (next < seqs.length) {
        const seq = seqs[next] as number;
        const row = kept.has(seq) ? kept.get(seq) : cellsOf(factsAt(seq) as ProjectFacts);
        kept.delete(seq);
        next++; // sent: the fold may change it from here on
        if (row) yield row;
      }
    } finally {
      close();
      kept.clear();
    }
  }
  return { position, rows: rows(), close };
}
