/**
 * The generator builds event data directly in its stored form (integer Amounts of 0.01 万元)
 * rather than parsing every request body, which would cost more than writing. To be sure that
 * form is exactly what the HTTP layer would have stored, samples are turned back into request
 * bodies (Amounts → 万元) and parsed by the real zod schemas: the output must equal the data.
 * The first events of each type are all checked, then one in 5,000.
 */
import type { z } from 'zod';
import type { JsonObject } from '../../src/event-store/port.js';
import { canonicalJson } from '../../commands/hash-chain.js';
import { amountFieldsOf, AMOUNTS_PER_WAN } from '../../commands/shared/money.js';
import { eventSchemas } from '../../commands/project/events.js';
import { annualTargetsSetSchema, COUNT_MEASURES, TARGET_MEASURES } from '../../commands/targets/events.js';
import { groundbreakingBatchScheduledSchema } from '../../commands/batch/events.js';
import { keyIssuedSchema } from '../../commands/keys/events.js';

const ALWAYS = 200;
const THEN_EVERY = 5_000;

export class StoredFormMismatch extends Error {
  constructor(type: string, detail: string) {
    super(`generated ${type} is not in the form the app stores: ${detail}`);
    this.name = 'StoredFormMismatch';
  }
}

export function checkStoredForm(type: string, data: JsonObject, nth: number): void {
  if (nth > ALWAYS && nth % THEN_EVERY !== 0) return;
  const parsed = parseAsRequest(type, data);
  if (parsed === undefined) return;
  if (!parsed.success) throw new StoredFormMismatch(type, parsed.error.message);
  const expected = canonicalJson(data);
  const actual = canonicalJson(JSON.parse(JSON.stringify(parsed.data)) as JsonObject);
  if (expected !== actual) throw new StoredFormMismatch(type, `${expected} parses to ${actual}`);
}

function parseAsRequest(type: string, data: JsonObject): z.ZodSafeParseResult<unknown> | undefined {
  if (isProjectEvent(type)) {
    const schema = eventSchemas[type];
    return schema.safeParse(inWan(data, amountFieldsOf(schema.shape)));
  }
  switch (type) {
    case 'AnnualTargetsSet': {
      const targets = data['targets'];
      if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) throw new StoredFormMismatch(type, 'no targets');
      const amounts = TARGET_MEASURES.filter((m) => !COUNT_MEASURES.has(m));
      return annualTargetsSetSchema.safeParse({ ...data, targets: inWan(targets, amounts) });
    }
    case 'GroundbreakingBatchScheduled':
      return groundbreakingBatchScheduledSchema.safeParse(data);
    case 'KeyIssued':
      return keyIssuedSchema.safeParse(data);
    default:
      return undefined; // bookkeeping events (batch membership) have no request schema
  }
}

function isProjectEvent(type: string): type is keyof typeof eventSchemas {
  return Object.hasOwn(eventSchemas, type);
}

function inWan(data: JsonObject, amountFields: readonly string[]): JsonObject {
  const body: JsonObject = { ...data };
  for (const field of amountFields) {
    const value = body[field];
    if (typeof value === 'number') body[field] = value / AMOUNTS_PER_WAN;
  }
  return body;
}
