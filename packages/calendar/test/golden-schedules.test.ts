import { calendarFor, defaultCalendarBook, stateDetail, type TradingCalendar } from '../src';
import closures from './fixtures/golden-closures.json';
import instants from './fixtures/golden-instants.json';
import golden from './fixtures/golden-weeks.json';

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad ISO in fixture: ${iso}`);
  return t;
};
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const calendar = (profile: string): TradingCalendar => defaultCalendarBook().calendar(profile);

describe('symbol → profile mapping', () => {
  it.each([
    ['XAUUSD', 'fxcm_metals'],
    ['XAU/USD', 'fxcm_metals'],
    ['xag/usd', 'fxcm_metals'],
    ['XAG_USD', 'fxcm_metals'],
    ['EUR/USD', 'fxcm_fx'],
    ['GBPJPY', 'fxcm_fx'],
    ['US30', 'fxcm_fx'],
  ])('%s uses %s', (symbol, profile) => {
    expect(calendarFor(symbol).id).toBe(profile);
  });

  it('shares one calendar object per profile', () => {
    expect(calendarFor('XAU/USD')).toBe(calendarFor('XAGUSD'));
  });
});

describe('golden weekly schedules (DST switches, holidays, normal weeks)', () => {
  for (const week of golden.weeks) {
    describe(`${week.profile}: ${week.label}`, () => {
      const cal = calendar(week.profile);
      const from = ms(week.from);
      const to = ms(week.to);
      const expected = week.open.map(([s, e]) => ({
        start: ms(s as string),
        end: ms(e as string),
      }));

      it('open spans match the table', () => {
        expect(cal.openIntervals(from, to).map((s) => [iso(s.start), iso(s.end)])).toEqual(
          week.open,
        );
      });

      it('isOpen flips exactly at each boundary', () => {
        for (const { start, end } of expected) {
          expect([
            cal.isOpen(start - 1),
            cal.isOpen(start),
            cal.isOpen(end - 1),
            cal.isOpen(end),
          ]).toEqual([false, true, true, false]);
        }
      });

      it('nextOpen and nextPause land on the table', () => {
        for (const { start, end } of expected) {
          expect(iso(cal.nextOpen(start - 60_000))).toBe(iso(start));
          expect(iso(cal.nextPause(start))).toBe(iso(end));
        }
      });

      it('openMinutes equals the minutes of the table', () => {
        const minutes = expected.reduce((n, s) => n + (s.end - s.start) / 60_000, 0);
        expect(cal.openMinutes(from, to)).toBe(minutes);
      });
    });
  }
});

describe('holiday and special closures resolve to the hand-written UTC spans', () => {
  it.each(['fxcm_fx', 'fxcm_metals'] as const)('%s', (profile) => {
    const [from, to] = closures.range.map(ms) as [number, number];
    const got = calendar(profile)
      .closuresIn(from, to)
      .map((c) => [iso(c.startMs), iso(c.endMs), c.kind]);
    expect(got).toEqual(closures[profile]);
  });

  it('every closure says where it comes from', () => {
    for (const id of defaultCalendarBook().profileIds()) {
      for (const c of calendar(id).closuresIn(
        ms('2000-01-01T00:00:00Z'),
        ms('2040-01-01T00:00:00Z'),
      )) {
        expect(c.source).toMatch(/V1 production overrides|recurring rule/);
        expect(c.name.length).toBeGreaterThan(0);
      }
    }
  });

  it('recurring rules make the holiday data reach the end of the supported range', () => {
    for (const id of ['fxcm_fx', 'fxcm_metals'])
      expect(iso(calendar(id).closuresCoverageEndMs ?? 0)).toBe('2200-01-01T00:00:00Z');
  });

  it('closedIntervals names the cause of each closed span', () => {
    const spans = calendar('fxcm_fx').closedIntervals(
      ms('2025-12-20T00:00:00Z'),
      ms('2025-12-27T00:00:00Z'),
    );
    expect(
      spans.map((s) => [iso(s.start), iso(s.end), s.causes, s.closures.map((c) => c.name)]),
    ).toEqual([
      ['2025-12-20T00:00:00Z', '2025-12-21T22:00:00Z', ['weekend'], []],
      [
        '2025-12-24T20:00:00Z',
        '2025-12-25T22:00:00Z',
        ['closure'],
        ['Christmas Eve early close 2025', 'Christmas Day 2025'],
      ],
      ['2025-12-26T22:00:00Z', '2025-12-27T00:00:00Z', ['weekend'], []],
    ]);
    const metals = calendar('fxcm_metals').closedIntervals(
      ms('2026-01-12T00:00:00Z'),
      ms('2026-01-13T00:00:00Z'),
    );
    expect(metals.map((s) => [iso(s.start), iso(s.end), s.causes])).toEqual([
      ['2026-01-12T22:00:00Z', '2026-01-12T23:01:00Z', ['daily_break']],
    ]);
  });
});

describe('golden instants', () => {
  it.each(instants.nextOpen)('nextOpen $profile at $at: $why', ({ profile, at, expect: want }) => {
    expect(iso(calendar(profile).nextOpen(ms(at)))).toBe(want);
  });

  it.each(instants.nextPause)(
    'nextPause $profile at $at: $why',
    ({ profile, at, expect: want }) => {
      expect(iso(calendar(profile).nextPause(ms(at)))).toBe(want);
    },
  );

  it.each(instants.tradingDayStart)(
    'tradingDayStart $profile at $at',
    ({ profile, at, expect: want }) => {
      expect(iso(calendar(profile).tradingDayStart(ms(at)))).toBe(want);
      expect(calendar(profile).nextTradingDayStart(ms(at)) - ms(want)).toBe(24 * 3600_000);
    },
  );

  it.each(instants.bucket4h)('4h bucket $profile at $at: $why', ({ profile, at, expect: want }) => {
    expect(iso(calendar(profile).anchoredBucketStart(ms(at), 4 * 3600_000))).toBe(want);
  });

  it.each(instants.sessions)('session at $at is $tag', ({ at, tag, open, close }) => {
    for (const profile of ['fxcm_fx', 'fxcm_metals']) {
      const s = calendar(profile).session(ms(at));
      if (tag === null) {
        expect(s).toBeNull();
      } else {
        expect(s && { tag: s.tag, open: iso(s.openMs), close: iso(s.closeMs) }).toEqual({
          tag,
          open,
          close,
        });
      }
    }
  });

  it.each(instants.stateDetail)(
    'marketStatus $profile at $at → $expect ($why)',
    ({ profile, at, expect: want }) => {
      expect(calendar(profile).marketStatus(ms(at)).stateDetail).toBe(want);
    },
  );
});

describe('stateDetail thresholds (V1)', () => {
  it.each([
    [36 * 3600, 'weekend'],
    [36 * 3600 - 1, 'overnight'],
    [6 * 3600, 'overnight'],
    [6 * 3600 - 1, 'intrabreak'],
    [0, 'intrabreak'],
  ])('%d s → %s', (seconds, want) => {
    expect(stateDetail(seconds)).toBe(want);
  });
});

describe('marketStatus', () => {
  it('reports a metals daily break in full', () => {
    const at = ms('2026-01-20T22:30:00Z');
    expect(calendarFor('XAUUSD').marketStatus(at)).toEqual({
      open: false,
      nextOpenMs: ms('2026-01-20T23:01:00Z'),
      nextPauseMs: ms('2026-01-21T22:00:00Z'),
      secondsToNextOpen: 1860,
      stateDetail: 'intrabreak',
      tradingDayStartMs: ms('2026-01-20T22:00:00Z'),
      session: null,
    });
  });
});
