import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCalendarBook, parseCalendarDocument, TradingCalendar } from '../src';
import { referenceIsOpen, newYorkTime } from './support/reference-rules';
import { randomInt, seededRandom } from './support/seeded-random';

const MIN = 60_000;
const DAY = 86_400_000;
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

// The SSOT profiles plus the profiles loaded from the V1 and V2 reference files.
const calendars: [string, TradingCalendar][] = [
  ['fxcm_fx', defaultCalendarBook().calendar('fxcm_fx')],
  ['fxcm_metals', defaultCalendarBook().calendar('fxcm_metals')],
  [
    'v1 production',
    parseCalendarDocument(fixture('v1-production-overrides.json'), 'v1').calendar('v1_overrides'),
  ],
  [
    'v2 ny',
    parseCalendarDocument(fixture('v2-calendar-profiles.json'), 'v2').calendar(
      'fxcm_calendar_v1_ny',
    ),
  ],
  [
    'v2 utc',
    parseCalendarDocument(fixture('v2-calendar-profiles.json'), 'v2').calendar(
      'fxcm_calendar_v1_utc_overrides',
    ),
  ],
];

const LO = Date.UTC(2024, 5, 1);
const HI = Date.UTC(2028, 5, 1);
const ceilMinute = (t: number): number => Math.ceil(t / MIN) * MIN;

describe.each(calendars)('properties of %s', (_name, cal) => {
  it('nextOpen(t) is open, not before t, and no open minute lies between t and it', () => {
    const rand = seededRandom(1);
    for (let i = 0; i < 1500; i++) {
      const t = randomInt(rand, LO, HI);
      const n = cal.nextOpen(t);
      expect(n).toBeGreaterThanOrEqual(t);
      expect(cal.isOpen(n)).toBe(true);
      if (n > t) expect(cal.isOpen(n - 1)).toBe(false);
      for (let m = ceilMinute(t); m < n; m += MIN) {
        if (cal.isOpen(m))
          throw new Error(
            `open minute ${new Date(m).toISOString()} before nextOpen(${new Date(t).toISOString()})`,
          );
      }
    }
  });

  it('startOfLastOpenMinutes(to, n) opens a window of exactly n open minutes, the first open', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 400; i++) {
      const to = randomInt(rand, LO, HI);
      const n = randomInt(rand, 1, 12_000);
      const floor = to - 21 * DAY;
      const start = cal.startOfLastOpenMinutes(to, n, floor);
      if (start === floor) {
        expect(cal.openMinutes(floor, to)).toBeLessThanOrEqual(n);
        continue;
      }
      expect(cal.openMinutes(start, to)).toBe(n);
      expect(cal.isOpen(start)).toBe(true);
      expect(start % MIN).toBe(0);
    }
  });

  it('nextPause(t) is after t, trading is continuous until it, and closed at it', () => {
    const rand = seededRandom(2);
    for (let i = 0; i < 1500; i++) {
      const t = randomInt(rand, LO, HI);
      const p = cal.nextPause(t);
      expect(p).toBeGreaterThan(t);
      expect(cal.isOpen(p)).toBe(false);
      const from = cal.nextOpen(t);
      expect(cal.openMinutes(from, p)).toBe(Math.ceil(p / MIN) - Math.ceil(from / MIN));
    }
  });

  it('isOpen is false inside every closed interval and true right after it', () => {
    const rand = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const from = randomInt(rand, LO, HI);
      const to = from + randomInt(rand, 1, 10 * DAY);
      for (const span of cal.closedIntervals(from, to)) {
        expect(span.end).toBeGreaterThan(span.start);
        for (const t of [span.start, span.end - 1, randomInt(rand, span.start, span.end)])
          expect(cal.isOpen(t)).toBe(false);
        if (span.end < to) expect(cal.isOpen(span.end)).toBe(true);
      }
    }
  });

  it('every minute inside every explicit closure is closed', () => {
    for (const c of cal.profile.closures) {
      for (let m = ceilMinute(c.startMs); m < c.endMs; m += MIN) {
        if (cal.isOpen(m)) throw new Error(`${c.name}: open at ${new Date(m).toISOString()}`);
      }
    }
  });

  it('openMinutes and eachOpenMinute agree with isOpen minute by minute', () => {
    const rand = seededRandom(4);
    for (let i = 0; i < 60; i++) {
      const from = randomInt(rand, LO, HI);
      const to = from + randomInt(rand, 0, 9 * DAY);
      const expected: number[] = [];
      for (let m = ceilMinute(from); m < to; m += MIN) if (cal.isOpen(m)) expected.push(m);
      expect(cal.openMinutes(from, to)).toBe(expected.length);
      expect([...cal.eachOpenMinute(from, to)]).toEqual(expected);
    }
  });

  it('open and closed spans tile the range', () => {
    const rand = seededRandom(5);
    for (let i = 0; i < 100; i++) {
      const from = randomInt(rand, LO, HI);
      const to = from + randomInt(rand, 1, 20 * DAY);
      const all = [...cal.openIntervals(from, to), ...cal.closedIntervals(from, to)].sort(
        (a, b) => a.start - b.start,
      );
      expect(all[0]?.start).toBe(from);
      expect(all[all.length - 1]?.end).toBe(to);
      for (let k = 1; k < all.length; k++) expect(all[k]?.start).toBe(all[k - 1]?.end);
    }
  });

  it('tradingDayStart(t) <= t < nextTradingDayStart(t), 23 to 25 hours apart', () => {
    const rand = seededRandom(6);
    for (let i = 0; i < 2000; i++) {
      const t = randomInt(rand, LO, HI);
      const s = cal.tradingDayStart(t);
      const e = cal.nextTradingDayStart(t);
      expect(s).toBeLessThanOrEqual(t);
      expect(e).toBeGreaterThan(t);
      expect([23, 24, 25]).toContain((e - s) / 3_600_000);
      expect(cal.tradingDayStart(s)).toBe(s);
    }
  });
});

describe('the SSOT profiles agree with a from-scratch statement of their rules', () => {
  it.each(['fxcm_fx', 'fxcm_metals'] as const)(
    '%s: every minute of 2025 through 2027',
    (profile) => {
      const cal = defaultCalendarBook().calendar(profile);
      const from = Date.UTC(2025, 0, 1);
      const to = Date.UTC(2028, 0, 8);
      let mismatches = 0;
      let open = 0;
      for (let m = from; m < to; m += MIN) {
        const want = referenceIsOpen(profile, m);
        if (cal.isOpen(m) !== want && mismatches++ < 5)
          console.error(profile, new Date(m).toISOString(), 'expected', want);
        if (want) open++;
      }
      expect(mismatches).toBe(0);
      expect(cal.openMinutes(from, to)).toBe(open);
    },
  );

  it('trading days start at 17:00 New York all year round', () => {
    const cal = defaultCalendarBook().calendar('fxcm_fx');
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2028, 0, 1); t += 7 * 3_600_000) {
      expect(newYorkTime(cal.tradingDayStart(t)).minute).toBe(17 * 60);
    }
  });
});
