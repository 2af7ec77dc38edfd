/**
 * Every failure leaves the app as application/problem+json (RFC 9457) with `type`, `title`,
 * `status`, `detail`, `code`, and `rule` for a broken domain rule. A problem is made only from
 * an error of the registry (errors.ts), which alone says a code's status and title; domain,
 * store, read-model and fastify errors carry no HTTP status of their own, and `answerOf` is
 * the one place that maps them to registry errors.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainRuleBroken } from '../../commands/decider.js';
import { StaleRevision } from '../../commands/handle-command.js';
import { InvalidPeriod } from '../../projections/pipeline-statistics/periods.js';
import { InvalidCursor } from '../../projections/project-ledger/query.js';
import { ReadModelHalted } from '../../projections/runner/projection-runner.js';
import { AsOfUnavailable } from '../../projections/runner/read-models.js';
import { StoreUnavailable, StreamNotFound, WrongExpectedRevision } from '../event-store/errors.js';
import { ERROR_CODE_VALUES, TITLES, errors, isRegistryError, type ErrorCode, type ErrorName, type RegistryError } from './errors.js';

/**
 * The one problem document schema: `Problem` in the OpenAPI document's components, which every
 * route's error answers reference (openapi.ts).
 */
export const problemSchema = z.object({
  type: z.string().meta({ description: 'A URN naming the problem: urn:problem:pipeline:<code in kebab-case>' }),
  title: z.string().meta({ description: 'The code\'s title, in a few words' }),
  status: z.number().int().meta({ description: 'The HTTP status, as answered' }),
  detail: z.string().meta({ description: 'What went wrong with this request, and what to do' }),
  code: z.enum(ERROR_CODE_VALUES).meta({ description: 'The app\'s error code (README, "Error codes")' }),
  instance: z.string().meta({ description: 'The request\'s path and query' }),
  requestId: z.string().meta({ description: 'The request id (X-Request-Id), as logged' }),
  rule: z.string().optional().meta({ description: 'With PIPELINE_RULE_BROKEN: the domain rule that refused the command' }),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional()
    .meta({ description: 'With PIPELINE_MALFORMED from a schema: each field that is not what the schema says' }),
}).meta({ id: 'Problem', description: 'An error answer (RFC 9457 problem details), application/problem+json' });

/** A problem document as made (problemOf): what problemSchema describes, as JSON. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance: string;
  requestId: string;
  rule?: string;
  errors?: Array<{ path: string; message: string }>;
}
// The schema documents exactly what is sent: a Problem is always a valid problemSchema output.
const documented: (problem: Problem) => z.infer<typeof problemSchema> = (problem) => problem;
void documented;

/** What a problem may carry beside its error's code, status and message. */
export interface ProblemExtras {
  readonly rule?: string;
  readonly errors?: Array<{ path: string; message: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: string): string {
  return `urn:problem:pipeline:${code.replace(/^PIPELINE_/, '').toLowerCase().replaceAll('_', '-')}`;
}

export function problemOf(request: FastifyRequest, error: RegistryError, extras: ProblemExtras = {}): Problem {
  return {
    type: problemType(error.code),
    title: TITLES[error.code],
    status: error.statusCode,
    detail: error.message,
    code: error.code,
    ...extras,
    instance: request.url,
    requestId: String(request.id),
  };
}

export function sendProblem(reply: FastifyReply, error: RegistryError, extras: ProblemExtras = {}): FastifyReply {
  // Not ready, or the store is away: worth retrying soon, and saying so.
  if (error.statusCode === 503) reply.header('retry-after', '1');
  return reply.code(error.statusCode).type(PROBLEM_CONTENT_TYPE).send(problemOf(reply.request, error, extras));
}

/** The problem a broken domain rule answers: 409 naming the rule. */
export function ruleProblem(request: FastifyRequest, error: DomainRuleBroken): Problem {
  return problemOf(request, new errors.RuleBroken(error.message), { rule: error.rule });
}

/** Fastify's own client-error codes, and the registry's error each one is to a client. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, ErrorName>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BodyTooLarge',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UnsupportedMediaType',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Malformed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Malformed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Malformed',
  FST_ERR_BAD_URL: 'Malformed',
  FST_ERR_MAX_PARAM_LENGTH: 'UriTooLong',
  FST_ERR_ASYNC_CONSTRAINT: 'Malformed',
  FST_ERR_VALIDATION: 'Malformed',
};

/** Another plugin's error by its status alone (a rate limiter, a static file server). */
const BY_STATUS: Readonly<Record<number, ErrorName>> = {
  404: 'NotFound',
  413: 'BodyTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
  429: 'RateLimited',
};

export interface Answer {
  readonly error: RegistryError;
  readonly extras?: ProblemExtras;
}

/** What a thrown error answers: the registry's error it is, or the one its class maps to. */
export function answerOf(error: FastifyError | Error, request: FastifyRequest): Answer {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      path: [error.validationContext, ...(issue.instancePath ? issue.instancePath.split('/').filter(Boolean) : [])].join('.'),
      message: issue.message ?? 'invalid',
    }));
    return { error: new errors.Malformed(issues.map((e) => `${e.path}: ${e.message}`).join('; ')), extras: { errors: issues } };
  }
  if (isRegistryError(error)) {
    if (error.statusCode === 500) request.log.error({ err: error }, 'internal error');
    return { error };
  }
  if (error instanceof DomainRuleBroken) return { error: new errors.RuleBroken(error.message), extras: { rule: error.rule } };
  if (error instanceof StaleRevision) {
    // Targets and batches are stale too, not only projects: name the stream, in words.
    const named = error.expected === 'exists' ? 'If-Match: * asked for an existing stream' : `If-Match named revision ${String(error.expected)}`;
    const actual = error.actual === 'no_stream' ? 'has no events yet' : `is at revision ${String(error.actual)}`;
    return { error: new errors.StaleRevision(`${named}, but ${error.streamId} ${actual}: read it again and decide anew`) };
  }
  // The command handler retried on fresh state and other writers kept winning.
  if (error instanceof WrongExpectedRevision) return { error: new errors.ConcurrentWrites(`${error.streamId} kept changing while the command was decided; retry`) };
  if (error instanceof StreamNotFound) return { error: new errors.NotFound(error.message) };
  if (error instanceof StoreUnavailable) {
    request.log.error({ err: error }, 'event store unavailable');
    return { error: new errors.StoreUnavailable('the event store is unavailable; retry later') };
  }
  // A read model stopped at an event it could not fold: nothing it would answer can be trusted.
  if (error instanceof ReadModelHalted) return { error: new errors.NotReady(error.message) };
  // An "as of" answer the history cannot give yet (the fold is behind, its writer failed).
  if (error instanceof AsOfUnavailable) return { error: new errors.NotReady(error.message) };
  // The read models' own client errors: an impossible period, a foreign cursor.
  if (error instanceof InvalidPeriod || error instanceof InvalidCursor) return { error: new errors.Malformed(error.message) };
  const code: unknown = Reflect.get(error, 'code');
  const known = typeof code === 'string' ? FASTIFY_CLIENT_ERRORS[code] : undefined;
  if (known !== undefined) return { error: new errors[known](error.message) };
  const status: unknown = Reflect.get(error, 'statusCode');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { error: new errors[BY_STATUS[status] ?? 'Malformed'](error.message) };
  }
  if (isResponseSerializationError(error)) request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
  else request.log.error({ err: error }, 'unexpected error');
  return { error: new errors.Internal('an unexpected error; it has been logged with this request id') };
}

export function errorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { error: answer, extras } = answerOf(error, request);
  return sendProblem(reply, answer, extras);
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, new errors.NotFound(`no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
}
