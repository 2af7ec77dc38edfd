/**
 * Request fields several routes share, with messages that say what to do: a year, an instant.
 */
import { z } from 'zod';

/** The first year anything here can be about: the People's Republic's statistics begin in 1949. */
export const FIRST_YEAR = 1949;
const LAST_YEAR = 2200;

/** A year in a path or a query (a string of four digits), as a number. */
export const yearParam = () => z.string()
  .regex(/^\d{4}$/, { message: 'a year is four digits' })
  .transform(Number)
  .pipe(z.number().int()
    .min(FIRST_YEAR, { message: `a year is ${FIRST_YEAR} or later: the statistics this app keeps begin with the People's Republic in ${FIRST_YEAR}` })
    .max(LAST_YEAR, { message: `a year is ${LAST_YEAR} or earlier` }));

/**
 * An ISO 8601 instant with its offset, in a query string. A `+` there decodes to a space
 * (application/x-www-form-urlencoded), so `asOf=2025-04-05T16:00:00+08:00` arrives with a space
 * where the offset's sign was: say so, rather than only "invalid datetime".
 */
export const isoInstant = () => z.string().check((context) => {
  const value = context.value;
  if (z.iso.datetime({ offset: true }).safeParse(value).success) return;
  const unencodedPlus = / \d{2}:?\d{2}$/.test(value) && z.iso.datetime({ offset: true }).safeParse(value.replace(/ (\d{2}:?\d{2})$/, '+$1')).success;
  context.issues.push({
    code: 'custom',
    input: value,
    message: unencodedPlus
      ? `"${value}" has a space where its offset's + was: in a query string + means a space, so percent-encode it as %2B (${value.replace(/ (\d{2}:?\d{2})$/, '%2B$1')}), or give the time in UTC with Z`
      : 'an ISO 8601 time with its offset, e.g. 2025-04-05T16:00:00Z or 2025-04-06T00:00:00%2B08:00 (a + percent-encoded)',
  });
}).meta({ format: 'date-time' });
