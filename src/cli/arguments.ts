/**
 * The CLI's command line, parsed into one command or a UsageError (exit code 2) that says
 * what was wrong; the usage text follows it.
 */
import { parseArgs } from 'node:util';
import { CATEGORIES, type Category } from '../../commands/project/events.js';
import { REGION_CODE_PATTERN, type RegionCode } from '../../commands/shared/region-code.js';
import { isCalendarDate } from '../../commands/shared/dates.js';
import { PROJECTION_NAMES, type ProjectionName } from '../../projections/runner/read-models.js';

export const USAGE = `usage: npm run pipeline -- <command> [options]

commands:
  rebuild <projection|all>   fold the whole log from scratch into a fresh read model and write
                             its snapshot to DATA_DIR/read-models.db (the next server start
                             resumes from it)
  stats --region <code> --year <yyyy> [--quarter <1-4> | --month <1-12>]
        [--category <category>] [--as-of <ISO time | YYYY-MM-DD>] [--json]
                             pipeline statistics (三个一批, reserve, money, conversions, 标尺, 纵尺)
                             as of now, or as the log stood at a moment (a bare date: the end
                             of that day, China time)
  status [--json]            the log's head position, each projection's snapshot position and lag
  import <file> [--dry-run] [--json]
                             import a ledger (台账), .xlsx or .csv, as POST /v1/imports does:
                             every row accepted (its events appended) or refused (row, column,
                             value, what to fix); --dry-run writes nothing. Exits 1 when a row
                             was refused
  help                       this text

projections: ${PROJECTION_NAMES.join(', ')}
categories:  ${CATEGORIES.join(', ')}

The store is the server's: DATA_DIR, EVENT_STORE, ESDB_CONNECTION_STRING, STORE_SYNCHRONOUS.
On a terminal, long folds show progress on stderr. Exit codes: 0 ok, 1 failure, 2 usage.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface StatsArguments {
  readonly regionCode: RegionCode;
  readonly year: number;
  readonly quarter?: number;
  readonly month?: number;
  readonly category?: Category;
  /** ISO instant: answer as the log stood when it was recorded. */
  readonly asOf?: string;
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'rebuild'; readonly projections: 'all' | ProjectionName }
  | { readonly kind: 'stats'; readonly query: StatsArguments; readonly json: boolean }
  | { readonly kind: 'status'; readonly json: boolean }
  | { readonly kind: 'import'; readonly file: string; readonly dryRun: boolean; readonly json: boolean };

const OPTIONS = {
  region: { type: 'string' },
  year: { type: 'string' },
  quarter: { type: 'string' },
  month: { type: 'string' },
  category: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: readonly string[]) {
  return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
}

export function parseCommandLine(args: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === 'help' || command === undefined) {
    if (command === undefined && values.help !== true) throw new UsageError('no command given');
    return { kind: 'help' };
  }
  switch (command) {
    case 'rebuild':
      only(values, [], 'rebuild');
      return { kind: 'rebuild', projections: projectionsOf(rest) };
    case 'stats':
      noMore(rest, 'stats');
      only(values, ['region', 'year', 'quarter', 'month', 'category', 'as-of', 'json'], 'stats');
      return { kind: 'stats', query: statsQuery(values), json: values.json === true };
    case 'status':
      noMore(rest, 'status');
      only(values, ['json'], 'status');
      return { kind: 'status', json: values.json === true };
    case 'import': {
      only(values, ['dry-run', 'json'], 'import');
      const [file, ...extra] = rest;
      if (file === undefined) throw new UsageError('import needs a file: npm run pipeline -- import ledger.xlsx');
      noMore(extra, 'import');
      return { kind: 'import', file, dryRun: values['dry-run'] === true, json: values.json === true };
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function projectionsOf(rest: readonly string[]): 'all' | ProjectionName {
  const [name, ...extra] = rest;
  if (name === undefined) throw new UsageError('rebuild needs a projection name or all');
  if (extra.length > 0) throw new UsageError(`rebuild takes one projection name or all, not '${rest.join(' ')}'`);
  if (name === 'all') return 'all';
  const known = PROJECTION_NAMES.find((candidate) => candidate === name);
  if (known === undefined) throw new UsageError(`unknown projection '${name}' (one of: ${PROJECTION_NAMES.join(', ')}, all)`);
  return known;
}

function statsQuery(values: Values): StatsArguments {
  const regionCode = values.region;
  if (regionCode === undefined) throw new UsageError('stats needs --region <code>');
  if (!REGION_CODE_PATTERN.test(regionCode)) throw new UsageError(`--region ${regionCode} is not a GB/T 2260 code (6 or 9 digits, optionally -SUFFIX)`);
  if (values.year === undefined) throw new UsageError('stats needs --year <yyyy>');
  const year = integer('--year', values.year, 1949, 2200);
  if (values.quarter !== undefined && values.month !== undefined) throw new UsageError('give --quarter or --month, not both');
  const category = values.category === undefined ? undefined : CATEGORIES.find((c) => c === values.category);
  if (values.category !== undefined && category === undefined) {
    throw new UsageError(`--category ${values.category} is not one of: ${CATEGORIES.join(', ')}`);
  }
  return {
    regionCode,
    year,
    ...(values.quarter === undefined ? {} : { quarter: integer('--quarter', values.quarter, 1, 4) }),
    ...(values.month === undefined ? {} : { month: integer('--month', values.month, 1, 12) }),
    ...(category === undefined ? {} : { category }),
    ...(values['as-of'] === undefined ? {} : { asOf: instantOf(values['as-of']) }),
  };
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${name} ${text} is not a whole number from ${min} to ${max}`);
  return n;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO instant with its offset, or a bare date: the end of that day in China (UTC+8). */
export function instantOf(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isCalendarDate(text)) return new Date(`${text}T23:59:59.999+08:00`).toISOString();
  const ms = Date.parse(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(ms)) {
    throw new UsageError(`--as-of ${text} is not an ISO 8601 time with an offset (2025-04-05T16:00:00Z) nor a date (2025-04-05)`);
  }
  return new Date(ms).toISOString();
}

function noMore(rest: readonly string[], command: string): void {
  if (rest.length > 0) throw new UsageError(`${command} takes no argument '${rest.join(' ')}'`);
}

function only(values: Values, allowed: readonly (keyof Values)[], command: string): void {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && key !== 'help' && !allowed.some((name) => name === key)) {
      throw new UsageError(`${command} takes no --${key}`);
    }
  }
}
