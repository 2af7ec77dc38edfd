/**
 * The region an event of the log is about, read from the log itself (never from a read
 * model): a project's events and its batch membership by the project's region (as registered,
 * or as corrected since), targets and batches by theirs, a custom region by its code. Keys
 * and idempotency records belong to no region: they are for keys over the whole country.
 */
import { MEMBERSHIP_STREAM_PREFIX } from '../../../commands/batch/membership.js';
import { PROJECT_STREAM_PREFIX, projectStreamId } from '../../../commands/project/events.js';
import type { RegionCode } from '../../../commands/shared/region-code.js';
import { StreamNotFound } from '../../event-store/errors.js';
import type { EventStore, RecordedEvent } from '../../event-store/port.js';

/** The region an event is about by its own data, with a project's region found by `projectRegion`. */
export function regionOfEventData(event: RecordedEvent, projectRegion: (projectId: string) => RegionCode | undefined): RegionCode | undefined {
  const text = (field: string) => (typeof event.data[field] === 'string' ? event.data[field] : undefined);
  if (event.streamId.startsWith(PROJECT_STREAM_PREFIX)) {
    return projectRegion(event.streamId.slice(PROJECT_STREAM_PREFIX.length)) ?? text('regionCode');
  }
  if (event.streamId.startsWith(MEMBERSHIP_STREAM_PREFIX)) return projectRegion(event.streamId.slice(MEMBERSHIP_STREAM_PREFIX.length));
  switch (event.type) {
    case 'AnnualTargetsSet':
    case 'GroundbreakingBatchScheduled': return text('regionCode');
    case 'CustomRegionRegistered': return text('code');
    default: return undefined;
  }
}

/** A project's region as its own stream last set it, through `events` in order. */
export function foldProjectRegion(regions: Map<string, RegionCode>, event: RecordedEvent): void {
  if (!event.streamId.startsWith(PROJECT_STREAM_PREFIX)) return;
  const code = event.data['regionCode'];
  if (typeof code === 'string' && (event.type === 'ProjectRegistered' || event.type === 'DetailsCorrected')) {
    regions.set(event.streamId.slice(PROJECT_STREAM_PREFIX.length), code);
  }
}

/** The region of one event, reading its project's stream when it belongs to a project. */
export async function regionOfRecordedEvent(store: EventStore, event: RecordedEvent): Promise<RegionCode | undefined> {
  const projectId = event.streamId.startsWith(PROJECT_STREAM_PREFIX)
    ? event.streamId.slice(PROJECT_STREAM_PREFIX.length)
    : event.streamId.startsWith(MEMBERSHIP_STREAM_PREFIX) ? event.streamId.slice(MEMBERSHIP_STREAM_PREFIX.length) : undefined;
  const regions = new Map<string, RegionCode>();
  if (projectId !== undefined) {
    try {
      for (const recorded of await store.readStream(projectStreamId(projectId))) foldProjectRegion(regions, recorded);
    } catch (error) {
      if (!(error instanceof StreamNotFound)) throw error;
    }
  }
  return regionOfEventData(event, (id) => regions.get(id));
}
