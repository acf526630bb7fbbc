/**
 * The FX profile against real FXCM EUR/USD ticks (May 2014): every tick between Sunday's open
 * and Friday's close falls in an open minute, the Sunday indicative quotes before the open are
 * classified outside the session, and the first and last ticks of each week sit within minutes
 * of the calendar's open and close.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calendarFor } from '../src';
import facts from './fixtures/eurusd-2014-05-weeks.json';
import { readM1OpenTimes, readTickArchive } from './support/fxcm-tick-archive';

const DATA_DIR = resolve(__dirname, '../../../../shared/fxcm-data/eurusd-2014-05');
const MIN = 60_000;
const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();
const fx = calendarFor('EUR/USD');

it('the real data is present beside the project', () => {
  expect(existsSync(join(DATA_DIR, 'EURUSD_20140504_ticks.csv.gz'))).toBe(true);
});

describe.each(facts.weeks)('$label', (week) => {
  const open = ms(week.open);
  const close = ms(week.close);

  it('the calendar opens and closes the week at 17:00 New York', () => {
    const saturdayBefore = open - 2 * 86_400_000;
    expect(iso(fx.nextOpen(saturdayBefore))).toBe(iso(open));
    expect(iso(fx.nextPause(open))).toBe(iso(close));
    expect(fx.openMinutes(open, close)).toBe(5 * 24 * 60);
  });

  let all: number[] = [];
  beforeAll(() => {
    all = week.days.flatMap((d) =>
      Array.from(readTickArchive(join(DATA_DIR, `EURUSD_${d}_ticks.csv.gz`)).ts),
    );
  });

  it('holds the expected number of ticks, in time order', () => {
    expect(all).toHaveLength(week.ticks);
    for (let i = 1; i < all.length; i++)
      if (all[i]! < all[i - 1]!) throw new Error(`tick ${i} out of order`);
  });

  it('every tick between the open and the close is in an open minute', () => {
    const inSession = all.filter((t) => t >= open && t < close);
    const closedTicks = inSession.filter(
      (t) => !fx.isOpen(t) || !fx.isOpen(Math.floor(t / MIN) * MIN),
    );
    expect(closedTicks.map(iso)).toEqual([]);
    expect(inSession.length).toBe(week.ticks - week.indicativeTicks);
  });

  it('the indicative Sunday quotes before the open are classified outside the session', () => {
    const outside = all.filter((t) => !fx.isOpen(t));
    expect(outside).toHaveLength(week.indicativeTicks);
    expect(outside.every((t) => t < open)).toBe(true);
    if (week.indicativeTicks > 0) {
      expect([iso(outside[0]!), iso(outside[outside.length - 1]!)]).toEqual([
        week.firstIndicativeTick,
        week.lastIndicativeTick,
      ]);
      expect(fx.marketStatus(outside[0]!).nextOpenMs).toBe(open);
    }
  });

  it('the first and last ticks sit within minutes of the open and close', () => {
    const first = all.find((t) => fx.isOpen(t));
    const last = all[all.length - 1]!;
    expect(iso(first!)).toBe(week.firstInSessionTick);
    expect(iso(last)).toBe(week.lastTick);
    if (week.openInData) expect(first! - open).toBeLessThan(5 * MIN);
    if (week.closeInData) expect(close - last).toBeLessThan(5 * MIN);
    expect(last).toBeLessThan(close);
  });

  it('every reference 1m bar inside the session is an open minute; the Sunday pre-open bars are not', () => {
    const bars = week.days.flatMap((d) => readM1OpenTimes(join(DATA_DIR, `EURUSD_${d}_m1.csv`)));
    expect(bars.filter((t) => !fx.isOpen(t))).toHaveLength(week.indicativeBars);
    expect(bars.filter((t) => t >= open && t < close && !fx.isOpen(t))).toEqual([]);
    expect(bars.filter((t) => t >= open && t < close).length).toBeLessThanOrEqual(
      fx.openMinutes(open, close),
    );
  });
});
