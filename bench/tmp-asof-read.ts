import { openStatisticsHistory } from '../projections/runner/statistics-history.js';
import { allReadModels } from '../projections/all-read-models.js';
import { queryPipelineStatistics } from '../projections/pipeline-statistics/index.js';
import { rankChildRegions } from '../projections/rankings/index.js';
const history = openStatisticsHistory('/work/data/10m/statistics-history.db', allReadModels.version);
if (!history) throw new Error('none');
for (const position of [476321, 4270771, 9488364, 5218213]) {
  let t0 = performance.now();
  const state = history.stateAt(position);
  const t1 = performance.now();
  queryPipelineStatistics(state, { regionCode: '410000', year: 2024, asOfDate: '2024-06-01' });
  const t2 = performance.now();
  queryPipelineStatistics(state, { regionCode: '410225', year: 2024, quarter: 2, asOfDate: '2024-06-01' });
  const t3 = performance.now();
  rankChildRegions(state, { regionCode: '410000', year: 2024, measure: 'startedInvestment', asOfDate: '2024-06-01' }, (c) => c);
  const t4 = performance.now();
  console.log(position, 'state', (t1 - t0).toFixed(1), 'province', (t2 - t1).toFixed(1), 'county', (t3 - t2).toFixed(1), 'rankings', (t4 - t3).toFixed(1));
}
