/**
 * The one registry of the app's error codes (fastify style, @fastify/error): each code has
 * one HTTP status and one title here and nowhere else. Every error answer the app sends is
 * made from an instance of one of these (problem-details.ts's sendProblem takes nothing
 * else), and the error handler maps foreign error classes to them.
 * test/http/error-registry.test.ts checks every code against README.md's error table.
 */
import createError, { type FastifyError } from '@fastify/error';

export const errors = {
  Malformed: createError('PIPELINE_MALFORMED', '%s', 400),
  Unauthenticated: createError('PIPELINE_UNAUTHENTICATED', '%s', 401),
  Forbidden: createError('PIPELINE_FORBIDDEN', '%s', 403),
  NotFound: createError('PIPELINE_NOT_FOUND', '%s', 404),
  RuleBroken: createError('PIPELINE_RULE_BROKEN', '%s', 409),
  ConcurrentWrites: createError('PIPELINE_CONCURRENT_WRITES', '%s', 409),
  RequestInFlight: createError('PIPELINE_REQUEST_IN_FLIGHT', '%s', 409),
  StaleRevision: createError('PIPELINE_STALE_REVISION', '%s', 412),
  BodyTooLarge: createError('PIPELINE_BODY_TOO_LARGE', '%s', 413),
  UriTooLong: createError('PIPELINE_URI_TOO_LONG', '%s', 414),
  UnsupportedMediaType: createError('PIPELINE_UNSUPPORTED_MEDIA_TYPE', '%s', 415),
  IdempotencyKeyReused: createError('PIPELINE_IDEMPOTENCY_KEY_REUSED', '%s', 422),
  // A ledger import's file (POST /v1/imports): unreadable as a ledger, too large to read, not a spreadsheet.
  SpreadsheetUnreadable: createError('PIPELINE_SPREADSHEET_UNREADABLE', '%s', 400),
  SpreadsheetTooLarge: createError('PIPELINE_SPREADSHEET_TOO_LARGE', '%s', 413),
  NotASpreadsheet: createError('PIPELINE_NOT_A_SPREADSHEET', '%s', 415),
  RateLimited: createError('PIPELINE_RATE_LIMITED', '%s', 429),
  // Answered by the server before a request reaches a route (src/http/connections.ts).
  RequestTimeout: createError('PIPELINE_REQUEST_TIMEOUT', '%s', 408),
  HeadersTooLarge: createError('PIPELINE_HEADERS_TOO_LARGE', '%s', 431),
  TooManyConnections: createError('PIPELINE_TOO_MANY_CONNECTIONS', '%s', 429),
  NotReady: createError('PIPELINE_NOT_READY', '%s', 503),
  StoreUnavailable: createError('PIPELINE_STORE_UNAVAILABLE', '%s', 503),
  Internal: createError('PIPELINE_INTERNAL', '%s', 500),
} as const;

export type ErrorName = keyof typeof errors;
export type ErrorCode = ReturnType<(typeof errors)[ErrorName]>['code'];
/** An error made by the registry: the only thing an error answer is made from. */
export type RegistryError = FastifyError & { readonly code: ErrorCode; readonly statusCode: number };

export const ERROR_NAMES = Object.keys(errors).filter((name): name is ErrorName => name in errors);
/** Every code, typed (the Problem schema's enum). */
export const ERROR_CODE_VALUES: readonly ErrorCode[] = ERROR_NAMES.map((name) => errors[name]('').code);
export const ERROR_CODES: readonly string[] = ERROR_CODE_VALUES;

/** Each code's status, as its constructor makes it. */
const STATUS_OF: ReadonlyMap<string, number> = new Map(ERROR_NAMES.map((name) => {
  const made = errors[name]('');
  return [made.code, made.statusCode ?? 500];
}));

/** Whether an error was made by this registry (its code is ours, with our status). */
export function isRegistryError(error: unknown): error is RegistryError {
  if (!(error instanceof Error)) return false;
  const code: unknown = Reflect.get(error, 'code');
  const status: unknown = Reflect.get(error, 'statusCode');
  return typeof code === 'string' && typeof status === 'number' && STATUS_OF.get(code) === status;
}

/** The problem documents' `title`, by code: what went wrong, in a few words. */
export const TITLES: Readonly<Record<ErrorCode, string>> = {
  PIPELINE_MALFORMED: 'Malformed request',
  PIPELINE_UNAUTHENTICATED: 'Not authenticated',
  PIPELINE_FORBIDDEN: 'Forbidden',
  PIPELINE_NOT_FOUND: 'Not found',
  PIPELINE_RULE_BROKEN: 'Domain rule broken',
  PIPELINE_CONCURRENT_WRITES: 'Concurrent writes',
  PIPELINE_REQUEST_IN_FLIGHT: 'Request in flight',
  PIPELINE_STALE_REVISION: 'Stale revision',
  PIPELINE_BODY_TOO_LARGE: 'Body too large',
  PIPELINE_URI_TOO_LONG: 'URI too long',
  PIPELINE_UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  PIPELINE_IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused',
  PIPELINE_SPREADSHEET_UNREADABLE: 'Spreadsheet unreadable',
  PIPELINE_SPREADSHEET_TOO_LARGE: 'Spreadsheet too large',
  PIPELINE_NOT_A_SPREADSHEET: 'Not a spreadsheet',
  PIPELINE_RATE_LIMITED: 'Too many requests',
  PIPELINE_REQUEST_TIMEOUT: 'Request timeout',
  PIPELINE_HEADERS_TOO_LARGE: 'Request header fields too large',
  PIPELINE_TOO_MANY_CONNECTIONS: 'Too many connections',
  PIPELINE_NOT_READY: 'Not ready',
  PIPELINE_STORE_UNAVAILABLE: 'Store unavailable',
  PIPELINE_INTERNAL: 'Internal error',
};
