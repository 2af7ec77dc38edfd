/**
 * The time a command is decided at, carried in the command: deciders never read a clock.
 * `now` is the instant (the record time to be), `today` its business date in China.
 */
import { chinaDateOf, type IsoDate } from './dates.js';

export interface Clock {
  /** ISO 8601 UTC instant. */
  readonly now: string;
  /** The China business date of `now`. */
  readonly today: IsoDate;
}

/** The command's `now` and `today` from one reading of the clock. */
export function clockAt(instant: Date): Clock {
  return { now: instant.toISOString(), today: chinaDateOf(instant) };
}
