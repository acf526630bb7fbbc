/**
 * The one model every calendar format loads into. All instants are UTC epoch milliseconds; all
 * recurring times are minutes after local midnight in a named IANA zone, so DST is resolved per
 * date when a week is expanded, never baked in as a fixed offset.
 */

/** Day of week, 0 = Sunday … 6 = Saturday (local to the zone it is used with). */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** A recurring weekly instant: weekday plus minute of the local day in `timeZone`. */
export interface WeeklyBoundary {
  readonly weekday: Weekday;
  /** Minutes after local midnight; may be negative or ≥ 1440 after a lead is applied. */
  readonly minute: number;
  readonly timeZone: string;
}

/**
 * A recurring daily break `[start, end)` in `timeZone`, occurring on the local dates whose weekday
 * is listed (the weekday of the date the break starts on). `endMinute <= startMinute` means the
 * break crosses local midnight.
 */
export interface DailyBreak {
  readonly startMinute: number;
  readonly endMinute: number;
  readonly timeZone: string;
  readonly weekdays: readonly Weekday[];
}

/** Why an explicit closure exists. */
export type ClosureKind = 'holiday' | 'early_close' | 'late_open' | 'closed';

/** An explicit closed span `[startMs, endMs)` that overrides the weekly schedule. */
export interface Closure {
  readonly startMs: number;
  readonly endMs: number;
  readonly kind: ClosureKind;
  readonly name: string;
  /** Where the entry comes from (a published schedule, a preserved production file, a rule). */
  readonly source: string;
}

/**
 * A recurring closure, expanded for every year the calendar is asked about (a dated entry in
 * `closures` needs no rule and the two are unioned). Dates and times are local to the profile zone.
 */
export interface HolidayRule {
  /** `holiday`: the whole trading day of the date; `early_close`: from `closeMinute` to the roll. */
  readonly kind: 'holiday' | 'early_close';
  /** Name without the year, e.g. `Christmas Day`; each occurrence is named `Christmas Day 2014`. */
  readonly name: string;
  /** Month 1–12 and day 1–31 of the date the rule is about. */
  readonly month: number;
  readonly day: number;
  /** `early_close` only: minute of the local day the market closes early. */
  readonly closeMinute?: number;
  /** `holiday` only: when the date falls on a Sunday, the Monday trading day closes too. */
  readonly sundayClosesMonday?: boolean;
  /** Where the rule comes from. */
  readonly source: string;
}

/** A named session window (Tokyo / London / New York), recurring daily in `timeZone`. */
export interface SessionWindow {
  readonly tag: string;
  /** Human name, e.g. `Tokyo`. */
  readonly name: string;
  readonly startMinute: number;
  /** `endMinute <= startMinute` means the window crosses local midnight. */
  readonly endMinute: number;
  /** Zone the start/end are written in. */
  readonly timeZone: string;
  /** Zone shown to people (V1 `timezone`); usually equal to `timeZone`. */
  readonly displayTimeZone: string;
}

/** A fully resolved trading calendar profile. */
export interface CalendarProfile {
  readonly id: string;
  readonly description: string;
  /** Zone of the trading-day roll (the profile's recurrence zone). */
  readonly timeZone: string;
  /** Start of the trading week (e.g. Sunday 17:00 America/New_York). */
  readonly weeklyOpen: WeeklyBoundary;
  /** End of the trading week, lead already applied (e.g. Friday 17:00 America/New_York). */
  readonly weeklyClose: WeeklyBoundary;
  readonly dailyBreaks: readonly DailyBreak[];
  /** Minute of the local day (in `timeZone`) at which a trading day starts; anchors 4h/1d buckets. */
  readonly tradingDayRollMinute: number;
  /** Explicit closures sorted by start (formats that allow unions may overlap). */
  readonly closures: readonly Closure[];
  /** Recurring holidays and early closes, applied in every year (absent = none). */
  readonly holidayRules?: readonly HolidayRule[];
  readonly sessionWindows: readonly SessionWindow[];
}

/** A half-open span `[start, end)` of UTC epoch ms. */
export interface TimeSpan {
  readonly start: number;
  readonly end: number;
}
