import { openStatisticsHistory } from '../projections/runner/statistics-history.js';
import { allReadModels } from '../projections/all-read-models.js';
import { queryPipelineStatistics } from '../projections/pipeline-statistics/index.js';
const history = openStatisticsHistory('/work/data/10m/statistics-history.db', allReadModels.version);
if (!history) throw new Error('none');
const times: string[] = [];
for (let i = 1; i <= 20; i++) {
  const position = Math.floor(9_960_354 * i / 21);
  const t0 = performance.now();
  const state = history.stateAt(position);
  const t1 = performance.now();
  queryPipelineStatistics(state, { regionCode: '410000', year: 2024, asOfDate: '2024-06-01' });
  times.push(`${(t1 - t0).toFixed(1)}+${(performance.now() - t1).toFixed(1)}`);
}
console.log(times.join(' '));
