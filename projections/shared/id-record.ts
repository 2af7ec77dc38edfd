/**
 * Records keyed by ids that users choose (project and batch ids): with no prototype, so an id
 * such as `constructor`, `toString` or `valueOf` is a key like any other. On a plain object
 * `projects['constructor']` is Object's constructor: the project looks registered before it
 * is, and its facts never land. JSON.stringify writes them as any object; what JSON.parse
 * gives back goes through `idRecordOf` before it is used as one.
 */
export function idRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A parsed (plain) record copied into a null-prototype one. */
export function idRecordOf<T>(parsed: unknown): Record<string, T> {
  const record = idRecord<T>();
  if (typeof parsed !== 'object' || parsed === null) return record;
  // Own keys only, defined (never assigned: no setter named __proto__ is ever called).
  for (const [key, value] of Object.entries(parsed)) {
    Object.defineProperty(record, key, { value: value as T, enumerable: true, writable: true, configurable: true });
  }
  return record;
}
