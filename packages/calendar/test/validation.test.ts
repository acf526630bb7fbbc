import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CalendarBook,
  CalendarError,
  calendarFor,
  DEFAULT_CALENDAR_FILE,
  loadCalendarFile,
  parseCalendarDocument,
  parseSsotDocument,
  parseV1Overrides,
  parseV2Profiles,
} from '../src';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const ssotFixture = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'ssot-equivalents.json'), 'utf8'),
) as Json;
const v2Fixture = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'v2-calendar-profiles.json'), 'utf8'),
) as Json[];

function failure(fn: () => unknown): CalendarError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CalendarError) return err;
    throw err;
  }
  throw new Error('expected a CalendarError, nothing was thrown');
}

/** Applies `edit` to a copy of the SSOT-format fixture and returns the error. */
function ssotError(edit: (doc: { profiles: Json[] } & Json) => void): CalendarError {
  const doc = clone(ssotFixture) as { profiles: Json[] } & Json;
  edit(doc);
  return failure(() => parseSsotDocument(doc, 'test.json'));
}
const intervals = (doc: { profiles: Json[] }, p: number): Json[] =>
  doc.profiles[p]?.closed_intervals_utc as Json[];

describe('project (SSOT) format: malformed files fail with an error naming the entry', () => {
  it.each<[string, (doc: { profiles: Json[] } & Json) => void, string]>([
    [
      'start >= end',
      (d) =>
        Object.assign(intervals(d, 1)[3] ?? {}, {
          start: '2025-05-26T00:00:00Z',
          end: '2025-05-26T00:00:00Z',
        }),
      'profiles[1].closed_intervals_utc[3]: start >= end (2025-05-26T00:00:00Z >= 2025-05-26T00:00:00Z)',
    ],
    [
      'unsorted',
      (d) => intervals(d, 0).splice(0, 2, intervals(d, 0)[1] ?? {}, intervals(d, 0)[0] ?? {}),
      'profiles[0].closed_intervals_utc[1]: not sorted: starts 2025-01-01T00:00:00Z, before profiles[0].closed_intervals_utc[0] (2025-01-20T00:00:00Z)',
    ],
    [
      'overlap',
      (d) => Object.assign(intervals(d, 0)[1] ?? {}, { start: '2025-01-01T12:00:00Z' }),
      'profiles[0].closed_intervals_utc[1]: overlaps profiles[0].closed_intervals_utc[0], which ends 2025-01-02T00:00:00Z after this starts 2025-01-01T12:00:00Z',
    ],
    [
      'unknown zone',
      (d) => Object.assign(d.profiles[1] ?? {}, { tz: 'America/New_Yrok' }),
      'profiles[1].tz: unknown time zone "America/New_Yrok"',
    ],
    [
      'bad time of day',
      (d) => Object.assign(d.profiles[0] ?? {}, { weekly_open: { day: 'sun', time: '25:00' } }),
      'profiles[0].weekly_open.time: must be "HH:MM" (00:00-23:59), got "25:00"',
    ],
    [
      'bad weekday',
      (d) => Object.assign(d.profiles[0] ?? {}, { weekly_close: { day: 'friday', time: '17:00' } }),
      'profiles[0].weekly_close.day: must be one of',
    ],
    [
      'closure without source',
      (d) => delete intervals(d, 0)[2]?.source,
      'profiles[0].closed_intervals_utc[2]: missing required property "source"',
    ],
    [
      'misspelt key',
      (d) => Object.assign(d.profiles[0] ?? {}, { weekly_opn: {} }),
      'profiles[0]: unknown property "weekly_opn"',
    ],
    [
      'trading_day and start together',
      (d) => Object.assign(intervals(d, 0)[0] ?? {}, { trading_day: '2025-01-01' }),
      'profiles[0].closed_intervals_utc[0]: give either trading_day or start and end, not both',
    ],
    [
      'not a real date',
      (d) =>
        intervals(d, 0).splice(0, 1, {
          kind: 'holiday',
          name: 'x',
          source: 'y',
          trading_day: '2025-02-30',
        }),
      'profiles[0].closed_intervals_utc[0].trading_day: not a real date: "2025-02-30"',
    ],
    [
      'instant without Z',
      (d) => Object.assign(intervals(d, 0)[0] ?? {}, { start: '2025-01-01 00:00' }),
      'profiles[0].closed_intervals_utc[0].start: not an ISO UTC instant ending in Z: "2025-01-01 00:00"',
    ],
    [
      'symbol → unknown profile',
      (d) => Object.assign(d, { symbol_profiles: { XAUUSD: 'metals' } }),
      'symbol_profiles.XAUUSD: unknown profile "metals"',
    ],
    [
      'lower-case symbol key',
      (d) => Object.assign(d, { symbol_profiles: { xauusd: 'utc_equivalent' } }),
      'symbol_profiles.xauusd: bad key: must be a symbol in upper-case letters and digits, e.g. "XAUUSD"',
    ],
    [
      'unknown default',
      (d) => Object.assign(d, { default_profile: 'nope' }),
      'default_profile: unknown profile "nope"',
    ],
    [
      'duplicate id',
      (d) => Object.assign(d.profiles[1] ?? {}, { id: 'utc_equivalent' }),
      'profiles[1].id: duplicate id "utc_equivalent" (also profiles[0])',
    ],
    [
      'empty weekly window',
      (d) => Object.assign(d.profiles[1] ?? {}, { weekly_close: { day: 'sun', time: '17:00' } }),
      'profiles[1].weekly_close: the weekly window from weekly_open must last more than 0 and less than 7 days',
    ],
    [
      'break of zero length',
      (d) =>
        Object.assign(d.profiles[1] ?? {}, {
          daily_breaks: [{ start: '17:00', end: '17:00', days: ['mon'] }],
        }),
      'profiles[1].daily_breaks[0]: start equals end',
    ],
  ])('%s', (_name, edit, message) => {
    const err = ssotError(edit);
    expect(err.code).toBe('CALENDAR_INVALID');
    expect(err.message).toContain('test.json');
    expect(err.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    const err = ssotError((d) => {
      Object.assign(d.profiles[0] ?? {}, { tz: 'Nowhere/Land' });
      Object.assign(d, { default_profile: 'nope' });
    });
    expect(err.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['profiles[0].tz', 'default_profile']),
    );
  });
});

describe('V1 overrides: malformed files fail with an error naming the entry', () => {
  it.each<[string, Json, string]>([
    [
      'bad break spelling',
      { daily_breaks: ['22:00-23:01@UTC', '22:00/23:00'] },
      'daily_breaks[1]: expected "HH:MM-HH:MM@TZ", [start, end, tz] or {start, end, tz}, got "22:00/23:00"',
    ],
    [
      'bad break time',
      { daily_breaks: [['22:00', '24:30', 'UTC']] },
      'daily_breaks[0]: times must be "HH:MM" (00:00-23:59), got ["22:00","24:30","UTC"]',
    ],
    [
      'break array of 4',
      { daily_breaks: [['22:00', '23:00', 'UTC', 'x']] },
      'daily_breaks[0]: expected "HH:MM-HH:MM@TZ", [start, end, tz] or {start, end, tz}; an array needs 2 or 3 items, got 4',
    ],
    [
      'unknown break zone',
      { daily_breaks: [{ start: '22:00', end: '23:00', tz: 'Mars/Base' }] },
      'daily_breaks[0]: unknown time zone "Mars/Base"',
    ],
    [
      'bad weekly open',
      { weekly_open_utc: '23:61@UTC' },
      'weekly_open_utc: expected "HH:MM" or "HH:MM@TZ", got "23:61@UTC"',
    ],
    [
      'bad holiday',
      { holidays: ['2025-01-01', '2025-01-20', '2025-02-30'] },
      'holidays[2]: expected a date "YYYY-MM-DD", got "2025-02-30"',
    ],
    [
      'interval start >= end',
      { closed_intervals_utc: [{ start: '2025-12-28T23:00:00Z', end: '2025-12-26T21:30:00Z' }] },
      'closed_intervals_utc[0]: start >= end (2025-12-28T23:00:00Z >= 2025-12-26T21:30:00Z)',
    ],
    [
      'interval not an instant',
      { closed_intervals_utc: [{ start: 'soon', end: 'later' }] },
      'closed_intervals_utc[0]: expected {start, end} or [start, end]',
    ],
    ['misspelt key', { holiday: ['2025-01-01'] }, '(root): unknown property "holiday"'],
    [
      'session window with a bad time',
      { session_windows: [{ tag: 'TOKYO', start: '8:00', end: '16:00', tz: 'Asia/Tokyo' }] },
      'session_windows[0].start: must be "HH:MM" (00:00-23:59), got "8:00"',
    ],
    [
      'session window without tag',
      { session_windows: [{ start: '08:00', end: '16:00', tz: 'Asia/Tokyo' }] },
      'session_windows[0]: missing required property "tag"',
    ],
  ])('%s', (_name, doc, message) => {
    const err = failure(() => parseV1Overrides(doc, 'v1.json'));
    expect(err.code).toBe('CALENDAR_INVALID');
    expect(err.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toContain(message);
  });
});

describe('V2 profiles: malformed files fail with an error naming the entry', () => {
  const edit = (fn: (doc: Json[]) => void): Json[] => {
    const doc = clone(v2Fixture);
    fn(doc);
    return doc;
  };
  const pairs = (doc: Json[], p: number): number[][] => doc[p]?.closed_intervals_utc as number[][];

  it.each<[string, Json[], string]>([
    [
      'start >= end',
      edit((d) => pairs(d, 1)[3]?.reverse()),
      '[1].closed_intervals_utc[3]: start >= end (2025-04-19T00:00:00Z >= 2025-04-18T00:00:00Z)',
    ],
    [
      'overlap',
      edit((d) => pairs(d, 0)[2]?.splice(0, 1, 1737331200000 + 3_600_000)),
      '[0].closed_intervals_utc[2]: overlaps [0].closed_intervals_utc[1]',
    ],
    ['unsorted', edit((d) => pairs(d, 0).reverse()), '[0].closed_intervals_utc[1]: not sorted'],
    [
      'seconds instead of ms',
      edit((d) => Object.assign(d[0] ?? {}, { closed_intervals_utc: [[1735689600, 1735776000]] })),
      '[0].closed_intervals_utc[0]: outside the epoch-ms rails',
    ],
    [
      'not a pair',
      edit((d) => pairs(d, 0).splice(0, 1, [1, 2, 3])),
      '[0].closed_intervals_utc[0]: must NOT have more than 2 items, got [1,2,3]',
    ],
    [
      'coverage end mismatch',
      edit((d) =>
        Object.assign((d[1]?.holiday_policy as Json) ?? {}, { coverage_end_utc: 1767335460001 }),
      ),
      '[1].holiday_policy.coverage_end_utc: 1767335460001 differs from the last closed interval end 1767335460000',
    ],
    [
      'too few intervals',
      edit((d) => pairs(d, 0).splice(0, 5)),
      '[0].closed_intervals_utc: 7 intervals, holiday_policy.min_intervals requires at least 8',
    ],
    [
      'missing zone',
      edit((d) => delete d[0]?.tz_name),
      '[0]: missing required property "tz_name" (or alias "recurrence_tz")',
    ],
    [
      'alias and canonical',
      edit((d) => Object.assign(d[0] ?? {}, { recurrence_tz: 'UTC' })),
      '[0]: give tz_name or its alias recurrence_tz, not both',
    ],
    [
      'duplicate tag',
      edit((d) => Object.assign(d[1] ?? {}, { calendar_tag: 'fxcm_calendar_v1_ny' })),
      '[1].calendar_tag: duplicate calendar_tag "fxcm_calendar_v1_ny" (also [0])',
    ],
    ['not an array of profiles', [], '(root): must NOT have fewer than 1 items'],
  ])('%s', (_name, doc, message) => {
    const err = failure(() => parseV2Profiles(doc, 'v2.json'));
    expect(err.code).toBe('CALENDAR_INVALID');
    expect(err.issues.map((i) => `${i.path}: ${i.message}`).join('\n')).toContain(message);
  });
});

describe('files and bad arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'calendar-test-'));

  it('a missing or non-JSON file is CALENDAR_FILE_UNREADABLE, never an always-open calendar', () => {
    expect(failure(() => loadCalendarFile(join(dir, 'absent.json'))).code).toBe(
      'CALENDAR_FILE_UNREADABLE',
    );
    writeFileSync(join(dir, 'broken.json'), '{"profiles": [');
    expect(failure(() => loadCalendarFile(join(dir, 'broken.json'))).code).toBe(
      'CALENDAR_FILE_UNREADABLE',
    );
  });

  it('an invalid file names itself and the entry', () => {
    const doc = clone(ssotFixture) as { profiles: Json[] };
    Object.assign(intervals(doc, 1)[3] ?? {}, { end: '2025-01-01T00:00:00Z' });
    writeFileSync(join(dir, 'bad-calendar.json'), JSON.stringify(doc));
    const err = failure(() => loadCalendarFile(join(dir, 'bad-calendar.json')));
    expect(err.message).toMatch(
      /^invalid calendar \(bad-calendar\.json\): profiles\[1\]\.closed_intervals_utc\[3\]: start >= end/,
    );
  });

  it('the shipped SSOT file is valid', () => {
    expect(loadCalendarFile(DEFAULT_CALENDAR_FILE).profileIds()).toEqual([
      'fxcm_fx',
      'fxcm_metals',
      'oanda_metals',
    ]);
  });

  it.each([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    Date.UTC(2300, 0, 1),
    '1767225600000' as unknown as number,
  ])('isOpen(%p) is CALENDAR_BAD_TIME', (bad) => {
    expect(failure(() => calendarFor('EURUSD').isOpen(bad)).code).toBe('CALENDAR_BAD_TIME');
  });

  it('a reversed range is CALENDAR_BAD_TIME', () => {
    expect(failure(() => calendarFor('EURUSD').openMinutes(2, 1)).code).toBe('CALENDAR_BAD_TIME');
  });

  it('an empty symbol is CALENDAR_BAD_SYMBOL, an unknown profile CALENDAR_UNKNOWN_PROFILE', () => {
    expect(failure(() => calendarFor('/')).code).toBe('CALENDAR_BAD_SYMBOL');
    const book = parseCalendarDocument(clone(ssotFixture), 'x');
    expect(failure(() => book.calendar('fxcm_fx')).code).toBe('CALENDAR_UNKNOWN_PROFILE');
  });

  it('a book whose mapping names a missing profile is rejected', () => {
    const err = failure(
      () =>
        new CalendarBook({
          profiles: [],
          defaultProfile: 'fx',
          symbolProfiles: { XAUUSD: 'metals' },
        }),
    );
    expect(err.issues.map((i) => i.path)).toEqual(['default_profile', 'symbol_profiles.XAUUSD']);
  });
});
