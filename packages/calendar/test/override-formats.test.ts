import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  detectCalendarFormat,
  loadCalendarFile,
  parseCalendarDocument,
  parseV1Overrides,
  parseV2Profiles,
  type TradingCalendar,
} from '../src';

const MIN = 60_000;
const fixturePath = (name: string): string => join(__dirname, 'fixtures', name);
const fixture = (name: string): unknown => JSON.parse(readFileSync(fixturePath(name), 'utf8'));
const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

const v1 = loadCalendarFile(fixturePath('v1-production-overrides.json')).calendar('v1_overrides');
const v2 = loadCalendarFile(fixturePath('v2-calendar-profiles.json'));
const v2Utc = v2.calendar('fxcm_calendar_v1_utc_overrides');
const v2Ny = v2.calendar('fxcm_calendar_v1_ny');
const ssot = loadCalendarFile(fixturePath('ssot-equivalents.json'));
const ssotUtc = ssot.calendar('utc_equivalent');
const ssotNy = ssot.calendar('ny_equivalent');

// The closures run through 2026-01-02; cover a full year around them plus DST switches.
const FROM = ms('2024-12-28T00:00:00Z');
const TO = ms('2026-02-07T00:00:00Z');

function expectSameAnswers(a: TradingCalendar, b: TradingCalendar): void {
  expect(a.openIntervals(FROM, TO)).toEqual(b.openIntervals(FROM, TO));
  let differ = 0;
  for (let m = FROM; m < TO; m += MIN) if (a.isOpen(m) !== b.isOpen(m)) differ++;
  expect(differ).toBe(0);
  for (let t = FROM; t < TO; t += 7 * MIN + 13_000) {
    if (
      a.nextOpen(t) !== b.nextOpen(t) ||
      a.nextPause(t) !== b.nextPause(t) ||
      a.tradingDayStart(t) !== b.tradingDayStart(t)
    ) {
      throw new Error(`answers differ at ${iso(t)}`);
    }
  }
  expect(a.openMinutes(FROM, TO)).toBe(b.openMinutes(FROM, TO));
}

describe('format detection', () => {
  it('recognises the three formats', () => {
    expect(detectCalendarFormat(fixture('v1-production-overrides.json'))).toBe('v1');
    expect(detectCalendarFormat(fixture('v2-calendar-profiles.json'))).toBe('v2');
    expect(detectCalendarFormat(fixture('ssot-equivalents.json'))).toBe('ssot');
  });
});

describe('V1 production overrides, V2 UTC profile and the project format give the same answers', () => {
  it('V1 calendar_overrides.json ≡ V2 fxcm_calendar_v1_utc_overrides', () =>
    expectSameAnswers(v1, v2Utc));
  it('V1 calendar_overrides.json ≡ the same rules in the project format', () =>
    expectSameAnswers(v1, ssotUtc));
  it('V2 fxcm_calendar_v1_ny ≡ the same rules in the project format', () =>
    expectSameAnswers(v2Ny, ssotNy));

  it('all three carry the 12 closed intervals', () => {
    for (const c of [v1, v2Utc, v2Ny, ssotUtc, ssotNy]) expect(c.profile.closures).toHaveLength(12);
    expect(iso(v2Utc.closuresCoverageEndMs ?? 0)).toBe('2026-01-02T06:31:00Z');
  });

  it('V1 session windows answer like the SSOT ones', () => {
    for (let t = ms('2025-01-01T00:00:00Z'); t < ms('2026-01-01T00:00:00Z'); t += 37 * MIN) {
      expect(v1.session(t)).toEqual(ssotUtc.session(t));
    }
    expect(v1.profile.sessionWindows.map((w) => [w.tag, w.name])).toEqual([
      ['TOKYO_METALS', 'Tokyo'],
      ['LDN_METALS', 'London'],
      ['NY_METALS', 'New York'],
    ]);
  });
});

describe('the V2 exit gates hold for both loaded formats', () => {
  it.each([
    ['v1', v1],
    ['v2 utc', v2Utc],
  ])('%s: XAU next open after the weekend and after the break is 23:01 UTC', (_n, cal) => {
    expect(iso(cal.nextOpen(ms('2026-01-25T20:06:00Z')))).toBe('2026-01-25T23:01:00Z');
    expect(iso(cal.nextOpen(ms('2026-01-20T22:06:00Z')))).toBe('2026-01-20T23:01:00Z');
  });

  it.each([
    ['v2 ny', () => v2Ny, '2026-01-09T22:01:00Z', '2026-01-11T22:01:00Z'],
    ['v2 utc', () => v2Utc, '2026-01-09T21:46:00Z', '2026-01-11T23:02:00Z'],
    ['v1', () => v1, '2026-01-09T21:46:00Z', '2026-01-11T23:02:00Z'],
  ])(
    '%s: schedule drift gate (break, Friday close, Sunday open)',
    (_n, cal, afterClose, afterOpen) => {
      expect(cal().isOpen(ms('2026-01-07T21:59:00Z'))).toBe(true);
      expect(cal().isOpen(ms('2026-01-07T22:01:00Z'))).toBe(false);
      expect(cal().isOpen(ms(afterClose))).toBe(false);
      expect(cal().isOpen(ms(afterOpen))).toBe(true);
    },
  );

  it('V2 1d boundary is the daily break start (22:00 UTC in the UTC profile)', () => {
    expect(iso(v2Utc.tradingDayStart(ms('2026-01-07T12:00:00Z')))).toBe('2026-01-06T22:00:00Z');
  });
});

describe('V1 spellings and defaults', () => {
  const base = {
    weekly_open_utc: '23:01@UTC',
    weekly_close_utc: '21:45@UTC',
    holidays: ['2025-12-25'],
  };

  it('the three daily_breaks spellings and zone aliases load the same break', () => {
    const spellings: unknown[] = [
      '22:00-23:01@UTC',
      ['22:00', '23:01', 'UTC'],
      { start: '22:00', end: '23:01', tz: 'utc' },
      ['22:00', '23:01'],
    ];
    const calendars = spellings.map((s) =>
      parseCalendarDocument({ ...base, daily_breaks: [s] }, 'spelling').calendar('v1_overrides'),
    );
    const first = calendars[0];
    for (const c of calendars.slice(1))
      expect(c?.openIntervals(FROM, TO)).toEqual(first?.openIntervals(FROM, TO));
    expect(first?.isOpen(ms('2025-06-10T22:30:00Z'))).toBe(false);
  });

  it('breaks and weekly times in a named zone follow its DST', () => {
    const p = parseV1Overrides(
      {
        weekly_open_utc: '18:00@ny',
        weekly_close_utc: '17:00@America/New_York',
        daily_breaks: ['17:00-18:00@est'],
        holidays: [],
      },
      'ny',
    );
    expect(p.dailyBreaks[0]?.timeZone).toBe('America/New_York');
    const cal = parseCalendarDocument(
      {
        weekly_open_utc: '18:00@ny',
        weekly_close_utc: '17:00@ny',
        daily_breaks: ['17:00-18:00@ny'],
        holidays: [],
      },
      'ny',
    ).calendar('v1_overrides');
    expect(cal.isOpen(ms('2025-07-01T21:30:00Z'))).toBe(false); // 17:30 EDT
    expect(cal.isOpen(ms('2025-01-07T21:30:00Z'))).toBe(true); // 16:30 EST
    expect(cal.isOpen(ms('2025-01-07T22:30:00Z'))).toBe(false); // 17:30 EST
  });

  it('absent keys keep the V1 defaults (Sun 18:00 → Fri 16:55 New York, break 17:00-18:00, 2025 holidays)', () => {
    const cal = parseCalendarDocument({}, 'empty').calendar('v1_overrides');
    expect(cal.profile.closures).toHaveLength(9);
    expect(iso(cal.nextOpen(ms('2025-03-08T12:00:00Z')))).toBe('2025-03-09T22:00:00Z');
    expect(iso(cal.nextPause(ms('2025-03-14T12:00:00Z')))).toBe('2025-03-14T20:55:00Z');
    expect(cal.isOpen(ms('2025-11-27T12:00:00Z'))).toBe(false); // Thanksgiving, full UTC day
  });

  it('a V1 daily break applies on every day, a V2 break only Monday to Thursday', () => {
    const v1Ny = parseCalendarDocument(
      {
        weekly_open_utc: '17:00@ny',
        weekly_close_utc: '17:00@ny',
        daily_breaks: ['17:00-17:05@ny'],
        holidays: [],
      },
      'v1',
    ).calendar('v1_overrides');
    const sundayOpen = ms('2026-01-11T22:01:00Z');
    expect(v1Ny.isOpen(sundayOpen)).toBe(false);
    expect(v2Ny.isOpen(sundayOpen)).toBe(true);
  });

  it('V2 aliases (recurrence_tz, weekly_*_local, daily_break_local) load like the canonical keys', () => {
    const [aliased] = parseV2Profiles(
      [
        {
          calendar_tag: 'aliased',
          recurrence_tz: 'America/New_York',
          weekly_open_local: '17:00',
          weekly_close_local: '17:00',
          daily_break_local: { start: '17:00', end: '17:05' },
          closed_intervals_utc: [],
        },
      ],
      'aliases',
    );
    const [canonical] = parseV2Profiles(
      [
        {
          calendar_tag: 'canonical',
          tz_name: 'America/New_York',
          weekly_open: '17:00',
          weekly_close: '17:00',
          daily_break_start: '17:00',
          daily_break_minutes: 5,
        },
      ],
      'canonical',
    );
    expect({ ...aliased, id: '', description: '' }).toEqual({
      ...canonical,
      id: '',
      description: '',
    });
  });
});
