import { CalendarError, parseCalendarDocument, TradingCalendar } from '../src';
import {
  dayNumber,
  formatUtc,
  localTimeOf,
  parseIsoUtcInstant,
  parseTimeOfDay,
  zonedToUtc,
} from '../src/zoned-time';

const ms = (iso: string): number => Date.parse(iso);

describe('wall time → UTC across DST', () => {
  it.each([
    ['2025-03-09', '01:59', 'America/New_York', '2025-03-09T06:59:00Z'],
    ['2025-03-09', '03:00', 'America/New_York', '2025-03-09T07:00:00Z'],
    ['2025-03-09', '02:30', 'America/New_York', '2025-03-09T07:30:00Z'], // skipped: pushed past the gap
    ['2025-11-02', '01:30', 'America/New_York', '2025-11-02T05:30:00Z'], // repeated: the earlier one
    ['2025-11-02', '17:00', 'America/New_York', '2025-11-02T22:00:00Z'],
    ['2025-03-30', '01:30', 'Europe/London', '2025-03-30T01:30:00Z'], // skipped hour in London
    ['2025-10-26', '01:30', 'Europe/London', '2025-10-26T00:30:00Z'], // repeated hour in London
    ['2025-07-01', '08:00', 'Asia/Tokyo', '2025-06-30T23:00:00Z'],
  ])('%s %s %s → %s', (date, time, zone, want) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    expect(formatUtc(zonedToUtc(dayNumber(y, m, d), parseTimeOfDay(time) ?? -1, zone))).toBe(want);
  });

  it('reads local time back', () => {
    expect(localTimeOf(ms('2025-07-01T23:30:00Z'), 'Asia/Tokyo')).toEqual({
      day: dayNumber(2025, 7, 2),
      minute: 8 * 60 + 30,
    });
    expect(localTimeOf(ms('2025-11-02T05:30:00Z'), 'America/New_York')).toEqual({
      day: dayNumber(2025, 11, 2),
      minute: 90,
    });
  });

  it('parses only well-formed times and UTC instants', () => {
    expect([parseTimeOfDay('23:59'), parseTimeOfDay('24:00'), parseTimeOfDay('9:00')]).toEqual([
      1439,
      undefined,
      undefined,
    ]);
    expect(parseIsoUtcInstant('2025-12-26T21:30:00Z')).toBe(ms('2025-12-26T21:30:00Z'));
    expect(parseIsoUtcInstant('2025-12-26T21:30Z')).toBe(ms('2025-12-26T21:30:00Z'));
    expect([
      parseIsoUtcInstant('2025-12-26T21:30:00+01:00'),
      parseIsoUtcInstant('2025-02-29T00:00:00Z'),
    ]).toEqual([undefined, undefined]);
  });
});

/** A one-profile document in the project format with the given overrides. */
function calendar(
  profile: Record<string, unknown>,
  sessionWindows: unknown[] = [],
): TradingCalendar {
  return parseCalendarDocument(
    {
      version: 1,
      default_profile: 'p',
      symbol_profiles: {},
      session_windows: sessionWindows,
      profiles: [
        {
          id: 'p',
          description: 'test profile',
          source: 'test',
          tz: 'America/New_York',
          weekly_open: { day: 'sun', time: '17:00' },
          weekly_close: { day: 'fri', time: '17:00' },
          trading_day_roll: '17:00',
          daily_breaks: [],
          closed_intervals_utc: [],
          ...profile,
        },
      ],
    },
    'test',
  ).calendar('p');
}

describe('profile rules', () => {
  it('weekly_close.lead_minutes closes the week earlier', () => {
    const cal = calendar({ weekly_close: { day: 'fri', time: '17:00', lead_minutes: 15 } });
    expect(formatUtc(cal.nextPause(ms('2026-01-07T12:00:00Z')))).toBe('2026-01-09T21:45:00Z');
  });

  it('a daily break may cross local midnight', () => {
    const cal = calendar({
      daily_breaks: [{ start: '23:30', end: '00:15', days: ['mon', 'tue', 'wed', 'thu'] }],
    });
    expect(
      cal
        .closedIntervals(ms('2026-01-06T00:00:00Z'), ms('2026-01-07T00:00:00Z'))
        .map((s) => [formatUtc(s.start), formatUtc(s.end)]),
    ).toEqual([['2026-01-06T04:30:00Z', '2026-01-06T05:15:00Z']]);
  });

  it('a daily break in its own zone follows that zone', () => {
    const cal = calendar({
      daily_breaks: [{ start: '07:00', end: '07:30', tz: 'Europe/London', days: ['tue'] }],
    });
    expect(cal.isOpen(ms('2025-03-25T07:10:00Z'))).toBe(false); // GMT
    expect(cal.isOpen(ms('2025-04-01T06:10:00Z'))).toBe(false); // BST
    expect(cal.isOpen(ms('2025-04-01T07:10:00Z'))).toBe(true);
  });

  it('session windows may cross midnight and the first match wins', () => {
    const cal = calendar({}, [
      { tag: 'LATE', name: 'Late', start: '22:00', end: '02:00', tz: 'UTC' },
      { tag: 'ALL', name: 'All', start: '00:00', end: '23:59', tz: 'UTC' },
    ]);
    expect(cal.session(ms('2026-01-06T01:00:00Z'))).toEqual({
      tag: 'LATE',
      name: 'Late',
      timeZone: 'UTC',
      openMs: ms('2026-01-05T22:00:00Z'),
      closeMs: ms('2026-01-06T02:00:00Z'),
    });
    expect(cal.session(ms('2026-01-06T03:00:00Z'))?.tag).toBe('ALL');
  });

  it('a closure spanning a week edge keeps nextPause and nextOpen continuous', () => {
    const cal = calendar({
      closed_intervals_utc: [
        {
          kind: 'closed',
          name: 'two weeks',
          source: 'test',
          start: '2026-01-07T12:00:00Z',
          end: '2026-01-21T12:00:00Z',
        },
      ],
    });
    expect(formatUtc(cal.nextOpen(ms('2026-01-10T00:00:00Z')))).toBe('2026-01-21T12:00:00Z');
    expect(formatUtc(cal.nextPause(ms('2026-01-10T00:00:00Z')))).toBe('2026-01-23T22:00:00Z');
    expect(
      cal
        .closedIntervals(ms('2026-01-07T00:00:00Z'), ms('2026-01-22T00:00:00Z'))
        .map((s) => s.causes),
    ).toEqual([['weekend', 'closure']]);
  });

  it('a profile built in code that never pauses is reported, not looped on', () => {
    const always = new TradingCalendar({
      id: 'always',
      description: 'open all week',
      timeZone: 'UTC',
      weeklyOpen: { weekday: 0, minute: 0, timeZone: 'UTC' },
      weeklyClose: { weekday: 0, minute: 0, timeZone: 'UTC' },
      dailyBreaks: [],
      tradingDayRollMinute: 0,
      closures: [],
      sessionWindows: [],
    });
    expect(always.isOpen(ms('2026-01-10T12:00:00Z'))).toBe(true);
    expect(() => always.nextPause(ms('2026-01-10T12:00:00Z'))).toThrow(CalendarError);
  });
});
