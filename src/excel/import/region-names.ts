/**
 * 所在地区 as bureaus write it: a GB/T 2260 code, or a region's name (枣强县, 衡水市枣强县,
 * 金海湖新区), looked up among the regions the importing key may write to. A blank cell is the
 * key's own region when it has exactly one (a county's ledger names no county). A code that
 * names no region breaks the rule `region-unknown`, as in the REST commands.
 */
import type { Actor } from '../../../commands/metadata.js';
import { COUNTRY, REGION_CODE_PATTERN, type RegionCode } from '../../../commands/shared/region-code.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import { anyCovers } from '../../regions/coverage.js';
import { normalText } from './cell-values.js';

export type RegionRead =
  | { readonly ok: true; readonly value: RegionCode }
  | { readonly ok: false; readonly problem: string; readonly fix: string; readonly rule?: string };

export interface RegionResolver {
  /** The region a cell names (undefined: the cell is blank). */
  resolve(text: string | undefined): RegionRead;
  /** The key's own region, when it has just one: what a ledger without a region column is about. */
  readonly defaultRegion: RegionCode | undefined;
}

/** The country has ~3,200 counties and ~40,000 townships: more than this is not a region tree. */
const MAX_REGIONS = 100_000;

export function regionResolver(catalogue: RegionCatalogue, actor: Actor): RegionResolver {
  const [only, ...others] = actor.regions;
  const defaultRegion = only !== undefined && others.length === 0 && only !== COUNTRY ? only : undefined;
  let byName: Map<string, RegionCode[]> | undefined;
  const names = (): Map<string, RegionCode[]> => {
    byName ??= nameIndex(catalogue, actor.regions);
    return byName;
  };
  const writable = (code: RegionCode): RegionRead => anyCovers(actor.regions, code)
    ? { ok: true, value: code }
    : { ok: false, problem: `your key may write in ${actor.regions.join('、')}, not in ${code}`, fix: 'import the rows of other regions with a key of theirs' };
  return {
    defaultRegion,
    resolve(text) {
      const written = normalText(text ?? '').replace(/\s+/g, '');
      if (written === '') {
        return defaultRegion === undefined
          ? { ok: false, problem: 'no region', fix: 'write the region\'s GB/T 2260 code (131121) or its name (枣强县)' }
          : { ok: true, value: defaultRegion };
      }
      if (REGION_CODE_PATTERN.test(written)) {
        if (!catalogue.isKnown(written)) {
          return { ok: false, rule: 'region-unknown', problem: `${written} is neither a GB/T 2260 code nor a registered custom region`, fix: 'check the code, or register the custom region (开发区, 新区) first' };
        }
        return writable(written);
      }
      const found = names().get(written) ?? [];
      if (found.length === 1 && found[0] !== undefined) return writable(found[0]);
      if (found.length > 1) return { ok: false, problem: `several regions are named ${written} (${found.join(', ')})`, fix: 'write the GB/T 2260 code instead of the name' };
      return { ok: false, problem: `no region named ${written} where your key may write`, fix: 'write the region\'s GB/T 2260 code, or its name as in the official list (枣强县)' };
    },
  };
}

/**
 * Every region within the key's regions by its name and by its full name (河北省衡水市枣强县),
 * walked down from the key's regions once per import; a full name is its parent's plus its own
 * (groupings such as 市辖区 add nothing), as RegionCatalogue.fullName spells it.
 */
function nameIndex(catalogue: RegionCatalogue, roots: readonly RegionCode[]): Map<string, RegionCode[]> {
  const index = new Map<string, RegionCode[]>();
  const add = (name: string, code: RegionCode): void => {
    const codes = index.get(name);
    if (codes === undefined) index.set(name, [code]);
    else if (!codes.includes(code)) codes.push(code);
  };
  const seen = new Set<RegionCode>();
  const queue: { readonly code: RegionCode; readonly parentFullName: string | undefined }[] = roots.map((code) => {
    const parent = catalogue.get(code)?.parent;
    return { code, parentFullName: parent === undefined ? undefined : catalogue.fullName(parent) };
  });
  for (let next = 0; next < queue.length && seen.size < MAX_REGIONS; next++) {
    const item = queue[next];
    if (item === undefined || seen.has(item.code)) continue;
    seen.add(item.code);
    const region = catalogue.get(item.code);
    if (region === undefined) continue;
    let full = item.parentFullName;
    if (region.level !== 'country' && !region.grouping) {
      const parentFull = full === COUNTRY_FULL_NAME ? undefined : full;
      // 嘉峪关市 lists a county-level 嘉峪关市 under itself: said once, as fullName does.
      full = parentFull === undefined ? region.name : parentFull.endsWith(region.name) ? parentFull : parentFull + region.name;
      add(region.name, item.code);
      add(full, item.code);
    } else if (region.level === 'country') {
      full = COUNTRY_FULL_NAME;
    }
    for (const child of catalogue.childrenOf(item.code)) queue.push({ code: child.code, parentFullName: full });
  }
  return index;
}

const COUNTRY_FULL_NAME = '全国';
