/**
 * Seeded randomness for generated histories: one stream of numbers decides everything
 * (sizes, dates, ids), so a seed always writes the same log, byte for byte.
 */

export interface Random {
  /** Uniform in [0, 1). */
  (): number;
}

/** mulberry32: small, fast, and good enough for bench data. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function chance(rnd: Random, p: number): boolean {
  return rnd() < p;
}

export function between(rnd: Random, min: number, max: number): number {
  return min + Math.floor(rnd() * (max - min + 1));
}

export function pick<T>(rnd: Random, items: readonly T[]): T {
  const item = items[Math.floor(rnd() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** Picks by weight: `[[value, weight], …]`. */
export function weighted<T>(rnd: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let x = rnd() * total;
  for (const [value, w] of choices) {
    x -= w;
    if (x < 0) return value;
  }
  const last = choices.at(-1);
  if (last === undefined) throw new RangeError('weighted pick from an empty list');
  return last[0];
}

/** A standard normal (Box–Muller). */
export function normal(rnd: Random): number {
  const u = 1 - rnd();
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal with the given median and σ of its logarithm: heavy-tailed sizes. */
export function logNormal(rnd: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rnd));
}

/** Poisson for the small rates of daily registrations (Knuth). */
export function poisson(rnd: Random, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rnd)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k += 1;
    p *= rnd();
  }
  return k;
}

/** A version-4-shaped UUID from the seeded stream (event ids, request ids). */
export function uuid(rnd: Random): string {
  const word = () => Math.floor(rnd() * 4_294_967_296).toString(16).padStart(8, '0');
  const [a, b, c, d] = [word(), word(), word(), word()];
  const variant = '89ab'[parseInt(c.slice(0, 1), 16) & 3] ?? '8';
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}
