/** Compliance lists (应统未统, 入统数据不一致, 未批先建, idle land, overdue batch starts, stalled, late reports). */
export { LATE_REPORT_DAYS, STATISTICS_DEADLINE_DAYS, STATISTICS_THRESHOLD } from '../../commands/shared/statistics-rules.js';
export {
  compliance, LATE_REPORT_FLAG, STARTED_WITHOUT_APPROVAL_FLAG, STATISTICS_INCONSISTENT_FLAG,
  type ComplianceState, type LateReport, type BatchDeadline,
} from './projection.js';
export {
  queryCompliance, complianceScan, complianceFlags, lateReportsOf, COMPLIANCE_KINDS,
  type ComplianceKind, type ComplianceQuery, type ComplianceItem, type ComplianceList,
} from './query.js';
