/**
 * Every failure leaves the app as application/problem+json (RFC 9457) with `type`, `title`,
 * `status`, `detail`, `code` (the registry's), and `rule` for a broken domain rule.
 * Domain and store errors carry no HTTP status; this is the one place that maps them.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainRuleBroken } from '../../commands/decider.js';
import { StaleRevision } from '../../commands/handle-command.js';
import { StoreUnavailable, StreamNotFound, WrongExpectedRevision } from '../event-store/errors.js';
import { TITLES } from './errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  rule?: string;
  errors?: Array<{ path: string; message: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: string): string {
  return `urn:problem:pipeline:${code.replace(/^PIPELINE_/, '').toLowerCase().replaceAll('_', '-')}`;
}

export type ProblemFields = Omit<Problem, 'type' | 'title' | 'instance' | 'requestId'> & { title?: string };

export function problemOf(request: FastifyRequest, problem: ProblemFields): Problem {
  return {
    type: problemType(problem.code),
    title: problem.title ?? TITLES[problem.status] ?? 'Error',
    ...problem,
    instance: request.url,
    requestId: String(request.id),
  };
}

export function sendProblem(reply: FastifyReply, problem: ProblemFields): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problemOf(reply.request, problem));
}

/** The problem a broken domain rule answers: 409 naming the rule. */
export function ruleProblem(error: DomainRuleBroken): ProblemFields {
  return { status: 409, title: 'Domain rule broken', code: 'PIPELINE_RULE_BROKEN', detail: error.message, rule: error.rule };
}

/** Fastify's own client-error codes, and what they mean to a client. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PIPELINE_BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'PIPELINE_UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'PIPELINE_MALFORMED' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'PIPELINE_MALFORMED' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'PIPELINE_MALFORMED' },
  FST_ERR_BAD_URL: { status: 400, code: 'PIPELINE_MALFORMED' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'PIPELINE_MALFORMED' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'PIPELINE_MALFORMED' },
  FST_ERR_VALIDATION: { status: 400, code: 'PIPELINE_MALFORMED' },
};

export function errorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({
      path: [error.validationContext, ...(issue.instancePath ? issue.instancePath.split('/').filter(Boolean) : [])].join('.'),
      message: issue.message ?? 'invalid',
    }));
    return sendProblem(reply, {
      status: 400,
      code: 'PIPELINE_MALFORMED',
      detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      errors,
    });
  }
  if (error instanceof DomainRuleBroken) {
    return sendProblem(reply, ruleProblem(error));
  }
  if (error instanceof StaleRevision) {
    return sendProblem(reply, {
      status: 412,
      code: 'PIPELINE_STALE_REVISION',
      // Targets and batches are stale too, not only projects: name the stream, in words.
      detail: `If-Match named revision ${String(error.expected)}, but ${error.streamId} ${error.actual === 'no_stream' ? 'has no events yet' : `is at revision ${String(error.actual)}`}: read it again and decide anew`,
    });
  }
  if (error instanceof WrongExpectedRevision) {
    // The command handler retried on fresh state and other writers kept winning.
    return sendProblem(reply, {
      status: 409,
      code: 'PIPELINE_CONCURRENT_WRITES',
      detail: `${error.streamId} kept changing while the command was decided; retry`,
    });
  }
  if (error instanceof StreamNotFound) {
    return sendProblem(reply, { status: 404, code: 'PIPELINE_NOT_FOUND', detail: error.message });
  }
  if (error instanceof StoreUnavailable) {
    request.log.error({ err: error }, 'event store unavailable');
    return sendProblem(reply, { status: 503, code: 'PIPELINE_STORE_UNAVAILABLE', detail: 'the event store is unavailable; retry later' });
  }
  // The registry's own codes carry their status, 503 (not ready) included; only 500 is a defect.
  if (typeof error.code === 'string' && error.code.startsWith('PIPELINE_') && error.statusCode !== undefined && error.statusCode !== 500) {
    return sendProblem(reply, { status: error.statusCode, code: error.code, detail: error.message });
  }
  const known = FASTIFY_CLIENT_ERRORS[error.code];
  if (known) return sendProblem(reply, { ...known, detail: error.message });
  if (error.statusCode === 429) {
    return sendProblem(reply, { status: 429, code: 'PIPELINE_RATE_LIMITED', detail: error.message });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return sendProblem(reply, { status: error.statusCode, code: 'PIPELINE_MALFORMED', detail: error.message });
  }
  if (isResponseSerializationError(error)) request.log.error({ err: error, issues: error.cause.issues }, 'response did not match its schema');
  else request.log.error({ err: error }, 'unexpected error');
  return sendProblem(reply, { status: 500, code: 'PIPELINE_INTERNAL', detail: 'an unexpected error; it has been logged with this request id' });
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, { status: 404, code: 'PIPELINE_NOT_FOUND', detail: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` });
}
