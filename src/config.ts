/**
 * Configuration from the environment (API.md, "Operations"), parsed once at start. A bad
 * value stops the server with a message naming the variable, never a stack trace later.
 */
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./data'),
    EVENT_STORE: z.enum(['embedded', 'kurrentdb']).default('embedded'),
    ESDB_CONNECTION_STRING: z.string().regex(/^(esdb|kurrentdb|kdb|esdb\+discover|kurrentdb\+discover|kdb\+discover):\/\//, {
      message: 'must be a connection string such as esdb://localhost:2113?tls=false',
    }).optional(),
    /** FULL: an acknowledged append survives power loss. NORMAL: it survives a crash of the process. */
    STORE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
    ADMIN_KEY: z.string().min(24, { message: 'must be at least 24 characters' }).max(256).optional(),
    AUTH: z.enum(['on', 'off']).default('on'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /** Requests per minute and key before 429. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Largest request body accepted, bytes, before 413. */
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
    /** Largest ledger file POST /v1/imports takes, bytes, before 413 (its own limit: a 台账 is larger than a command). */
    IMPORT_LIMIT_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(20 * 1024 * 1024),
    /**
     * GET /v1/live sends a region's statistics at once after a quiet spell, then at most once
     * per this many ms while changes keep coming: the latency floor under load, and the cap
     * on frames per client (1000 / window per second).
     */
    LIVE_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(10),
    /** How many regions the 红黑榜 marks at the top (red) and bottom (black). */
    RANKING_MARKS: z.coerce.number().int().min(1).max(100).default(3),
    /**
     * The verifiable log's origin: the first line of every checkpoint, and the name of the key
     * made on first start. A schema-less URL unique to this deployment, e.g. tongji.hebei.example/pipeline.
     */
    LOG_ORIGIN: z.string().regex(/^[^\s+]{1,200}$/, { message: 'an origin has no spaces or "+", e.g. tongji.hebei.example/pipeline' })
      .default('xiangmu-pipeline.local/log'),
    /** The checkpoint signer key (PRIVATE+KEY+…); absent: DATA_DIR/log-signing.key, made on first start. */
    LOG_SIGNING_KEY: z.string().startsWith('PRIVATE+KEY+', { message: 'a signer key starts PRIVATE+KEY+' }).optional(),
    /** During a key rotation, the previous signer key: checkpoints carry both signatures. */
    LOG_PREVIOUS_SIGNING_KEY: z.string().startsWith('PRIVATE+KEY+', { message: 'a signer key starts PRIVATE+KEY+' }).optional(),
    /**
     * Browser origins allowed to call the API (CORS), comma-separated, or `*` for any; off when
     * unset. Keys travel in the Authorization header, never in cookies, so no credentials mode.
     */
    CORS_ORIGINS: z.string().transform((value, context) => corsOrigins(value, context)).optional(),
    /** How long a stream token (POST /v1/live/tokens) may be used to open GET /v1/live, seconds. */
    LIVE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    /**
     * The HMAC secret stream tokens are signed with. Unset: a random one per process (tokens
     * die with it; the dashboard asks again). Set the same one on every replica behind one
     * address, so a token from one opens a stream on another.
     */
    LIVE_TOKEN_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).max(512).optional(),
    /**
     * Time limits on a connection (ms): the whole request (headers and body) must arrive within
     * REQUEST_TIMEOUT_MS and its headers within HEADERS_TIMEOUT_MS, or the server answers 408 and
     * closes it; a keep-alive connection idle for KEEP_ALIVE_TIMEOUT_MS is closed, and so is any
     * socket on which nothing moves for CONNECTION_TIMEOUT_MS (0: never; /v1/live sends a
     * heartbeat every 15 s).
     */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(72_000),
    CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
    /**
     * Open connections one client address may hold before more are refused (429). 0: no cap,
     * for a server behind a reverse proxy (every connection comes from the proxy's address).
     */
    MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(0).max(1_000_000).default(128),
    /** The built dashboard (npm run build:dashboard); default: the package's dashboard/dist. */
    DASHBOARD_DIR: z.string().min(1).optional(),
  })
  .refine((c) => c.EVENT_STORE !== 'kurrentdb' || c.ESDB_CONNECTION_STRING !== undefined, {
    message: 'EVENT_STORE=kurrentdb needs ESDB_CONNECTION_STRING',
    path: ['ESDB_CONNECTION_STRING'],
  });

export type Config = z.output<typeof configSchema>;

/** `*`, or a list of origins as browsers send them: scheme://host[:port], nothing after. */
function corsOrigins(value: string, context: z.RefinementCtx): '*' | string[] {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 1 && items[0] === '*') return '*';
  const bad = items.filter((item) => {
    try {
      const url = new URL(item);
      return (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item;
    } catch {
      return true;
    }
  });
  if (items.length === 0 || bad.length > 0) {
    context.addIssue({ code: 'custom', message: `must be * or origins such as https://dashboard.example.gov.cn (no path, no trailing slash), comma-separated${bad.length > 0 ? `; not ${bad.join(', ')}` : ''}` });
    return z.NEVER;
  }
  return items;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset: `PORT= npm start` means the default, not an error.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
}
