/**
 * Which regions' statistics a burst of events may have changed. A project event changes its
 * project's region and every region above it (the statistics roll up by code prefix); an
 * AnnualTargetsSet concerns its region, the regions above it and the regions below it (a
 * dashboard of a county shows its city's schedule beside its own).
 */
import type { RecordedEvent } from '../../event-store/port.js';
import { PROJECT_EVENT_TYPES } from '../../../commands/project/events.js';
import { ancestorsOf, type RegionCode } from '../../../commands/shared/region-code.js';
import { regionCovers } from '../../regions/coverage.js';

const PROJECT_TYPES: ReadonlySet<string> = new Set<string>(PROJECT_EVENT_TYPES);

export interface BurstRegions {
  /** The regions of the projects the events belong to, as they stand after the burst. */
  readonly projectRegions: ReadonlySet<RegionCode>;
  /** The regions whose annual targets were set. */
  readonly targetRegions: ReadonlySet<RegionCode>;
  /** A DetailsCorrected moved a project: the region it left is in no event, so unknown here. */
  readonly moved: boolean;
}

/** `regionOfProject` reads the read model the burst was applied to (its current region). */
export function regionsOfBurst(
  events: readonly RecordedEvent[],
  regionOfProject: (projectId: string) => RegionCode | undefined,
): BurstRegions {
  const projectRegions = new Set<RegionCode>();
  const targetRegions = new Set<RegionCode>();
  let moved = false;
  for (const event of events) {
    const { data } = event;
    if (event.type === 'AnnualTargetsSet') {
      if (typeof data['regionCode'] === 'string') targetRegions.add(data['regionCode']);
      continue;
    }
    if (!PROJECT_TYPES.has(event.type)) continue;
    const projectId = data['projectId'];
    const region = (typeof projectId === 'string' ? regionOfProject(projectId) : undefined) ??
      (typeof data['regionCode'] === 'string' ? data['regionCode'] : undefined);
    if (region !== undefined) projectRegions.add(region);
    if (event.type === 'DetailsCorrected' && data['regionCode'] !== undefined) moved = true;
  }
  return { projectRegions, targetRegions, moved };
}

/** The regions among `watched` whose statistics the burst touches. */
export function touchedRegions(burst: BurstRegions, watched: ReadonlySet<RegionCode> | ReadonlyMap<RegionCode, unknown>): Set<RegionCode> {
  const touched = new Set<RegionCode>();
  const upFrom = (code: RegionCode) => {
    for (const ancestor of ancestorsOf(code)) if (watched.has(ancestor)) touched.add(ancestor);
  };
  for (const region of burst.projectRegions) upFrom(region);
  for (const region of burst.targetRegions) {
    upFrom(region);
    for (const code of watched.keys()) if (regionCovers(region, code)) touched.add(code);
  }
  return touched;
}
