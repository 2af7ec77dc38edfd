/**
 * Whether one region lies within another, by code prefix (commands/shared/region-code.ts),
 * with one correction: a custom region covers only itself. Its code is a plain string prefix
 * of nothing official, but `520500-JH` must not cover `520500-JHH`.
 */
import { contains, levelOf, type RegionCode } from '../../commands/shared/region-code.js';

export function regionCovers(outer: RegionCode, inner: RegionCode): boolean {
  if (levelOf(outer) === 'custom') return outer === inner;
  return contains(outer, inner);
}

/** Whether any of `regions` covers `code`. */
export function anyCovers(regions: readonly RegionCode[], code: RegionCode): boolean {
  return regions.some((region) => regionCovers(region, code));
}
