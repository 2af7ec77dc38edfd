/**
 * The hard rules of the region streams, by stable name (the problem's `rule`, status 409).
 * Kept beside the decider; commands/rules.ts may spread them into the one list.
 */
export const REGION_RULES = {
  'region-unknown': 'a region code must be official (GB/T 2260) or a registered custom child region',
  'region-already-registered': 'a custom region code is registered once',
  'region-parent-not-official': 'a custom child region hangs under an official province, city, county or township',
} as const;

export type RegionRuleName = keyof typeof REGION_RULES;
