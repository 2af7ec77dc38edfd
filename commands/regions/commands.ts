/**
 * What a bureau asks of the region streams. The handler looks the parent up in the region
 * catalogue and passes what it found, so the decider stays pure.
 */
import type { IsoDate } from '../shared/dates.js';
import type { RegionLevel } from '../shared/region-code.js';

export interface ParentRegion {
  readonly code: string;
  readonly level: RegionLevel;
  /** A 市辖区 / 省直辖县级行政区划 row: a code, not a region (src/regions/official-regions.ts). */
  readonly grouping: boolean;
}

export interface RegisterCustomRegion {
  readonly type: 'RegisterCustomRegion';
  readonly code: string;
  readonly name: string;
  readonly occurredOn: IsoDate;
  /** The China business date the command is decided on. */
  readonly today: IsoDate;
  /** The catalogue's entry for the code's parent; undefined when the catalogue has none. */
  readonly parent: ParentRegion | undefined;
}

export type RegionCommand = RegisterCustomRegion;
