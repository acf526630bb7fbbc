/**
 * Recurring holiday rules: every year gets Christmas and New Year, a holiday on a Sunday also
 * closes the Monday, the eves close early; a malformed rule refuses to load, naming the entry.
 * Expected spans are written by hand (New York EST = UTC-5).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CalendarError, calendarFor, parseSsotDocument } from '../src';

const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const ms = Date.parse;
const fx = calendarFor('EUR/USD');
const spans = (from: string, to: string): string[][] =>
  fx.closuresIn(ms(from), ms(to)).map((c) => [iso(c.startMs), iso(c.endMs), c.name]);

describe('the FX profile in years without dated entries', () => {
  it('2014: Christmas Thursday closes its trading day, the eve closes at 15:00 New York', () => {
    expect(spans('2014-12-20T00:00:00Z', '2014-12-27T00:00:00Z')).toEqual([
      ['2014-12-24T20:00:00Z', '2014-12-24T22:00:00Z', 'Christmas Eve early close 2014'],
      ['2014-12-24T22:00:00Z', '2014-12-25T22:00:00Z', 'Christmas Day 2014'],
    ]);
    expect(iso(fx.nextOpen(ms('2014-12-24T20:00:00Z')))).toBe('2014-12-25T22:00:00Z');
  });

  it('2011: Christmas on a Sunday closes the Monday; the week opens Monday 17:00 New York', () => {
    expect(spans('2011-12-24T00:00:00Z', '2011-12-31T00:00:00Z')).toEqual([
      ['2011-12-24T20:00:00Z', '2011-12-24T22:00:00Z', 'Christmas Eve early close 2011'],
      ['2011-12-24T22:00:00Z', '2011-12-25T22:00:00Z', 'Christmas Day 2011'],
      ['2011-12-25T22:00:00Z', '2011-12-26T22:00:00Z', 'Christmas Day 2011 (observed Monday)'],
    ]);
    expect(iso(fx.nextOpen(ms('2011-12-24T12:00:00Z')))).toBe('2011-12-26T22:00:00Z');
    expect(iso(fx.nextOpen(ms('2011-12-31T12:00:00Z')))).toBe('2012-01-02T22:00:00Z');
  });

  it('2033: the same rules hold decades ahead', () => {
    expect(iso(fx.nextOpen(ms('2033-12-23T12:00:00Z')))).toBe('2033-12-23T12:00:00Z');
    expect(iso(fx.nextOpen(ms('2033-12-24T12:00:00Z')))).toBe('2033-12-26T22:00:00Z');
  });

  it('a holiday on a Saturday closes nothing of the Friday but its early close', () => {
    // 25 Dec 2010 was a Saturday: Friday 24 Dec trades until 15:00 New York (20:00Z).
    expect(iso(fx.nextPause(ms('2010-12-24T12:00:00Z')))).toBe('2010-12-24T20:00:00Z');
    expect(iso(fx.nextOpen(ms('2010-12-24T20:00:00Z')))).toBe('2010-12-26T22:00:00Z');
  });

  it('each occurrence says where it comes from', () => {
    for (const c of fx.closuresIn(ms('2007-01-01T00:00:00Z'), ms('2019-01-01T00:00:00Z'))) {
      expect(c.source).toMatch(/Forex-fxcm-\[\*\].*recurring rule, derived for \d{4}$/);
    }
  });
});

describe('malformed rules refuse to load, naming the entry', () => {
  const doc = (): { profiles: Record<string, unknown>[] } =>
    JSON.parse(readFileSync(join(__dirname, '..', 'data', 'fxcm-calendar.json'), 'utf8')) as {
      profiles: Record<string, unknown>[];
    };
  const error = (rule: Record<string, unknown>): string => {
    const d = doc();
    (d.profiles[0]!.holiday_rules as unknown[]).push(rule);
    try {
      parseSsotDocument(d, 'cal.json');
    } catch (err) {
      if (err instanceof CalendarError) return `${err.code}: ${err.message}`;
      throw err;
    }
    throw new Error('expected a CalendarError');
  };
  const base = { name: 'Test', source: 'test' };

  it.each([
    [
      { ...base, kind: 'holiday', date: '02-30' },
      'profiles[0].holiday_rules[4].date: no such date: "02-30"',
    ],
    [
      { ...base, kind: 'holiday', date: '13-01' },
      'profiles[0].holiday_rules[4].date: must be a recurring date "MM-DD"',
    ],
    [
      { ...base, kind: 'early_close', date: '12-24' },
      'profiles[0].holiday_rules[4]: an early_close rule needs "close"',
    ],
    [
      { ...base, kind: 'holiday', date: '12-26', close: '14:00' },
      'profiles[0].holiday_rules[4].close: a holiday rule closes the whole day',
    ],
    [{ kind: 'holiday', date: '12-26', name: 'No source' }, 'profiles[0].holiday_rules[4]: '],
  ])('%j', (rule, message) => {
    const got = error(rule);
    expect(got).toContain('CALENDAR_INVALID');
    expect(got).toContain(message);
  });
});
