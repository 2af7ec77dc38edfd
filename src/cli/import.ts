/**
 * `import FILE [--dry-run]`: a ledger (.xlsx or .csv) imported into the server's store, as
 * POST /v1/imports does it (src/excel/import/), acting as the operator who runs it: the CLI
 * opens the store itself, so it is an admin over every region. Projects are matched by name
 * and region on the server's read models, resumed from their snapshot and caught up with the
 * log; the region catalogue is the official one and the custom regions the log registered.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { Actor } from '../../commands/metadata.js';
import { COUNTRY } from '../../commands/shared/region-code.js';
import { REGION_STREAM_PREFIX } from '../../commands/regions/events.js';
import { ProjectionRunner, type RunnerLogger } from '../../projections/runner/projection-runner.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import type { Config } from '../config.js';
import type { EventStore } from '../event-store/port.js';
import { importLedgerFile, readSpreadsheet, type ImportAnswer } from '../excel/import/import-file.js';
import { projectNamedIn, type ProjectNamed } from '../http/excel-reads.js';
import { RegionCatalogue } from '../regions/catalogue.js';
import { SpreadsheetRefused } from '../excel/import/sheet.js';
import { createProgress, type ProgressMode } from './progress.js';
import { CliFailure, readOnly, serverReadModels, statisticsHistoryPath } from './read-side.js';
import { caughtUp } from './stats.js';

export interface ImportDeps {
  readonly store: EventStore;
  readonly snapshots: SnapshotStore;
  readonly config: Config;
  readonly progress: ProgressMode;
  readonly logger: RunnerLogger;
  readonly now: () => Date;
}

export async function importFile(path: string, dryRun: boolean, deps: ImportDeps): Promise<ImportAnswer> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new CliFailure(`no file ${path}`);
  }
  if (size > deps.config.IMPORT_LIMIT_BYTES) {
    throw new CliFailure(`${path} is ${size.toLocaleString('en-US')} bytes, over IMPORT_LIMIT_BYTES (${deps.config.IMPORT_LIMIT_BYTES.toLocaleString('en-US')}): split it, or raise the limit`);
  }
  const extension = extname(path).toLowerCase();
  const declared = extension === '.xlsx' ? 'xlsx' : extension === '.csv' || extension === '.tsv' || extension === '.txt' ? 'csv' : 'sniff';
  try {
    const workbook = await readSpreadsheet(readFileSync(path), declared);
    const regions = await regionCatalogue(deps.store);
    // Projects by name, read while the server's history is open (the facts are in its rows).
    const readModels = serverReadModels(statisticsHistoryPath(deps.config));
    let projectNamed: ProjectNamed;
    try {
      const { state } = await caughtUp(new ProjectionRunner({ store: deps.store, projection: readModels.projection, snapshots: readOnly(deps.snapshots), logger: deps.logger }), deps);
      projectNamed = projectNamedIn(state['project-ledger'], []);
    } finally {
      readModels.close();
    }
    let progress = createProgress({ label: dryRun ? 'import (dry run)' : 'import', total: 0, mode: deps.progress, unit: 'rows' });
    try {
      return await importLedgerFile(workbook, {
        store: deps.store,
        actor: cliActor(),
        correlationId: `cli-import-${randomUUID()}`,
        regions,
        clock: { now: deps.now },
        dryRun,
        projectNamed,
        onRows: (total) => { progress = createProgress({ label: dryRun ? 'import (dry run)' : 'import', total, mode: deps.progress, unit: 'rows' }); },
        onProgress: (done) => progress.update(done),
      });
    } finally {
      progress.finish();
    }
  } catch (error) {
    if (error instanceof SpreadsheetRefused) throw new CliFailure(`${path}: ${error.message}`);
    throw error;
  }
}

/** The operator at the terminal: whoever can open the store may write in every region. */
function cliActor(): Actor {
  let user = 'operator';
  try {
    user = userInfo().username;
  } catch {
    // No user entry (a container): keep the generic name.
  }
  return { keyId: `cli:${user}`, role: 'admin', regions: [COUNTRY] };
}

async function regionCatalogue(store: EventStore): Promise<RegionCatalogue> {
  const catalogue = new RegionCatalogue();
  let from: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(from === undefined ? {} : { fromPosition: from }), maxCount: 1000, filter: { streamPrefixes: [REGION_STREAM_PREFIX] } });
    const fresh = page.filter((event) => from === undefined || event.position > from);
    for (const event of fresh) catalogue.apply(event); // the CLI's store reads through the upcasters
    const last = page.at(-1);
    if (last === undefined || fresh.length === 0 || page.length < 1000) return catalogue;
    from = last.position;
  }
}

/** The answer for a terminal: the counts, then every refused row's problems. */
export function importTable(answer: ImportAnswer): string {
  const { summary } = answer;
  const lines = [
    `${answer.dryRun ? 'dry run (nothing written)' : 'imported'}: ${answer.format} sheet 「${answer.sheet}」, header on row ${answer.headerRow}`,
    `rows ${summary.rows}: ${summary.accepted} accepted (${summary.events} events${answer.dryRun ? ' would be appended' : ' appended'}), ${summary.unchanged} unchanged, ${summary.refused} refused, ${summary.skipped} skipped`,
    ...(answer.position > 0 ? [`last event at position ${answer.position}`] : []),
    ...answer.assumptions.map((a) => `assumed: ${a}`),
  ];
  for (const row of answer.rows) {
    if (row.status !== 'refused') continue;
    for (const p of row.problems) {
      lines.push(`row ${row.row} ${p.cell || p.column} ${p.column}「${p.value}」: ${p.problem}${p.rule ? ` [${p.rule}]` : ''}; ${p.fix}`);
    }
  }
  return lines.join('\n');
}
