/** The projections' calendar arithmetic (no Date per event) agrees with Date on every day it may see. */
import t from 'tap';
import fc from 'fast-check';
import { dateOfDayNumber, dayNumber, monthIndex, periodOfIndex, recordedDayNumber } from '../../projections/shared/calendar.js';

const DAY_MS = 86_400_000;
const moments = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 11, 31, 23, 59, 59, 999) });

t.test('dayNumber and dateOfDayNumber agree with Date and invert each other', async (t) => {
  fc.assert(fc.property(moments, (ms) => {
    const date = new Date(ms).toISOString().slice(0, 10);
    const expected = Math.floor(ms / DAY_MS);
    return dayNumber(date) === expected && dateOfDayNumber(expected) === date;
  }), { numRuns: 2000 });
  t.equal(dayNumber('1970-01-01'), 0);
  t.equal(dayNumber('2024-02-29') - dayNumber('2024-02-28'), 1, 'a leap day');
  t.equal(dayNumber('2100-03-01') - dayNumber('2100-02-28'), 1, '2100 is not a leap year');
});

t.test('recordedDayNumber is the China business date of a UTC record time', async (t) => {
  fc.assert(fc.property(moments, (ms) => {
    const expected = Math.floor((ms + 8 * 3_600_000) / DAY_MS);
    return recordedDayNumber(new Date(ms).toISOString()) === expected;
  }), { numRuns: 2000 });
  t.equal(recordedDayNumber('2025-03-31T15:59:59.999Z'), dayNumber('2025-03-31'));
  t.equal(recordedDayNumber('2025-03-31T16:00:00.000Z'), dayNumber('2025-04-01'), 'midnight in Beijing');
  t.equal(recordedDayNumber('2025-03-31T23:30:00+08:00'), dayNumber('2025-03-31'), 'another offset goes through Date');
});

t.test('monthIndex counts months and periodOfIndex inverts it', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1990, max: 2100 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
    const period = `${year}-${String(month).padStart(2, '0')}`;
    return monthIndex(period) === year * 12 + month - 1 && periodOfIndex(monthIndex(period)) === period;
  }), { numRuns: 1000 });
  t.equal(monthIndex('2025-01') - monthIndex('2024-12'), 1);
});
