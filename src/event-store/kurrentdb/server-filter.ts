/**
 * The port's EventFilter as a server-side $all filter, so the server skips what the subscriber
 * does not want instead of sending it over the network.
 *
 * A server filter looks at one thing, the stream name or the event type; the port's filter may
 * constrain both. The event types are sent (as an exact-match regex) when there are some, else
 * the stream prefixes; the subscription still applies the whole filter on arrival. With no filter
 * the server is asked to leave out its own `$` events, which the port never delivers.
 */
import { eventTypeFilter, excludeSystemEvents, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { EventFilter } from '../port.js';

export function toServerFilter(filter: EventFilter | undefined): Filter {
  const types = filter?.eventTypes ?? [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (types.length > 0) return eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$` });
  if (prefixes.length > 0) return streamNameFilter({ prefixes: [...prefixes] });
  return excludeSystemEvents();
}

/** Escapes what is special in both JavaScript and .NET regular expressions. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}#\s-]/g, (character) => `\\${character}`);
}
