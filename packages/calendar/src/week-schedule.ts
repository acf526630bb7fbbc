/**
 * Expands a profile's recurring rules into concrete UTC spans for a time range: weekly windows,
 * daily-break occurrences and explicit closures ("layers"), the open spans that remain, the
 * trading-day rolls and the session-window occurrences. Pure; DST is resolved per local date.
 */
import { ruleClosures } from './holiday-rules';
import type { CalendarProfile, Closure, TimeSpan } from './model';
import { DAY_MS, weekdayOf, zonedToUtc } from './zoned-time';

/** The raw layers of a schedule over a range: what opens it and what closes it. */
export interface ScheduleLayers {
  /** Weekly trading windows `[open, close)` overlapping the range, sorted. */
  readonly weekly: readonly TimeSpan[];
  /** Daily-break occurrences overlapping the range, sorted by start. */
  readonly breaks: readonly TimeSpan[];
  /** Explicit closures overlapping the range, sorted by start. */
  readonly closures: readonly Closure[];
}

/** One expanded calendar week: flat `[start0, end0, start1, end1, …]` arrays for the hot path. */
export interface WeekSchedule {
  readonly start: number;
  readonly end: number;
  /** Open spans clipped to `[start, end)`, sorted and merged. */
  readonly open: Float64Array;
  /** Trading-day roll instants from two days before `start` to two days after `end`. */
  readonly rolls: Float64Array;
  /** Per session window (profile order): its occurrences around the week. */
  readonly sessions: readonly Float64Array[];
}

const dayOf = (ts: number): number => Math.floor(ts / DAY_MS);

const overlaps = (s: number, e: number, from: number, to: number): boolean => s < to && e > from;

/** Expands the weekly windows, breaks and closures of `profile` that overlap `[from, to)`. */
export function scheduleLayers(profile: CalendarProfile, from: number, to: number): ScheduleLayers {
  const { weeklyOpen: wo, weeklyClose: wc } = profile;
  let span = (wc.weekday - wo.weekday + 7) % 7;
  if (span === 0 && wc.minute <= wo.minute) span = 7;

  const weekly: TimeSpan[] = [];
  // A week window starts at most 7 days (plus a zone offset) before any instant it covers.
  for (let d = dayOf(from) - 9; d <= dayOf(to) + 1; d++) {
    if (weekdayOf(d) !== wo.weekday) continue;
    const start = zonedToUtc(d, wo.minute, wo.timeZone);
    const end = zonedToUtc(d + span, wc.minute, wc.timeZone);
    if (end > start && overlaps(start, end, from, to)) weekly.push({ start, end });
  }

  const breaks: TimeSpan[] = [];
  for (let d = dayOf(from) - 2; d <= dayOf(to) + 1; d++) {
    const wd = weekdayOf(d);
    for (const b of profile.dailyBreaks) {
      if (!b.weekdays.includes(wd)) continue;
      const start = zonedToUtc(d, b.startMinute, b.timeZone);
      const end = zonedToUtc(b.endMinute <= b.startMinute ? d + 1 : d, b.endMinute, b.timeZone);
      if (end > start && overlaps(start, end, from, to)) breaks.push({ start, end });
    }
  }
  breaks.sort((a, b) => a.start - b.start);

  // Dated entries and recurring rules are unioned: a rule occurrence a dated entry also covers
  // closes nothing twice, and the open-span sweep tolerates the overlap.
  const closures = profile.closures
    .filter((c) => overlaps(c.startMs, c.endMs, from, to))
    .concat(ruleClosures(profile, from, to))
    .sort((a, b) => a.startMs - b.startMs);
  return { weekly, breaks, closures };
}

/** Open spans of `layers` clipped to `[from, to)`: weekly windows minus breaks and closures. */
export function openSpans(layers: ScheduleLayers, from: number, to: number): TimeSpan[] {
  const closed: TimeSpan[] = [
    ...layers.breaks,
    ...layers.closures.map((c) => ({ start: c.startMs, end: c.endMs })),
  ];
  closed.sort((a, b) => a.start - b.start);
  const out: TimeSpan[] = [];
  const emit = (s: number, e: number): void => {
    const start = Math.max(s, from);
    const end = Math.min(e, to);
    if (end <= start) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.end >= start)
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, end) };
    else out.push({ start, end });
  };
  for (const w of layers.weekly) {
    let cursor = w.start;
    for (const c of closed) {
      if (c.end <= cursor) continue;
      if (c.start >= w.end) break;
      if (c.start > cursor) emit(cursor, c.start);
      cursor = Math.max(cursor, c.end);
      if (cursor >= w.end) break;
    }
    if (cursor < w.end) emit(cursor, w.end);
  }
  return out;
}

/** Trading-day roll instants for every local date around `[from, to)`, ascending. */
export function tradingDayRolls(profile: CalendarProfile, from: number, to: number): number[] {
  const rolls: number[] = [];
  for (let d = dayOf(from) - 3; d <= dayOf(to) + 3; d++) {
    rolls.push(zonedToUtc(d, profile.tradingDayRollMinute, profile.timeZone));
  }
  return rolls;
}

/** Occurrences of each session window around `[from, to)`, flat `[start, end, …]` per window. */
export function sessionOccurrences(
  profile: CalendarProfile,
  from: number,
  to: number,
): Float64Array[] {
  return profile.sessionWindows.map((w) => {
    const spans: number[] = [];
    for (let d = dayOf(from) - 2; d <= dayOf(to) + 1; d++) {
      const start = zonedToUtc(d, w.startMinute, w.timeZone);
      const end = zonedToUtc(w.endMinute <= w.startMinute ? d + 1 : d, w.endMinute, w.timeZone);
      if (end > start) spans.push(start, end);
    }
    return Float64Array.from(spans);
  });
}

/** Expands the week `[start, end)` of `profile` into its hot-path arrays. */
export function buildWeekSchedule(
  profile: CalendarProfile,
  start: number,
  end: number,
): WeekSchedule {
  const open = openSpans(scheduleLayers(profile, start, end), start, end);
  return {
    start,
    end,
    open: Float64Array.from(open.flatMap((s) => [s.start, s.end])),
    rolls: Float64Array.from(tradingDayRolls(profile, start, end)),
    sessions: sessionOccurrences(profile, start, end),
  };
}
