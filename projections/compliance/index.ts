/** Compliance lists (应统未统, 未批先建, idle land, overdue batch starts, stalled, late reports). */
export {
  compliance, LATE_REPORT_DAYS, LATE_REPORT_FLAG, STARTED_WITHOUT_APPROVAL_FLAG,
  type ComplianceState, type LateReport, type BatchDeadline,
} from './projection.js';
export {
  queryCompliance, complianceScan, complianceFlags, lateReportsOf, COMPLIANCE_KINDS, STATISTICS_THRESHOLD, STATISTICS_DEADLINE_DAYS,
  type ComplianceKind, type ComplianceQuery, type ComplianceItem, type ComplianceList,
} from './query.js';
