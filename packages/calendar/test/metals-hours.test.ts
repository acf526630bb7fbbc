/**
 * Metals hours. The FXCM profile follows Lean's `Cfd-fxcm-XAUUSD` times and the 23:01 first
 * minute of FXCM's XAU/USD data, kept in New York time; OANDA's XAU/USD hourly file is the
 * evidence that the gold daily break moves with US DST (docs/calendar.md, "Metals hours and DST").
 */
import { resolve } from 'node:path';
import { calendarFor, defaultCalendarBook } from '../src';
import { readLeanHourStarts } from './support/lean-hourly';

const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const ms = Date.parse;
const HOUR = 3_600_000;
const xau = calendarFor('XAU/USD');

describe('the FXCM metals profile', () => {
  it('answers 23:01 UTC as the next open for Sunday 2026-01-25 20:06 UTC', () => {
    expect(xau.id).toBe('fxcm_metals');
    expect(iso(xau.nextOpen(ms('2026-01-25T20:06:00Z')))).toBe('2026-01-25T23:01:00Z');
  });

  it('winter: break 22:00-23:01 UTC Monday to Thursday, Friday close 21:45 UTC', () => {
    expect(xau.openIntervals(ms('2026-01-26T21:00:00Z'), ms('2026-01-27T00:00:00Z'))).toEqual([
      { start: ms('2026-01-26T21:00:00Z'), end: ms('2026-01-26T22:00:00Z') },
      { start: ms('2026-01-26T23:01:00Z'), end: ms('2026-01-27T00:00:00Z') },
    ]);
    expect(iso(xau.nextPause(ms('2026-01-30T12:00:00Z')))).toBe('2026-01-30T21:45:00Z');
  });

  it('summer: the same New York times, one hour earlier in UTC', () => {
    expect(iso(xau.nextOpen(ms('2026-07-19T12:00:00Z')))).toBe('2026-07-19T22:01:00Z');
    expect(iso(xau.nextPause(ms('2026-07-20T12:00:00Z')))).toBe('2026-07-20T21:00:00Z');
    expect(iso(xau.nextPause(ms('2026-07-24T12:00:00Z')))).toBe('2026-07-24T20:45:00Z');
  });
});

describe("OANDA's gold: the daily break follows US DST", () => {
  const OANDA = resolve(
    __dirname,
    '../../../../shared/fxcm-data/lean-2014-05/oanda/cfd/hour/xauusd.zip',
  );
  const oanda = defaultCalendarBook().calendar('oanda_metals');
  let starts: Set<number>;
  beforeAll(() => {
    starts = readLeanHourStarts(OANDA, 0); // Lean: Cfd-oanda data time zone is UTC
  });

  /** Tuesday-Thursday bars of 2016-2018 at a UTC hour, split by US DST. */
  function barsAt(hourUtc: number): { est: number; edt: number; days: number } {
    let est = 0;
    let edt = 0;
    let days = 0;
    for (let d = Date.UTC(2016, 0, 5); d < Date.UTC(2018, 6, 1); d += 24 * HOUR) {
      const wd = new Date(d).getUTCDay();
      if (wd < 2 || wd > 4) continue;
      days++;
      // 17:00 New York is 22:00Z under EST and 21:00Z under EDT.
      const summer = oanda.tradingDayStart(d + 12 * HOUR) === d - 3 * HOUR;
      if (!starts.has(d + hourUtc * HOUR)) continue;
      if (summer) edt++;
      else est++;
    }
    return { est, edt, days };
  }

  it('no 22:00Z bar under EST and no 21:00Z bar under EDT; both hours trade in the other season', () => {
    const h22 = barsAt(22);
    const h21 = barsAt(21);
    process.stdout.write(
      `OANDA XAU/USD Tue-Thu 2016-01..2018-06 (${h22.days} days): 22:00Z bars EST ${h22.est} EDT ${h22.edt}; 21:00Z bars EST ${h21.est} EDT ${h21.edt}\n`,
    );
    expect(h22.est).toBe(0);
    expect(h21.edt).toBe(0);
    expect(h22.edt).toBeGreaterThan(200);
    expect(h21.est).toBeGreaterThan(100);
  });

  it('the OANDA profile closes exactly those hours (Lean Cfd-oanda-XAUUSD, New York)', () => {
    expect(oanda.openMinutes(ms('2017-01-10T22:00:00Z'), ms('2017-01-10T23:00:00Z'))).toBe(0);
    expect(oanda.openMinutes(ms('2017-07-11T21:00:00Z'), ms('2017-07-11T22:00:00Z'))).toBe(0);
    expect(iso(oanda.nextOpen(ms('2017-07-11T21:00:00Z')))).toBe('2017-07-11T22:03:00Z');
    expect(iso(oanda.nextOpen(ms('2014-05-04T12:00:00Z')))).toBe('2014-05-04T22:03:00Z');
    expect(iso(oanda.nextPause(ms('2014-05-09T12:00:00Z')))).toBe('2014-05-09T20:58:00Z');
  });
});
