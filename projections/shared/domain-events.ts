/**
 * From the store's RecordedEvent to the typed domain events of commands/*: the one place where
 * a projection trusts stored data. The store only holds events whose data passed the event's
 * zod schema when appended (amounts already integer Amounts), and upcasters run before
 * projections; re-parsing here would cost more than the whole fold and would apply the 万元 →
 * Amount transform a second time.
 */
import type { RecordedEvent } from '../../src/event-store/port.js';
import { PROJECT_EVENT_TYPES, type ProjectEvent } from '../../commands/project/events.js';
import type { TargetsEvent } from '../../commands/targets/events.js';
import type { BatchEvent } from '../../commands/batch/events.js';

export type DomainEvent = ProjectEvent | TargetsEvent | BatchEvent;

const KNOWN_TYPES: ReadonlySet<string> = new Set<string>([...PROJECT_EVENT_TYPES, 'AnnualTargetsSet', 'GroundbreakingBatchScheduled']);

/** The typed view of a recorded event, or undefined for a type no projection here knows. */
export function domainEventOf(event: RecordedEvent): DomainEvent | undefined {
  if (!KNOWN_TYPES.has(event.type)) return undefined;
  return event as unknown as DomainEvent;
}

/**
 * The soft-rule flags a decider put in the event's metadata (commands/decider.ts, SoftRule).
 * Few events carry any: when the stored metadata text has no "flags" key, the answer is known
 * without parsing it (the embedded store parses metadata only when it is first read).
 */
export function flagsOf(event: RecordedEvent): readonly string[] {
  // The facts and compliance both ask of the event being folded: the answer is kept for it.
  if (event === lastAsked) return lastFlags;
  lastAsked = event;
  lastFlags = readFlags(event);
  return lastFlags;
}

function readFlags(event: RecordedEvent): readonly string[] {
  const json = event.metadataJson;
  if (typeof json === 'string' && !json.includes('"flags"')) return NO_FLAGS;
  const flags = event.metadata['flags'];
  if (!Array.isArray(flags) || flags.length === 0) return NO_FLAGS;
  return flags.filter((flag): flag is string => typeof flag === 'string');
}
const NO_FLAGS: readonly string[] = [];
let lastAsked: RecordedEvent | undefined;
let lastFlags: readonly string[] = NO_FLAGS;
