/**
 * GB/T 4754-2017: the section (门类, A–T) each division (大类, the first two digits of a
 * 4-digit class) belongs to. A class lies in the section of its division.
 */
import type { INDUSTRY_SECTIONS } from './events.js';

type Section = (typeof INDUSTRY_SECTIONS)[number];

/** Each section's divisions, as an inclusive range. */
const DIVISIONS: readonly (readonly [Section, number, number])[] = [
  ['A', 1, 5], ['B', 6, 12], ['C', 13, 43], ['D', 44, 46], ['E', 47, 50], ['F', 51, 52], ['G', 53, 60],
  ['H', 61, 62], ['I', 63, 65], ['J', 66, 69], ['K', 70, 70], ['L', 71, 72], ['M', 73, 75], ['N', 76, 79],
  ['O', 80, 82], ['P', 83, 83], ['Q', 84, 85], ['R', 86, 90], ['S', 91, 96], ['T', 97, 97],
];

/** The section a 4-digit class lies in; undefined for a division GB/T 4754 does not have (00, 98, 99). */
export function sectionOfClass(industryClass: string): Section | undefined {
  const division = Number(industryClass.slice(0, 2));
  return DIVISIONS.find(([, from, to]) => division >= from && division <= to)?.[0];
}
