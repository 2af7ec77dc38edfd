/**
 * Upcasters: stored events are never rewritten (the hash chain forbids it); an event written
 * under an older schema is lifted to the current one as it is read. Each upcaster is a pure
 * step vN → vN+1 for one event type, keyed by (type, metadata.schemaVersion); reading
 * applies the steps in turn. The old schema is frozen beside its upcaster (a zod schema of the
 * data as stored, amounts as integers) and parses the old data, so a step is typed both ways.
 *
 * The current version of a type is 1 + the number of its steps: what the handler writes in
 * metadata.schemaVersion. A version above that was written by newer code: refused, since
 * this code cannot know what it means.
 */
import type { z } from 'zod';
import type { JsonObject, RecordedEvent } from '../../src/event-store/port.js';

export interface Upcaster {
  readonly type: string;
  /** The version this step reads; it produces fromVersion + 1. */
  readonly fromVersion: number;
  readonly upcast: (data: JsonObject) => JsonObject;
}

export function defineUpcaster<Old>(step: {
  readonly type: string;
  readonly fromVersion: number;
  /** The frozen schema of the data as stored at `fromVersion`. */
  readonly from: z.ZodType<Old>;
  readonly upcast: (old: Old) => JsonObject;
}): Upcaster {
  return {
    type: step.type,
    fromVersion: step.fromVersion,
    upcast: (data) => {
      const parsed = step.from.safeParse(data);
      if (!parsed.success) throw new UpcastFailed(step.type, step.fromVersion, parsed.error.message);
      return step.upcast(parsed.data);
    },
  };
}

export class UpcastFailed extends Error {
  constructor(readonly type: string, readonly version: number, detail: string) {
    super(`cannot upcast ${type} v${version}: ${detail}`);
    this.name = 'UpcastFailed';
  }
}

export interface UpcasterRegistry {
  /** The event under the current schema of its type (the same object when already current). */
  readonly upcast: (event: RecordedEvent) => RecordedEvent;
  readonly currentVersion: (type: string) => number;
}

export function schemaVersionOf(event: RecordedEvent): number {
  const version = event.metadata['schemaVersion'];
  return typeof version === 'number' ? version : 1;
}

export function createUpcasterRegistry(steps: readonly Upcaster[]): UpcasterRegistry {
  const byKey = new Map<string, Upcaster>();
  const current = new Map<string, number>();
  for (const step of steps) {
    const key = `${step.type}@${step.fromVersion}`;
    if (byKey.has(key)) throw new Error(`two upcasters for ${key}`);
    byKey.set(key, step);
  }
  for (const step of steps) {
    for (let v = 1; v < step.fromVersion; v += 1) {
      if (!byKey.has(`${step.type}@${v}`)) throw new Error(`${step.type}: no upcaster from v${v} to v${v + 1}`);
    }
    current.set(step.type, Math.max(current.get(step.type) ?? 1, step.fromVersion + 1));
  }
  const currentVersion = (type: string) => current.get(type) ?? 1;
  return {
    currentVersion,
    upcast: (event) => {
      const latest = currentVersion(event.type);
      let version = schemaVersionOf(event);
      if (version > latest) throw new UpcastFailed(event.type, version, `this code knows up to v${latest}`);
      if (version === latest) return event;
      let data = event.data;
      for (; version < latest; version += 1) {
        const step = byKey.get(`${event.type}@${version}`);
        if (step === undefined) throw new UpcastFailed(event.type, version, 'no upcaster');
        data = step.upcast(data);
      }
      return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
    },
  };
}
