import type { CalendarProfile, TradingCalendar } from '@fxcm/calendar';

/** V1 `daily_breaks[]` entry: local `HH:MM` in `tz`. */
export interface V1DailyBreak {
  start: string;
  end: string;
  tz: string;
}

/** The schedule part of the V1 session context (market_status and heartbeat `session`). */
export interface V1Schedule {
  weekly_open: string;
  weekly_close: string;
  daily_breaks: V1DailyBreak[];
  holidays: string[];
}

const DAY_MINUTES = 1_440;
const DAY_MS = 86_400_000;
// Holidays reported: the closures of the past week and the coming year (a bounded list).
const HOLIDAYS_BACK_MS = 7 * DAY_MS;
const HOLIDAYS_AHEAD_MS = 366 * DAY_MS;

/** `HH:MM` of a minute of the local day (a lead may push it outside [0, 1440)). */
export function hhmm(minute: number): string {
  const m = ((minute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function holidayDates(profile: CalendarProfile, now: number): string[] {
  const dates = new Set<string>();
  for (const closure of profile.closures) {
    if (closure.kind !== 'holiday') continue;
    if (closure.endMs < now - HOLIDAYS_BACK_MS || closure.startMs > now + HOLIDAYS_AHEAD_MS)
      continue;
    // A holiday closes the trading day that ends at its close: that day's UTC date names it.
    dates.add(new Date(closure.endMs - 1).toISOString().slice(0, 10));
  }
  return [...dates].sort();
}

/**
 * The weekly open/close (`HH:MM@TZ`), the daily breaks and the holiday dates of the calendar's
 * profile, as V1 wrote them in the session context. Pure.
 */
export function sessionSchedule(calendar: TradingCalendar, now: number): V1Schedule {
  const { profile } = calendar;
  return {
    weekly_open: `${hhmm(profile.weeklyOpen.minute)}@${profile.weeklyOpen.timeZone}`,
    weekly_close: `${hhmm(profile.weeklyClose.minute)}@${profile.weeklyClose.timeZone}`,
    daily_breaks: profile.dailyBreaks.map((b) => ({
      start: hhmm(b.startMinute),
      end: hhmm(b.endMinute),
      tz: b.timeZone,
    })),
    holidays: holidayDates(profile, now),
  };
}
