/**
 * Conversions between the port's events and the driver's: events travel as JSON
 * (`application/json` data and metadata), the record time is the server's `created`.
 */
import { jsonEvent, type EventData, type RecordedEvent as DriverRecordedEvent } from '@eventstore/db-client';
import { StoreUnavailable } from '../errors.js';
import type { JsonObject, NewEvent, RecordedEvent } from '../port.js';
import { fromLogPosition } from './log-positions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The server's own events ($settings, $stats, $metadata, links `$>`…): never the product's. */
export function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

export function toEventData(event: NewEvent): EventData {
  if (event.id !== undefined && !UUID.test(event.id)) {
    // KurrentDB stores ids as GUIDs and fails the whole append on anything else.
    throw new RangeError(`event id ${event.id} is not a UUID`);
  }
  return jsonEvent({
    type: event.type,
    data: event.data,
    ...(event.metadata === undefined ? {} : { metadata: event.metadata }),
    ...(event.id === undefined ? {} : { id: event.id }),
  });
}

export function toRecordedEvent(event: DriverRecordedEvent): RecordedEvent {
  const what = `event ${event.id} (${event.streamId}@${event.revision})`;
  if (!isJsonObject(event.data)) {
    // Written by something other than this product: refuse it loudly rather than guess.
    throw new StoreUnavailable(`${what} does not hold a JSON object`);
  }
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: fromLogPosition(event.position, what),
    type: event.type,
    data: event.data,
    metadata: isJsonObject(event.metadata) ? event.metadata : {},
    recordedAt: event.created.toISOString(),
  };
}

/** The driver has JSON.parse'd `application/json` payloads; only the top level needs checking. */
function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
