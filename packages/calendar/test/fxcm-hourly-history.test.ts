/**
 * The FX calendar against FXCM's own EUR/USD hourly file, 2007-03-30 … 2018-07-04 (Lean
 * `fxcm/hour/eurusd.zip`, bar start in fixed UTC-05): an hour with data is open unless it is a
 * Sunday indicative quote before the weekly open or one of the documented Friday late prints,
 * and the open hours without data stay within the bound. The figures are printed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { calendarFor, TradingCalendar } from '../src';
import { readLeanHourStarts } from './support/lean-hourly';

const HOURLY = resolve(__dirname, '../../../../shared/fxcm-data/lean-2014-05/fxcm/hour/eurusd.zip');
const HOUR = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 16) + 'Z';

/**
 * Prints after the Friday 17:00 New York close, each in the hour that starts at the close
 * (docs/calendar.md, "Holidays"): the only hours with data outside the session that are not
 * Sunday pre-open quotes.
 */
const LATE_PRINTS = [
  '2011-12-16T22:00Z',
  '2012-01-27T22:00Z',
  '2012-02-03T22:00Z',
  '2012-05-11T21:00Z',
];

interface Tally {
  hoursWithData: number;
  closedWithData: number[];
  openWithoutData: number;
}

function tally(calendar: TradingCalendar, starts: Set<number>): Tally {
  const sorted = [...starts].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const closedWithData: number[] = [];
  let openWithoutData = 0;
  for (let t = first; t <= last; t += HOUR) {
    const open = calendar.openMinutes(t, t + HOUR) > 0;
    if (starts.has(t) && !open) closedWithData.push(t);
    if (!starts.has(t) && open) openWithoutData++;
  }
  return { hoursWithData: starts.size, closedWithData, openWithoutData };
}

describe('FXCM EUR/USD hours 2007-2018 against the FX calendar', () => {
  let starts: Set<number>;
  let fx: Tally;
  let noHolidays: Tally;
  beforeAll(() => {
    starts = readLeanHourStarts(HOURLY, -5 * HOUR);
    fx = tally(calendarFor('EUR/USD'), starts);
    const p = calendarFor('EUR/USD').profile;
    noHolidays = tally(new TradingCalendar({ ...p, closures: [], holidayRules: [] }), starts);
    process.stdout.write(
      `FXCM EUR/USD hourly ${iso(Math.min(...starts))} .. ${iso(Math.max(...starts))}: ` +
        `${fx.hoursWithData} hours with data; closed with data ${fx.closedWithData.length}; ` +
        `open without data ${fx.openWithoutData} (no holidays: ${noHolidays.openWithoutData})\n`,
    );
  });

  it('the file is present', () => {
    expect(existsSync(HOURLY)).toBe(true);
  });

  it('every hour with data is open, except Sunday pre-open quotes and the documented late prints', () => {
    const fx0 = calendarFor('EUR/USD');
    const unexplained = fx.closedWithData.filter((t) => {
      // A quote on the Sunday (UTC) of a weekly open, before that open.
      const next = fx0.nextOpen(t);
      const sundayPreOpen =
        new Date(t).getUTCDay() === 0 && new Date(next).getUTCDay() === 0 && next - t < 24 * HOUR;
      return !sundayPreOpen && !LATE_PRINTS.includes(iso(t));
    });
    expect(unexplained.map(iso)).toEqual([]);
    // The late prints are real: each is the hour that starts at a Friday close.
    for (const t of LATE_PRINTS.map(Date.parse)) {
      expect(fx.closedWithData).toContain(t);
      expect(fx0.nextPause(t - HOUR)).toBe(t);
    }
  });

  it('open hours without data stay within 1,449 (a calendar without holidays leaves 1,929)', () => {
    expect(noHolidays.openWithoutData).toBe(1929);
    expect(fx.openWithoutData).toBeLessThanOrEqual(1449);
  });

  it('the holiday rules close no hour that has data', () => {
    const extra = fx.closedWithData.filter((t) => !noHolidays.closedWithData.includes(t));
    expect(extra.map(iso)).toEqual([]);
  });
});
