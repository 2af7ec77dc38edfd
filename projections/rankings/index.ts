/** 横尺 and 红黑榜: child regions ranked on any statistics measure (a query over the pipeline-statistics state). */
export {
  rankChildRegions, knownChildren, DEFAULT_LIST_SIZE,
  type RankingQuery, type RankingRow, type Rankings, type RegionNameOf, type Mark,
} from './rank-child-regions.js';
