/**
 * Custom child regions (开发区, 新区) that have no official code, stream `region-<code>`.
 * A custom code is its parent's official code plus a suffix (`520500-JHH`, 金海湖新区 under
 * 毕节市), so that it rolls up by prefix like any official child.
 */
import { z } from 'zod';
import { isoDate } from '../shared/dates.js';
import { regionCode } from '../shared/region-code.js';

export const CUSTOM_REGION_CODE_PATTERN = /^\d{6}(\d{3})?-[A-Z0-9]{1,16}$/;

export const customRegionCode = () =>
  z
    .string()
    .regex(CUSTOM_REGION_CODE_PATTERN, { message: 'a custom region code is its parent\'s official code, a dash and 1–16 capital letters or digits, e.g. 520500-JHH' })
    .meta({ description: 'Custom child region code: PARENT-SUFFIX', example: '520500-JHH' });

export const regionName = () => z.string().trim().min(1).max(100).meta({ example: '金海湖新区' });

export const customRegionRegisteredSchema = z.strictObject({
  code: customRegionCode(),
  parentCode: regionCode(),
  name: regionName(),
  occurredOn: isoDate(),
});

export type CustomRegionRegisteredData = z.output<typeof customRegionRegisteredSchema>;
export type RegionEvent = { readonly type: 'CustomRegionRegistered'; readonly data: CustomRegionRegisteredData };
export const REGION_EVENT_TYPES = ['CustomRegionRegistered'] as const;

export const REGION_STREAM_PREFIX = 'region-';
export function regionStreamId(code: string): string {
  return `${REGION_STREAM_PREFIX}${code}`;
}

/** The official code a custom code hangs under (`520500-JHH` → `520500`). */
export function parentCodeOf(customCode: string): string {
  return customCode.slice(0, customCode.indexOf('-'));
}
