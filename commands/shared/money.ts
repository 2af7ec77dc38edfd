/**
 * Money in this product is posted and shown in 万元 with at most 2 decimals, and kept
 * everywhere else (events, read models, sums) as integers of 0.01 万元 (= 100 元), so that
 * sums are exact. DOMAIN.md: "never as floats that accumulate".
 */
import { z } from 'zod';

/** Integer count of 0.01 万元. */
export type Amount = number;

/** 1 万亿元: far above any single project (the largest are a few hundred 亿). */
export const MAX_WAN = 100_000_000;

export const AMOUNTS_PER_WAN = 100;
export const YI = 10_000 * AMOUNTS_PER_WAN; // 1 亿元 in Amount units

export function hasAtMostTwoDecimals(value: number): boolean {
  const scaled = value * 100;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

export function amountFromWan(wan: number): Amount {
  return Math.round(wan * AMOUNTS_PER_WAN);
}

/** For display and JSON answers: exact for any integer Amount below 2^53. */
export function amountToWan(amount: Amount): number {
  return amount / AMOUNTS_PER_WAN;
}

/**
 * A request field in 万元 (≥ 0, ≤ 2 decimals, ≤ MAX_WAN) that parses to an integer Amount.
 * The OpenAPI document shows the input side: a number in 万元.
 */
/** Every schema made by `wan()`: how stored events' Amount fields are found for display. */
export const amountSchemas = z.registry<{ unit: '万元' }>();

export const wan = (options: { readonly positive?: boolean } = {}) =>
  z
    .number()
    .check(options.positive === true ? z.positive({ message: 'the amount must be more than 0' }) : z.nonnegative({ message: 'amounts cannot be negative' }))
    .max(MAX_WAN, { message: `amounts above ${MAX_WAN} 万元 are not plausible` })
    .refine(hasAtMostTwoDecimals, { message: 'amounts are in 万元 with at most 2 decimals' })
    .transform(amountFromWan)
    .meta({ description: 'Amount in 万元 (10,000 元), at most 2 decimals', example: 12500.5 })
    .register(amountSchemas, { unit: '万元' });

/** The names of an object schema's fields that hold Amounts (optional ones included). */
export function amountFieldsOf(shape: Readonly<Record<string, z.ZodType>>): string[] {
  return Object.entries(shape)
    .filter(([, field]) => amountSchemas.has(field instanceof z.ZodOptional ? field.unwrap() as z.ZodType : field))
    .map(([name]) => name);
}

/** Land area in 亩 with at most 2 decimals (kept as given: it is never summed for totals). */
export const mu = () =>
  z
    .number()
    .positive()
    .max(10_000_000)
    .refine(hasAtMostTwoDecimals, { message: 'areas are in 亩 with at most 2 decimals' })
    .meta({ description: 'Area in 亩 (666.67 m²), at most 2 decimals' });
