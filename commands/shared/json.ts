/**
 * Event data and metadata as the store keeps them: plain JSON. Optional fields that are
 * absent (`undefined`) are dropped, exactly as JSON.stringify would, so that the hash of an
 * event is computed over the same value the store writes and an auditor reads back.
 */
import type { JsonObject, JsonValue } from '../../src/event-store/port.js';

export function toJsonObject(value: object): JsonObject {
  const json = toJsonValue(value);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new TypeError('not a JSON object');
  return json;
}

export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toJsonValue(item)));
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      // An own key named __proto__ (JSON.parse makes one) stays a key: assigning it would set the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: toJsonValue(item), enumerable: true, writable: true, configurable: true });
      else out[key] = toJsonValue(item);
    }
    return out;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}
