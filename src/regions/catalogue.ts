/**
 * The region catalogue: the official regions (official-regions.ts) and the custom child
 * regions (开发区, 新区) that bureaus registered as events in `region-<code>` streams.
 *
 * An unknown code is refused with the domain rule `region-unknown` (HTTP 409 with
 * `rule: "region-unknown"`): the code is well-formed (the zod schema already answered 400
 * otherwise) but names no region the system knows *now*; registering the custom region makes
 * the same request succeed, which is a conflict with current state, not a malformed request.
 */
import { DomainRuleBroken } from '../../commands/decider.js';
import type { RegionCode, RegionLevel } from '../../commands/shared/region-code.js';
import { customRegionRegisteredSchema, type CustomRegionRegisteredData } from '../../commands/regions/events.js';
import type { StoredEvent } from '../../commands/decider.js';
import { COUNTRY_NAME, officialRegions, type OfficialRegion } from './official-regions.js';
import { officialChildren } from './official-children.js';

export interface Region {
  readonly code: RegionCode;
  readonly name: string;
  readonly level: RegionLevel;
  /** The parent in the tree (groupings skipped); undefined for the country. */
  readonly parent: RegionCode | undefined;
  /** Registered by a bureau, not in GB/T 2260. */
  readonly custom: boolean;
  /** A 市辖区 / 县 / 省直辖县级行政区划 row: a known code, but no region of its own. */
  readonly grouping: boolean;
}

export class UnknownRegion extends DomainRuleBroken {
  constructor(readonly code: RegionCode) {
    super('region-unknown', `region ${code} is not known: it is neither a GB/T 2260 code nor a registered custom region`);
    this.name = 'UnknownRegion';
  }
}

export class RegionCatalogue {
  private readonly custom = new Map<RegionCode, Region>();
  private readonly customChildren = new Map<RegionCode, RegionCode[]>();

  constructor(
    private readonly official: ReadonlyMap<RegionCode, OfficialRegion> = officialRegions(),
    private readonly children: ReadonlyMap<RegionCode, readonly RegionCode[]> = officialChildren(),
  ) {}

  get(code: RegionCode): Region | undefined {
    const official = this.official.get(code);
    if (official) return { ...official, custom: false };
    return this.custom.get(code);
  }

  isKnown(code: RegionCode): boolean {
    return this.official.has(code) || this.custom.has(code);
  }

  /** Throws UnknownRegion (rule `region-unknown`, HTTP 409) unless the code is known. */
  assertKnown(code: RegionCode): Region {
    const region = this.get(code);
    if (region === undefined) throw new UnknownRegion(code);
    return region;
  }

  nameOf(code: RegionCode): string | undefined {
    return this.get(code)?.name;
  }

  /**
   * The name with every ancestor's, province first: 河北省衡水市枣强县, 北京市东城区 (the
   * 市辖区 grouping skipped), 贵州省毕节市金海湖新区. The country is 全国.
   */
  fullName(code: RegionCode): string | undefined {
    const region = this.get(code);
    if (region === undefined) return undefined;
    if (region.level === 'country') return COUNTRY_NAME;
    const names: string[] = [];
    let current: Region | undefined = region;
    while (current !== undefined && current.level !== 'country') {
      // 嘉峪关市 (620200) lists a county-level 嘉峪关市 (620201) under itself: say it once.
      if (names[0] !== current.name) names.unshift(current.name);
      current = current.parent === undefined ? undefined : this.get(current.parent);
    }
    return names.join('');
  }

  /** The official children and the registered custom children, official first, by code. */
  childrenOf(code: RegionCode): Region[] {
    const region = this.get(code);
    if (region === undefined) return [];
    const official = region.grouping
      ? (region.parent === undefined ? [] : this.children.get(region.parent) ?? []).filter((child) => child.startsWith(code.slice(0, 4)))
      : this.children.get(code) ?? [];
    const custom = this.customChildren.get(code) ?? [];
    return [...official, ...custom].flatMap((child) => this.get(child) ?? []);
  }

  /** Folds a region stream's event; events already folded (or of other types) change nothing. */
  apply(event: StoredEvent): void {
    if (event.type !== 'CustomRegionRegistered') return;
    this.register(customRegionRegisteredSchema.parse(event.data));
  }

  private register(data: CustomRegionRegisteredData): void {
    if (this.isKnown(data.code)) return;
    this.custom.set(data.code, { code: data.code, name: data.name, level: 'custom', parent: data.parentCode, custom: true, grouping: false });
    const siblings = this.customChildren.get(data.parentCode);
    if (siblings) {
      siblings.push(data.code);
      siblings.sort();
    } else {
      this.customChildren.set(data.parentCode, [data.code]);
    }
  }
}
