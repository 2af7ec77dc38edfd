/**
 * GB/T 2260 region codes and their roll-up by prefix.
 *
 * - `XX0000` province, `XXXX00` city, `XXXXXX` county/district, 9 digits a township;
 * - a custom child region (开发区, 新区) with no official code is its parent's code plus a
 *   suffix, `520500-JHH` (金海湖新区 under 毕节市), so that it rolls up by prefix too;
 * - `000000` is the whole country.
 */
import { z } from 'zod';

export type RegionCode = string;

export const REGION_CODE_PATTERN = /^\d{6}(\d{3})?(-[A-Z0-9]{1,16})?$/;
export const COUNTRY = '000000';

export const regionCode = () =>
  z
    .string()
    .regex(REGION_CODE_PATTERN, { message: 'region codes are GB/T 2260 codes (6 or 9 digits), optionally with a -SUFFIX for a custom child region' })
    .meta({ description: 'GB/T 2260 region code; custom child regions are PARENT-SUFFIX', example: '131121' });

export type RegionLevel = 'country' | 'province' | 'city' | 'county' | 'township' | 'custom';

export function levelOf(code: RegionCode): RegionLevel {
  if (code.includes('-')) return 'custom';
  if (code === COUNTRY) return 'country';
  if (code.length === 9) return 'township';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/** The prefix every code inside the region starts with. */
export function coveragePrefix(code: RegionCode): string {
  switch (levelOf(code)) {
    case 'country': return '';
    case 'province': return code.slice(0, 2);
    case 'city': return code.slice(0, 4);
    case 'county':
    case 'township':
    case 'custom': return code;
  }
}

/** Whether `inner` lies within `outer` (a region contains itself). */
export function contains(outer: RegionCode, inner: RegionCode): boolean {
  // A custom child has no children: `520500-JH` must not take in `520500-JHH`.
  if (levelOf(outer) === 'custom') return inner === outer;
  return inner.startsWith(coveragePrefix(outer));
}

/** The chain of official regions that contain `code`, from the code itself up to the country. */
export function ancestorsOf(code: RegionCode): RegionCode[] {
  const chain: RegionCode[] = [code];
  let current = code;
  for (;;) {
    const parent = parentOf(current);
    if (parent === undefined) return chain;
    chain.push(parent);
    current = parent;
  }
}

export function parentOf(code: RegionCode): RegionCode | undefined {
  switch (levelOf(code)) {
    case 'country': return undefined;
    case 'custom': return code.slice(0, code.indexOf('-'));
    case 'township': return code.slice(0, 6);
    case 'county': return `${code.slice(0, 4)}00`;
    case 'city': return `${code.slice(0, 2)}0000`;
    case 'province': return COUNTRY;
  }
}
