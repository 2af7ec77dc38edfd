/** The project ledger (台账): one row per project, paged and filtered, and its CSV export. */
export { projectLedger, type LedgerState } from './projection.js';
export { toLedgerRow, type FlagsOf, type LedgerRow } from './row.js';
export {
  getProject, queryLedger, ledgerPageScan, ledgerFacts, ledgerMatcher, InvalidCursor, DEFAULT_PAGE, MAX_PAGE,
  type LedgerFilter, type LedgerPageRequest, type LedgerPage,
} from './query.js';
export {
  ledgerCsv, ledgerCsvChunks, ledgerCells, csvCell, formatWan, amountsByMonth, LEDGER_COLUMNS, STAGE_LABELS, CSV_CONTENT_TYPE,
  type LedgerColumn, type CellKind,
} from './csv.js';
