/**
 * The calendar in force: the shipped calendar, a file named at start (the repository's V1
 * `config/calendar_overrides.json`, a V2 array, a project-format file) and per-symbol choices;
 * every bad file or choice is refused with the entry named.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CalendarError,
  DEFAULT_CALENDAR_FILE as SHIPPED,
  defaultCalendarBook,
  loadCalendarInForce,
} from '../src';

const V1_FILE = resolve(__dirname, '../../../config/calendar_overrides.json');
const V2_FILE = join(__dirname, 'fixtures', 'v2-calendar-profiles.json');
const MIN = 60_000;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CalendarError) return `${err.code}: ${err.message}`;
    throw err;
  }
  throw new Error('expected a CalendarError');
}

/** The shipped calendar with two dated entries for the same day on its first profile. */
function withOverlappingClosures(): { profiles: { closed_intervals_utc: unknown[] }[] } {
  const doc = JSON.parse(readFileSync(SHIPPED, 'utf8')) as {
    profiles: { closed_intervals_utc: unknown[] }[];
  };
  const day = { kind: 'holiday', source: 'test', trading_day: '2026-12-28' };
  doc.profiles[0]!.closed_intervals_utc.push({ ...day, name: 'a' }, { ...day, name: 'b' });
  return doc;
}

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'calendar-in-force-')), 'calendar.json');
  writeFileSync(path, content);
  return path;
}

describe('the calendar in force', () => {
  it('defaults to the shipped calendar and says so', () => {
    const c = loadCalendarInForce();
    expect(c.book).toBe(defaultCalendarBook());
    expect(c.summary).toEqual({
      file: 'shipped fxcm-calendar.json',
      format: 'ssot',
      default_profile: 'fxcm_fx',
      symbol_profiles: { XAUUSD: 'fxcm_metals', XAGUSD: 'fxcm_metals' },
    });
  });

  it('picks a shipped profile for a symbol: XAU/USD=oanda_metals', () => {
    const c = loadCalendarInForce({ symbols: ['XAU/USD=oanda_metals'] });
    expect(c.book.calendarFor('XAUUSD').id).toBe('oanda_metals');
    expect(c.book.calendarFor('XAG/USD').id).toBe('fxcm_metals');
    expect(c.book.calendarFor('EUR/USD').id).toBe('fxcm_fx');
    expect(c.summary.symbol_profiles).toMatchObject({ XAUUSD: 'oanda_metals' });
  });

  it('config/calendar_overrides.json (V1) for gold only gives the metals hours minute by minute', () => {
    const c = loadCalendarInForce({ file: V1_FILE, symbols: ['XAU/USD=v1_overrides'] });
    expect(c.summary).toMatchObject({ file: V1_FILE, format: 'v1', default_profile: 'fxcm_fx' });
    const v1 = c.book.calendarFor('XAU/USD');
    expect(v1.id).toBe('v1_overrides');
    expect(c.book.calendarFor('EUR/USD').id).toBe('fxcm_fx');
    // Same hours and the same dated 2025 entries; the shipped profile adds the Christmas rules.
    const metals = defaultCalendarBook().calendar('fxcm_metals');
    let mismatches = 0;
    for (let t = Date.UTC(2025, 0, 2); t < Date.UTC(2025, 11, 20); t += MIN)
      if (v1.isOpen(t) !== metals.isOpen(t)) mismatches++;
    expect(mismatches).toBe(0);
    expect(new Date(v1.nextOpen(Date.parse('2026-01-25T20:06:00Z'))).toISOString()).toBe(
      '2026-01-25T23:01:00.000Z',
    );
  });

  it('a V1 or V2 file without symbol choices is the calendar of every symbol, as in V1', () => {
    const v1 = loadCalendarInForce({ file: V1_FILE });
    expect(v1.book.calendarFor('EUR/USD').id).toBe('v1_overrides');
    const v2 = loadCalendarInForce({ file: V2_FILE });
    expect(v2.summary.format).toBe('v2');
    expect(v2.book.calendarFor('XAUUSD').id).toBe(v2.summary.default_profile);
  });

  it.each<[string, () => unknown, string]>([
    [
      'a choice without "="',
      () => loadCalendarInForce({ symbols: ['XAUUSD'] }),
      'FXCM_CALENDAR_SYMBOLS[0]: must be SYMBOL=profile',
    ],
    [
      'a choice naming an unknown profile',
      () => loadCalendarInForce({ symbols: ['XAU/USD=gold'] }),
      'symbol_profiles.XAUUSD: unknown profile "gold"',
    ],
    [
      'a missing file',
      () => loadCalendarInForce({ file: '/nonexistent/calendar.json' }),
      'CALENDAR_FILE_UNREADABLE: cannot read calendar file /nonexistent/calendar.json',
    ],
    [
      'a V1 file with a bad break',
      () => loadCalendarInForce({ file: tempFile('{"daily_breaks": ["25:00-23:01@UTC"]}') }),
      'daily_breaks[0]',
    ],
    [
      'a project-format file with an overlapping closure',
      () =>
        loadCalendarInForce({
          file: tempFile(JSON.stringify(withOverlappingClosures())),
        }),
      'profiles[0].closed_intervals_utc[1]: overlaps profiles[0].closed_intervals_utc[0]',
    ],
  ])('refuses %s, naming the entry', (_what, load, message) => {
    const got = refusal(load);
    expect(got).toContain(message);
  });
});
