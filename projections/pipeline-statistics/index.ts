/**
 * Pipeline statistics (三个一批, reserve, completed investment, funds, conversions, 标尺, 纵尺)
 * for any region × period × category, answered from a cube rolled up to every ancestor region.
 */
export { pipelineStatistics, type PipelineState, type Targets } from './projection.js';
export {
  queryPipelineStatistics, measureValue, regionNodes, shown, round,
  type PipelineQuery, type PipelineStatistics, type SizedFigure, type TargetRow, type YearOnYearRow,
} from './query.js';
export { MEASURES, MEASURE_KEYS, TARGET_MEASURE_OF, isMeasure, type Measure, type Unit, type MeasureDefinition } from './measures.js';
export { resolvePeriod, InvalidPeriod, type PeriodQuery, type ResolvedPeriod } from './periods.js';
