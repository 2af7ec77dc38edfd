/**
 * POST /v1/imports?dryRun=true|false: a ledger (台账) as the body, an XLSX workbook or a CSV by
 * its content type, imported row by row through the project decider (src/excel/import/). The
 * answer says of every row whether it was accepted (and its events), unchanged, refused (row,
 * column, value, what to fix, the rule) or skipped; a dry run writes nothing.
 *
 * The body has a limit of its own (IMPORT_LIMIT_BYTES), and the file is bounded again before it
 * is parsed (rows, cells, unpacked size): a bad file is a 400, 413 or 415, never a 500.
 */
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { EventStore } from '../../event-store/port.js';
import { importLedgerFile, readSpreadsheet, type DeclaredFormat } from '../../excel/import/import-file.js';
import { SpreadsheetRefused } from '../../excel/import/sheet.js';
import { XLSX_CONTENT_TYPE } from '../../excel/export/ledger-workbook.js';
import { COUNTRY } from '../../../commands/shared/region-code.js';
import { requireRole } from '../auth/index.js';
import { errors } from '../errors.js';
import type { ExcelReads } from '../excel-reads.js';
import type { ZodApp } from '../zod-app.js';
import { readErrorHandler } from './read-options.js';

export interface ImportRoutesOptions {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly config: Pick<Config, 'IMPORT_LIMIT_BYTES'>;
  readonly reads: ExcelReads;
}

/** The content types a ledger comes as, and the format each declares. */
const LEDGER_TYPES: ReadonlyMap<string, DeclaredFormat> = new Map<string, DeclaredFormat>([
  [XLSX_CONTENT_TYPE, 'xlsx'],
  ['text/csv', 'csv'],
  ['application/csv', 'csv'],
  ['text/tab-separated-values', 'csv'],
  // What browsers and Windows label a .csv (or an .xlsx) with: the bytes decide.
  ['application/vnd.ms-excel', 'sniff'],
  ['application/octet-stream', 'sniff'],
]);

const problem = z.object({
  column: z.string().meta({ description: 'The header as the file writes it' }),
  cell: z.string().meta({ description: 'The cell, such as F7 (empty when the column is missing)' }),
  value: z.string().meta({ description: 'The cell as written' }),
  problem: z.string(),
  fix: z.string().meta({ description: 'What to change in the file' }),
  rule: z.string().optional().meta({ description: 'The domain rule that refused it, as a 409 of the REST commands names it' }),
});

const importAnswer = z.object({
  dryRun: z.boolean(),
  format: z.enum(['xlsx', 'csv']),
  sheet: z.string(),
  headerRow: z.number().int(),
  columns: z.array(z.object({ column: z.string(), header: z.string(), field: z.string().nullable().meta({ description: 'What the column fills; null: ignored' }) })).readonly(),
  assumptions: z.array(z.string()).readonly().meta({ description: 'What the import assumed for columns the file lacks' }),
  summary: z.object({
    rows: z.number().int(), accepted: z.number().int(), unchanged: z.number().int(), refused: z.number().int(), skipped: z.number().int(),
    events: z.number().int().meta({ description: 'Events appended (a dry run: that would be)' }),
  }),
  position: z.number().int().meta({ description: 'Global position of the last event appended; pass it as minPosition to read the import' }),
  rows: z.array(z.discriminatedUnion('status', [
    z.object({
      row: z.number().int(), status: z.literal('accepted'), projectId: z.string(), name: z.string(), existing: z.boolean(),
      events: z.array(z.object({ type: z.string(), occurredOn: z.string().nullable(), data: z.record(z.string(), z.unknown()), flags: z.array(z.string()).readonly() })).readonly(),
      notes: z.array(z.string()).readonly(),
    }),
    z.object({ row: z.number().int(), status: z.literal('unchanged'), projectId: z.string(), name: z.string(), notes: z.array(z.string()).readonly() }),
    z.object({ row: z.number().int(), status: z.literal('refused'), projectId: z.string().nullable(), name: z.string().nullable(), problems: z.array(problem).readonly() }),
    z.object({ row: z.number().int(), status: z.literal('skipped'), reason: z.string() }),
  ])).readonly(),
});

export async function importRoutes(app: ZodApp, options: ImportRoutesOptions): Promise<void> {
  const { store, clock, config, reads } = options;
  // NOT_READY (the read side behind) answers 503 as the queries do.
  app.setErrorHandler(readErrorHandler);
  app.addContentTypeParser([...LEDGER_TYPES.keys()], { parseAs: 'buffer', bodyLimit: config.IMPORT_LIMIT_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  app.post('/imports', {
    preHandler: requireRole('bureau', 'admin'),
    bodyLimit: config.IMPORT_LIMIT_BYTES,
    schema: {
      tags: ['commands'],
      summary: 'Import a ledger (台账) from XLSX or CSV: every row accepted (with its events) or refused (row, column, value, what to fix)',
      description: `The body is the file, as \`${XLSX_CONTENT_TYPE}\` or \`text/csv\` (UTF-8 or GB18030). Each row becomes the events its `
        + 'columns imply, decided by the same rules as the REST commands and appended in one append per row (all or nothing). '
        + 'Importing the same file again appends nothing; a row whose project exists (by 项目编号, or by name and region) appends only what is not recorded.',
      querystring: z.object({ dryRun: z.stringbool().default(false).meta({ description: 'Answer every row and write nothing' }) }),
      response: { 200: importAnswer },
    },
  }, async (request) => {
    const body: unknown = request.body;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const declared = LEDGER_TYPES.get(mediaType);
    if (!Buffer.isBuffer(body) || declared === undefined) {
      throw new errors.NotASpreadsheet(`a ledger is imported as ${XLSX_CONTENT_TYPE} or text/csv, not ${mediaType || 'a body without a content type'}`);
    }
    const charset = /charset=([^;\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    try {
      const workbook = await readSpreadsheet(body, declared, charset);
      // Rows match the projects the log holds now: the read side is asked once it has caught up with it.
      const head = await store.headPosition();
      const regionsOfKey = request.actor.regions.includes(COUNTRY) ? [] : request.actor.regions;
      return await importLedgerFile(workbook, {
        store,
        actor: request.actor,
        correlationId: String(request.id),
        regions: app.regions,
        clock,
        dryRun: request.query.dryRun,
        projectNamed: await reads.projectsNamed(regionsOfKey, head),
      });
    } catch (error) {
      if (!(error instanceof SpreadsheetRefused)) throw error;
      switch (error.reason) {
        case 'not-a-spreadsheet': throw new errors.NotASpreadsheet(error.message);
        case 'too-large': throw new errors.SpreadsheetTooLarge(error.message);
        case 'unreadable': throw new errors.SpreadsheetUnreadable(error.message);
        default: {
          const unhandled: never = error.reason;
          return unhandled;
        }
      }
    }
  });
}
