/**
 * GET /v1/projects: the ledger (台账), paged by an opaque cursor in registration order, within
 * the key's regions; with `Accept: text/csv` the whole filtered ledger as a CSV download for
 * Excel, streamed in chunks so a province's 10⁵ rows never become one string nor hold the
 * event loop for long, every row of the one position in `X-Position` (read from the history's
 * rows at that position) while the fold goes on.
 */
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CATEGORIES } from '../../../commands/project/events.js';
import { regionCode, type RegionCode } from '../../../commands/shared/region-code.js';
import { wan } from '../../../commands/shared/money.js';
import type { Actor } from '../../../commands/metadata.js';
import {
  CSV_CONTENT_TYPE, DEFAULT_PAGE, MAX_PAGE, ledgerPageScan, type LedgerFilter,
} from '../../../projections/project-ledger/index.js';
import { STAGES } from '../../../projections/shared/project-facts.js';
import { complianceFlags } from '../../../projections/compliance/index.js';
import { projectState } from './project-state.js';
import type { Clock } from '../../clock.js';
import { ledgerWorkbook, XLSX_CONTENT_TYPE } from '../../excel/export/ledger-workbook.js';
import type { ExcelReads } from '../excel-reads.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import { ALL_ROLES, assertCovers, covers, requireRole } from '../auth/index.js';
import type { ZodApp } from '../zod-app.js';
import { businessDate, scopeOf, readErrorHandler, readLong, readOptionsShape, readSliced } from './read-options.js';

export interface LedgerRoutesOptions {
  readonly clock: Clock;
  readonly reads: ExcelReads;
}

const ledgerPage = z.object({
  rows: z.array(projectState).readonly(),
  nextCursor: z.string().nullable().meta({ description: 'Pass back as `cursor` for the next page; null on the last page' }),
  position: z.number().int().meta({ description: 'The global position the ledger reflects' }),
});

const ledgerQuery = z.object({
  regionCode: regionCode().optional().meta({ description: 'The region with its child regions; default: every region of the key' }),
  stage: z.enum(STAGES).optional(),
  category: z.enum(CATEGORIES).optional(),
  minInvestment: z.coerce.number().pipe(wan()).optional().meta({ description: '总投资 at least this (万元)' }),
  cursor: z.string().max(200).optional().meta({ description: 'The `nextCursor` of the page before' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().meta({ description: `Rows per page (default ${DEFAULT_PAGE})` }),
  ...readOptionsShape,
});

export async function ledgerRoutes(app: ZodApp, options: LedgerRoutesOptions): Promise<void> {
  const { clock, reads } = options;
  app.setErrorHandler(readErrorHandler);

  app.get('/projects', {
    preHandler: requireRole(...ALL_ROLES),
    schema: {
      tags: ['queries'],
      summary: 'The ledger (台账), paged; `Accept: text/csv` or the XLSX type downloads the whole filtered ledger',
      description: 'JSON pages in registration order. With `Accept: text/csv`: UTF-8 with a BOM, CRLF, Chinese headers, '
        + 'amounts in 万元; `cursor` and `limit` do not apply and the position is in the `X-Position` header. '
        + `With \`Accept: ${XLSX_CONTENT_TYPE}\`: the same columns as a workbook (dates as dates, 万元 as numbers, frozen header, filters).`,
      querystring: ledgerQuery,
      response: { 200: ledgerPage },
    },
  }, async (request, reply) => {
    const { query } = request;
    const scope = ledgerScope(request.actor, query.regionCode, app.regions);
    const today = businessDate(query, clock);
    const filter: LedgerFilter = {
      ...scope,
      ...(query.stage === undefined ? {} : { stage: query.stage }),
      ...(query.category === undefined ? {} : { category: query.category }),
      ...(query.minInvestment === undefined ? {} : { minInvestment: query.minInvestment }),
    };
    const format = ledgerFormat(request.headers.accept);
    if (format === 'xlsx') {
      const table = await reads.ledgerTable(filter, query, today);
      const region = query.regionCode ?? (scope.regionCodes?.length === 1 ? scope.regionCodes[0] : undefined) ?? 'all';
      sendXlsx(reply, `ledger-${region}-${today}.xlsx`, table.position, await ledgerWorkbook(table));
      return reply;
    }
    if (format === 'csv') {
      // Compliance's state holds the ledger's facts and what the flags are judged on beside them.
      const read = await readLong(app.readModels, query, scopeOf(filter), { kind: 'csv', filter, flagsOn: today });
      const region = query.regionCode ?? (scope.regionCodes?.length === 1 ? scope.regionCodes[0] : undefined) ?? 'all';
      sendCsv(reply, `ledger-${region}-${today}.csv`, read.position, csvStream(read.parts));
      return reply;
    }
    const { value: page, position } = await readSliced(app.readModels, 'compliance', query, (state) => ledgerPageScan(state, {
      ...filter,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    }, complianceFlags(state, today)), scopeOf(filter));
    // Rows as plain objects: the schema passes fields it does not name yet (project-state.ts).
    return { ...page, rows: page.rows.map((row) => ({ ...row })), position };
  });
}

/** The rows a key may read: the region it names, else all of its own regions. */
function ledgerScope(actor: Actor, code: RegionCode | undefined, regions: RegionCatalogue): Pick<LedgerFilter, 'regionCode' | 'regionCodes'> {
  if (code !== undefined) {
    regions.assertKnown(code);
    assertCovers(actor, code, 'read');
    return { regionCode: code };
  }
  if (covers(actor, '000000', 'read')) return {};
  return { regionCodes: actor.regions };
}

/** The reply as a CSV download, streamed (the JSON schema's serializer never sees it). */
function sendCsv(reply: FastifyReply, filename: string, position: number, chunks: AsyncGenerator<Buffer>): void {
  reply
    .type(CSV_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-position', String(position))
    .send(Readable.from(chunks));
}

/** The reply as an XLSX download (the JSON schema's serializer never sees it). */
function sendXlsx(reply: FastifyReply, filename: string, position: number, workbook: Buffer): void {
  reply
    .type(XLSX_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-position', String(position))
    .send(workbook);
}

/** Whether the client asked for CSV (and did not prefer JSON to it). */
export function wantsCsv(accept: string | undefined): boolean {
  return ledgerFormat(accept) === 'csv';
}

/** The ledger's format the client prefers: JSON unless it asks for CSV or XLSX above JSON. */
export function ledgerFormat(accept: string | undefined): 'json' | 'csv' | 'xlsx' {
  if (accept === undefined) return 'json';
  const quality = (type: string): number => {
    let best = -1;
    for (const range of accept.split(',')) {
      const [media = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
      if (media !== type) continue;
      const q = params.find((p) => p.startsWith('q='));
      best = Math.max(best, q === undefined ? 1 : Number(q.slice(2)) || 0);
    }
    return best;
  };
  const json = quality('application/json');
  const csv = quality('text/csv');
  const xlsx = quality(XLSX_CONTENT_TYPE);
  if (xlsx > 0 && xlsx >= json && xlsx >= csv) return 'xlsx';
  return csv > 0 && csv >= json ? 'csv' : 'json';
}

/** The CSV's text as it comes from the read (a worker's parts, or chunks made a slice per turn here). */
async function* csvStream(parts: AsyncGenerator<unknown, unknown>): AsyncGenerator<Buffer> {
  for await (const part of parts) yield Buffer.from(part as string, 'utf8');
}
