/**
 * The regions of a generated province: real GB/T 2260 codes of 河南 (41), from the official
 * table the server itself uses, starting with 开封市 so that the seed region 兰考县 410225 is
 * always in. Counties are taken city by city until there are enough.
 */
import { officialChildren } from '../../src/regions/official-children.js';
import { officialRegions } from '../../src/regions/official-regions.js';
import type { RegionCode } from '../../commands/shared/region-code.js';

export const PROVINCE: RegionCode = '410000';
/** 开封 first (兰考), then the province's other cities in code order. */
const FIRST_CITY: RegionCode = '410200';

export interface County {
  readonly code: RegionCode;
  readonly name: string;
  readonly city: RegionCode;
  /** Its share of the province's projects (heavy-tailed: a few counties track many). */
  readonly weight: number;
}

export interface ProvinceRegions {
  readonly province: RegionCode;
  readonly cities: readonly RegionCode[];
  readonly counties: readonly County[];
  nameOf(code: RegionCode): string;
}

export function provinceCounties(count: number, weightOf: () => number): ProvinceRegions {
  const regions = officialRegions();
  const children = officialChildren();
  const cities = [FIRST_CITY, ...(children.get(PROVINCE) ?? []).filter((code) => code !== FIRST_CITY)]
    .filter((code) => regions.get(code)?.level === 'city');
  const counties: County[] = [];
  const used: RegionCode[] = [];
  for (const city of cities) {
    if (counties.length >= count) break;
    const inCity = (children.get(city) ?? []).filter((code) => regions.get(code)?.level === 'county');
    if (inCity.length === 0) continue;
    used.push(city);
    for (const code of inCity) {
      if (counties.length >= count) break;
      counties.push({ code, name: regions.get(code)?.name ?? code, city, weight: weightOf() });
    }
  }
  if (counties.length === 0) throw new Error('no county of 河南 in the official table');
  return {
    province: PROVINCE,
    cities: used,
    counties,
    nameOf: (code) => regions.get(code)?.name ?? code,
  };
}

/** How many county-level regions 河南 has in the official table (the most a run can use). */
export function provinceCountyCount(): number {
  const regions = officialRegions();
  let n = 0;
  for (const region of regions.values()) if (region.code.startsWith('41') && region.level === 'county') n += 1;
  return n;
}
