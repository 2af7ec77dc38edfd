/**
 * The OpenAPI document (/openapi.json, browsable at /docs), generated from the routes' zod
 * schemas. Beside what each route declares, every operation lists the error statuses it can
 * answer, each with the one shared problem document (`#/components/schemas/Problem`,
 * problem-details.ts) as application/problem+json. Which statuses a route can answer follows
 * from what it is (errorStatusesOf): authenticated, taking input, a command, naming a region;
 * a route that can answer more says so in `config: { answers: [...] }`.
 * test/http/openapi-routes.test.ts walks every route of the app against the document.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errors, type ErrorName } from './errors.js';
import { problemSchema } from './problem-details.js';
import type { ZodApp } from './zod-app.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Error answers the route can give beyond those errorStatusesOf derives (openapi.ts). */
    answers?: readonly ErrorName[];
  }
  interface FastifyInstance {
    /** Every route registered, as registered (HEAD routes included): what the app serves. */
    routeTable: readonly RouteOptions[];
  }
}

const statusOf = (name: ErrorName): number => errors[name]('').statusCode ?? 500;

/** The route's parts errorStatusesOf looks at, as fastify and @fastify/swagger hand them over. */
export interface RouteShape {
  readonly method: string | readonly string[];
  readonly url: string;
  readonly schema?: {
    readonly params?: unknown;
    readonly querystring?: unknown;
    readonly body?: unknown;
    readonly headers?: unknown;
  } | undefined;
  readonly config?: { readonly roles?: readonly string[]; readonly public?: boolean; readonly answers?: readonly ErrorName[] } | undefined;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function keysOf(schema: unknown): readonly string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * The error statuses a route can answer with:
 * - any route: 400 (a malformed URL is refused before routing), 500 (a defect), 503 (the store
 *   is away, or the server is closing);
 * - a path parameter: 404 (nothing by that name), 414 (a parameter over the length limit);
 * - an authenticated route: 401, 403, 429;
 * - a body: 409 (a domain rule), 413, 415;
 * - a command (it takes If-Match): 409, 412, 422;
 * - a region named in the path or the query: 409 (`region-unknown`);
 * - whatever the route declares in `config.answers`.
 */
export function errorStatusesOf(route: RouteShape): number[] {
  const statuses = new Set<number>([400, 500, 503]);
  const schema = route.schema ?? {};
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  const params = keysOf(schema.params);
  if (params.length > 0 || route.url.includes(':')) statuses.add(404).add(414);
  if (route.config?.roles !== undefined && route.config.public !== true) statuses.add(401).add(403).add(429);
  if (methods.some((method) => BODY_METHODS.has(method))) statuses.add(409).add(413).add(415);
  if (keysOf(schema.headers).includes('if-match')) statuses.add(409).add(412).add(422);
  if ([...params, ...keysOf(schema.querystring)].some((key) => key === 'regionCode' || key === 'code')) statuses.add(409);
  for (const name of route.config?.answers ?? []) statuses.add(statusOf(name));
  return [...statuses].sort((a, b) => a - b);
}

const problemResponse = (status: number) => ({
  description: `${status}: a problem document (its \`code\` says which)`,
  content: { 'application/problem+json': { schema: problemSchema } },
});

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/** jsonSchemaTransform, after adding the route's error answers to its responses. */
function withErrorAnswers(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const schema = input.schema ?? {};
  if (schema.hide === true) return jsonSchemaTransform(input);
  const declared: unknown = schema.response;
  const response: Record<string, unknown> = typeof declared === 'object' && declared !== null ? { ...declared } : {};
  for (const status of errorStatusesOf(input.route)) {
    response[String(status)] ??= problemResponse(status);
  }
  return jsonSchemaTransform({ ...input, schema: { ...schema, response } });
}

export async function installOpenApi(app: ZodApp): Promise<void> {
  const routes: RouteOptions[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => { routes.push(route); });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '项目为王 investment-project pipeline',
        description: 'Event-sourced tracking of investment projects: milestones posted by bureaus, statistics for dashboards, full history for auditors. Amounts are in 万元 with at most 2 decimals.\n\n' +
          'To try the API here, press **Authorize** and give an API key (the admin key is in `DATA_DIR/admin.key` on first start; an admin issues others with POST /v1/keys). ' +
          'Every error answer is an application/problem+json `Problem` whose `code` is one of the README\'s error codes.',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key issued by an admin: paste the key itself (no "Bearer " before it)' },
          streamToken: { type: 'apiKey', in: 'query', name: 'token', description: 'GET /v1/live only: a short-lived token from POST /v1/live/tokens, for browsers (EventSource cannot send Authorization)' },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: withErrorAnswers,
    transformObject: (document) => {
      const object = jsonSchemaTransformObject(document);
      // The registry yields an input twin of each schema with an id too; nothing takes a Problem in.
      const schemas = 'components' in object ? object.components?.schemas : undefined;
      if (schemas !== undefined) delete schemas['ProblemInput'];
      return object;
    },
  });
  // No persistAuthorization: Swagger UI would keep the key in localStorage, past the tab's life.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', {
    schema: {
      tags: ['operations'],
      security: [],
      summary: 'This OpenAPI 3.1 document',
      response: { 200: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }) },
    },
  }, async () => ({ ...app.swagger() }));
}
