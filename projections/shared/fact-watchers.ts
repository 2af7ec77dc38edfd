/**
 * Who needs the facts as they were before the fold changes them: a long read (the whole
 * ledger as CSV) streams the live facts a chunk per turn without holding the fold, so the fold
 * tells it, before an event touches any project, which event that is; the read then keeps the
 * rows that event will change as they stood, and its answer stays of the one position it began
 * at. Watchers are keyed by the facts table's `projects` record (every read model's state shares
 * it); with none watching, the fold pays one integer comparison per event.
 */
import type { DomainEvent } from './domain-events.js';

export type BeforeFactsChange = (event: DomainEvent) => void;

const watchers = new WeakMap<object, Set<BeforeFactsChange>>();
let watching = 0;

/** Calls `watcher` before every event the fold applies to `projects` until the returned function is called. */
export function watchFacts(projects: object, watcher: BeforeFactsChange): () => void {
  let set = watchers.get(projects);
  if (set === undefined) watchers.set(projects, (set = new Set()));
  set.add(watcher);
  watching++;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    watching--;
    set.delete(watcher);
  };
}

/** The fold's side: called with each event before any fact or read model takes it. */
export function beforeFactsChange(projects: object, event: DomainEvent): void {
  if (watching === 0) return;
  const set = watchers.get(projects);
  if (set === undefined) return;
  for (const watcher of set) watcher(event);
}

/** Whether any read is frozen over `projects` now: the region index then replaces a list instead of changing it in place. */
export function factsWatched(projects: object): boolean {
  return watching > 0 && (watchers.get(projects)?.size ?? 0) > 0;
}

/** Frozen reads open now, over every facts table (a gauge for operators: one that never ends holds copies). */
export function openWatchers(): number {
  return watching;
}
