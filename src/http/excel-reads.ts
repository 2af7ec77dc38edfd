/**
 * Every read the Excel features make, in one place and in the API's shapes: the ledger's cells
 * (as the CSV export writes them), a region's statistics, its child regions ranked, its
 * compliance counts, and the projects of some regions by name (an import matching its rows).
 * The workbooks are built from these answers alone, so pointing these few functions at another
 * read side (tables) moves the Excel features with it; and each computes its answer exactly as
 * the route of the same figures does (GET /v1/stats/*), so a report equals the API.
 */
import { contains, type RegionCode } from '../../commands/shared/region-code.js';
import type { IsoDate } from '../../commands/shared/dates.js';
import {
  LEDGER_COLUMNS, ledgerFacts, type CellKind, type LedgerFilter, type LedgerState,
} from '../../projections/project-ledger/index.js';
import { queryPipelineStatistics, type PipelineQuery, type PipelineStatistics } from '../../projections/pipeline-statistics/index.js';
import { rankChildRegions, type RankingQuery, type Rankings } from '../../projections/rankings/index.js';
import { COMPLIANCE_KINDS, type ComplianceList } from '../../projections/compliance/index.js';
import type { RegionCatalogue } from '../regions/catalogue.js';
import type { ZodApp } from './zod-app.js';
import { awaitPosition, readLong, readState, scopeOf, valueOf, type ReadOptions } from './routes/read-options.js';

export interface LedgerTable {
  readonly columns: readonly { readonly header: string; readonly kind: CellKind }[];
  /** One string per column, as the CSV export writes them. */
  readonly rows: readonly (readonly string[])[];
  readonly position: number;
}

export type ComplianceKind = (typeof COMPLIANCE_KINDS)[number];

export interface ComplianceCounts {
  readonly regionCode: RegionCode;
  readonly asOfDate: IsoDate;
  /** Open items by kind, as GET /v1/stats/compliance counts them. */
  readonly counts: Readonly<Record<ComplianceKind, number>>;
  readonly position: number;
}

/** The project registered under `name` in `regionCode`, if any. */
export type ProjectNamed = (name: string, regionCode: RegionCode) => string | undefined;

export interface ExcelReads {
  /** The ledger's cells, its flags judged by compliance at asOfDate. */
  ledgerTable(filter: LedgerFilter, read: ReadOptions, asOfDate: IsoDate): Promise<LedgerTable>;
  pipeline(query: PipelineQuery, read: ReadOptions): Promise<PipelineStatistics>;
  rankings(query: Omit<RankingQuery, 'children' | 'listSize'>, read: ReadOptions): Promise<Rankings>;
  compliance(regionCode: RegionCode, asOfDate: IsoDate, read: ReadOptions): Promise<ComplianceCounts>;
  /** Waits for the read side to reflect the log's head, then answers by name within `regions`. */
  projectsNamed(regions: readonly RegionCode[], head: number): Promise<ProjectNamed>;
}

export function readModelReads(app: ZodApp, options: { readonly listSize: number; readonly regions: RegionCatalogue }): ExcelReads {
  const runners = app.readModels.runners;
  return {
    async ledgerTable(filter, read, asOfDate) {
      // Read from the history's rows at one position, on the read worker's thread (a province's
      // 10⁵ rows would otherwise take seconds of this one's).
      const { position, parts } = await readLong(app.readModels, read, scopeOf(filter), { kind: 'cells', filter, flagsOn: asOfDate });
      const rows: string[][] = [];
      for await (const part of parts) for (const cells of part as string[][]) rows.push(cells);
      return { columns: LEDGER_COLUMNS.map(({ header, kind }) => ({ header, kind })), rows, position };
    },
    async pipeline(query, read) {
      const { state, position } = await readState(app.readModels, runners['pipeline-statistics'], read);
      return { ...queryPipelineStatistics(state, query), position };
    },
    async rankings(query, read) {
      const { state, position } = await readState(app.readModels, runners['pipeline-statistics'], read);
      const children = options.regions.childrenOf(query.regionCode).map((child) => child.code);
      const rankings = rankChildRegions(state, { ...query, listSize: options.listSize, children }, (code) => options.regions.nameOf(code));
      return { ...rankings, position };
    },
    async compliance(regionCode, asOfDate, read) {
      const { position, parts } = await readLong(app.readModels, read, { regions: [regionCode], complianceOn: asOfDate }, { kind: 'compliance', query: { regionCode, asOfDate } });
      const list = (await valueOf(parts)) as ComplianceList;
      const counts = Object.fromEntries(COMPLIANCE_KINDS.map((kind) => [kind, list.items.filter((i) => i.kind === kind && i.open).length]));
      return { regionCode, asOfDate, counts: { ...emptyCounts(), ...counts }, position };
    },
    async projectsNamed(regions, head) {
      await awaitPosition(app.readModels, head);
      const { state } = await app.readModels.currentFacts('project-ledger', regions.length === 0 ? {} : { regions });
      return projectNamedIn(state, regions);
    },
  };
}

/** The projects of a ledger state within `regions`, by name and region. */
export function projectNamedIn(state: LedgerState, regions: readonly RegionCode[]): ProjectNamed {
  const byName = new Map<string, string>();
  for (const facts of ledgerFacts(state, regions.length === 0 ? {} : { regionCodes: regions })) {
    const key = `${facts.regionCode}\n${facts.name}`;
    if (!byName.has(key)) byName.set(key, facts.projectId);
  }
  return (name, regionCode) => (regions.length === 0 || regions.some((root) => contains(root, regionCode)) ? byName.get(`${regionCode}\n${name}`) : undefined);
}

function emptyCounts(): Record<ComplianceKind, number> {
  return Object.fromEntries(COMPLIANCE_KINDS.map((kind) => [kind, 0])) as Record<ComplianceKind, number>;
}
