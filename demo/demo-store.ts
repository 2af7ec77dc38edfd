/**
 * A fresh embedded store filled with a generated history for demos and browser tests: 开封市
 * and its nine counties (兰考 among them) over the last few years up to yesterday, written by
 * the history generator of the benchmarks (bench/history/*) through the real deciders, so it
 * holds every kind of milestone, annual targets for the counties, the city and the province,
 * and quarterly 集中开工 batches.
 *
 * The generator records each simulated day's events on that day's morning (China time), so
 * the late-report rule, "as of" questions and the current year's figures all look real.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, chinaDateOf } from '../commands/shared/dates.js';
import { generateHistory, type GenerateSummary } from '../bench/generate-history.js';

/** 开封市: the first city of the generated province, with its nine county-level regions. */
export const DEMO_CITY = '410200';
export const DEMO_CITY_COUNTIES = 9;
export const DEMO_PROVINCE = '410000';
/** Marks a directory this module filled, so that a later demo may replace it (and nothing else). */
const MARKER = '.demo-store';

export interface DemoStoreOptions {
  readonly dir: string;
  /** Events to write; 100,000 is a city of about 250 projects a county a year over four years. */
  readonly events: number;
  readonly seed?: number;
  /** Whole years before this one that the history starts in (default 3). */
  readonly years?: number;
  /** "Today": the history ends the day before (China time). */
  readonly now?: Date;
  readonly log?: (line: string) => void;
  /** false: no progress on stderr (tests); default: as the generator shows it. */
  readonly progress?: boolean;
}

export interface DemoStore extends GenerateSummary {
  readonly path: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Fills `dir`/events.db. The directory must be new, empty, or one this module filled before
 * (then it is emptied first); anything else is refused, so a demo never wipes real data.
 */
export async function fillDemoStore(options: DemoStoreOptions): Promise<DemoStore> {
  const { dir } = options;
  prepareDirectory(dir);
  const today = chinaDateOf(options.now ?? new Date());
  const to = addDays(today, -1);
  const from = `${Number(today.slice(0, 4)) - (options.years ?? 3)}-01-01`;
  const path = join(dir, 'events.db');
  const summary = await generateHistory({
    events: options.events,
    seed: options.seed ?? 1,
    out: path,
    from,
    to,
    counties: DEMO_CITY_COUNTIES,
    log: options.log ?? (() => undefined),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  });
  return { ...summary, path, from, to };
}

function prepareDirectory(dir: string): void {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`${dir} holds files a demo did not write: choose another directory (--dir) or empty it yourself`);
    }
    for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'Filled by npm run demo; the next demo run replaces this directory.\n');
}
