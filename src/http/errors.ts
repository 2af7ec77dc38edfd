/**
 * The one registry of the app's error codes. Each maps to one HTTP status here and nowhere
 * else; the error handler (problem-details.ts) turns any of them into application/problem+json.
 * test/http/error-registry.test.ts checks that every code is documented in the README.
 */
import createError from '@fastify/error';

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

export type ErrorCode = ReturnType<(typeof errors)[keyof typeof errors]>['code'];
export const ERROR_CODES: readonly string[] = Object.values(errors).map((make) => make('').code);

/** Human titles for the problem documents, by status. */
export const TITLES: Readonly<Record<number, string>> = {
  400: 'Malformed request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  409: 'Conflict',
  412: 'Stale revision',
  413: 'Body too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Idempotency key reused',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal error',
  503: 'Service unavailable',
};
