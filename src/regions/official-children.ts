/**
 * The official tree's children by parent code, groupings skipped (北京市's children are its
 * districts, not 市辖区). Built once from the immutable official table.
 */
import type { RegionCode } from '../../commands/shared/region-code.js';
import { officialRegions } from './official-regions.js';

let index: ReadonlyMap<RegionCode, readonly RegionCode[]> | undefined;

export function officialChildren(): ReadonlyMap<RegionCode, readonly RegionCode[]> {
  index ??= buildIndex();
  return index;
}

function buildIndex(): Map<RegionCode, RegionCode[]> {
  const children = new Map<RegionCode, RegionCode[]>();
  for (const region of officialRegions().values()) {
    if (region.grouping || region.parent === undefined) continue;
    const list = children.get(region.parent);
    if (list) list.push(region.code);
    else children.set(region.parent, [region.code]);
  }
  for (const list of children.values()) list.sort();
  return children;
}
