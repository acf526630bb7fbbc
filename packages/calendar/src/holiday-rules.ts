/**
 * Expands recurring holiday rules (`HolidayRule`) into the dated closures of the years around a
 * time range. Pure; each occurrence is resolved in the profile zone for its own date, so DST is
 * never a fixed offset. A trading day D runs from the roll on D-1 to the roll on D.
 */
import type { CalendarProfile, Closure, HolidayRule } from './model';
import { dayNumber, DAY_MS, weekdayOf, zonedToUtc } from './zoned-time';

const yearOf = (ts: number): number => new Date(ts).getUTCFullYear();

/** The closures one rule produces in `year` (none when the date does not exist that year). */
export function ruleOccurrences(
  profile: CalendarProfile,
  rule: HolidayRule,
  year: number,
): Closure[] {
  const day = dayNumber(year, rule.month, rule.day);
  // 30 Feb and the like never occur; Date.UTC would roll them into the next month.
  if (new Date(day * DAY_MS).getUTCMonth() + 1 !== rule.month) return [];
  const roll = profile.tradingDayRollMinute;
  const tz = profile.timeZone;
  const source = `${rule.source}; recurring rule, derived for ${year}`;
  const name = `${rule.name} ${year}`;
  if (rule.kind === 'early_close') {
    const close = rule.closeMinute ?? roll;
    const start = zonedToUtc(day, close, tz);
    const end = zonedToUtc(close < roll ? day : day + 1, roll, tz);
    return end > start ? [{ startMs: start, endMs: end, kind: 'early_close', name, source }] : [];
  }
  const out: Closure[] = [
    {
      startMs: zonedToUtc(day - 1, roll, tz),
      endMs: zonedToUtc(day, roll, tz),
      kind: 'holiday',
      name,
      source,
    },
  ];
  if (rule.sundayClosesMonday === true && weekdayOf(day) === 0) {
    out.push({
      startMs: zonedToUtc(day, roll, tz),
      endMs: zonedToUtc(day + 1, roll, tz),
      kind: 'holiday',
      name: `${name} (observed Monday)`,
      source,
    });
  }
  return out;
}

/** Every rule-derived closure of `profile` that overlaps `[from, to)`, sorted by start. */
export function ruleClosures(profile: CalendarProfile, from: number, to: number): Closure[] {
  const rules = profile.holidayRules ?? [];
  if (rules.length === 0) return [];
  const out: Closure[] = [];
  // A rule's spans lie within two days of its date, so one year either side is enough.
  for (let y = yearOf(from) - 1; y <= yearOf(to) + 1; y++) {
    for (const rule of rules) {
      for (const c of ruleOccurrences(profile, rule, y))
        if (c.startMs < to && c.endMs > from) out.push(c);
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
