/**
 * The project's calendar file (SSOT, `data/fxcm-calendar.json`): profiles with IANA-zoned weekly
 * rules, daily breaks, trading-day roll, session windows and sourced closures, plus the
 * symbol → profile mapping. Parsing is pure: it takes the parsed JSON and returns the model.
 */
import { invalidCalendar, type CalendarIssue } from './errors';
import {
  checkSpans,
  childPath,
  compileSchema,
  TIME_OF_DAY_SCHEMA,
  type SpanEntry,
} from './document-validation';
import type {
  CalendarProfile,
  Closure,
  ClosureKind,
  DailyBreak,
  HolidayRule,
  SessionWindow,
  Weekday,
} from './model';
import {
  isKnownTimeZone,
  parseIsoDate,
  parseIsoUtcInstant,
  parseTimeOfDay,
  parseWeekday,
  zonedToUtc,
} from './zoned-time';

/** The resolved content of a calendar document: profiles plus how symbols pick one. */
export interface CalendarBookSpec {
  readonly profiles: readonly CalendarProfile[];
  readonly defaultProfile: string;
  /** Normalized symbol (`XAUUSD`) → profile id. */
  readonly symbolProfiles: Readonly<Record<string, string>>;
}

const DAY = { type: 'string', enum: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] } as const;
const NAME = { type: 'string', minLength: 1 } as const;

const SESSION_WINDOW = {
  type: 'object',
  additionalProperties: false,
  required: ['tag', 'name', 'start', 'end', 'tz'],
  properties: {
    tag: NAME,
    name: NAME,
    start: TIME_OF_DAY_SCHEMA,
    end: TIME_OF_DAY_SCHEMA,
    tz: NAME,
    display_tz: NAME,
  },
} as const;

const CLOSURE = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'source'],
  properties: {
    kind: { type: 'string', enum: ['holiday', 'early_close', 'late_open', 'closed'] },
    name: NAME,
    source: NAME,
    note: NAME,
    trading_day: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'a date "YYYY-MM-DD"',
    },
    start: { type: 'string' },
    end: { type: 'string' },
  },
} as const;

const HOLIDAY_RULE = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'date', 'source'],
  properties: {
    kind: { type: 'string', enum: ['holiday', 'early_close'] },
    name: NAME,
    date: {
      type: 'string',
      pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
      description: 'a recurring date "MM-DD"',
    },
    close: TIME_OF_DAY_SCHEMA,
    sunday_closes_monday: { type: 'boolean' },
    source: NAME,
    note: NAME,
  },
} as const;

const PROFILE = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'description',
    'source',
    'tz',
    'weekly_open',
    'weekly_close',
    'trading_day_roll',
    'daily_breaks',
    'closed_intervals_utc',
  ],
  properties: {
    id: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'a snake_case id' },
    description: NAME,
    source: NAME,
    tz: NAME,
    weekly_open: {
      type: 'object',
      additionalProperties: false,
      required: ['day', 'time'],
      properties: { day: DAY, time: TIME_OF_DAY_SCHEMA },
    },
    weekly_close: {
      type: 'object',
      additionalProperties: false,
      required: ['day', 'time'],
      properties: {
        day: DAY,
        time: TIME_OF_DAY_SCHEMA,
        lead_minutes: { type: 'integer', minimum: 0, maximum: 1440 },
      },
    },
    trading_day_roll: TIME_OF_DAY_SCHEMA,
    daily_breaks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end', 'days'],
        properties: {
          start: TIME_OF_DAY_SCHEMA,
          end: TIME_OF_DAY_SCHEMA,
          tz: NAME,
          days: { type: 'array', minItems: 1, uniqueItems: true, items: DAY },
        },
      },
    },
    session_windows: { type: 'array', items: SESSION_WINDOW },
    closed_intervals_utc: { type: 'array', items: CLOSURE },
    holiday_rules: { type: 'array', items: HOLIDAY_RULE },
  },
} as const;

const SSOT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'default_profile', 'symbol_profiles', 'profiles'],
  properties: {
    $comment: { type: 'string' },
    version: { const: 1 },
    default_profile: NAME,
    symbol_profiles: {
      type: 'object',
      propertyNames: {
        pattern: '^[A-Z0-9]+$',
        description: 'a symbol in upper-case letters and digits, e.g. "XAUUSD"',
      },
      additionalProperties: { type: 'string' },
    },
    session_windows: { type: 'array', items: SESSION_WINDOW },
    profiles: { type: 'array', minItems: 1, items: PROFILE },
  },
} as const;

const checkShape = compileSchema(SSOT_SCHEMA);

/** Shape of one raw session window in the SSOT format (after schema validation). */
export interface RawSessionWindow {
  tag: string;
  name: string;
  start: string;
  end: string;
  tz: string;
  display_tz?: string;
}

interface RawClosure {
  kind: ClosureKind;
  name: string;
  source: string;
  trading_day?: string;
  start?: string;
  end?: string;
}

interface RawProfile {
  id: string;
  description: string;
  source: string;
  tz: string;
  weekly_open: { day: string; time: string };
  weekly_close: { day: string; time: string; lead_minutes?: number };
  trading_day_roll: string;
  daily_breaks: { start: string; end: string; tz?: string; days: string[] }[];
  session_windows?: RawSessionWindow[];
  closed_intervals_utc: RawClosure[];
  holiday_rules?: RawHolidayRule[];
}

interface RawHolidayRule {
  kind: 'holiday' | 'early_close';
  name: string;
  date: string;
  close?: string;
  sunday_closes_monday?: boolean;
  source: string;
}

interface RawDocument {
  default_profile: string;
  symbol_profiles: Record<string, string>;
  session_windows?: RawSessionWindow[];
  profiles: RawProfile[];
}

// Schema validation has already guaranteed these parse; the fallbacks are unreachable.
const minuteOf = (t: string): number => parseTimeOfDay(t) ?? 0;
const weekdayOfName = (d: string): Weekday => parseWeekday(d) ?? 0;

function zoneIssue(path: string, tz: string, issues: CalendarIssue[]): void {
  if (!isKnownTimeZone(tz))
    issues.push({
      path,
      message: `unknown time zone "${tz}" (use an IANA name such as America/New_York)`,
    });
}

/** Resolves and validates session windows (shared by the SSOT and V1 formats). */
export function resolveSessionWindows(
  raw: readonly RawSessionWindow[],
  path: string,
  issues: CalendarIssue[],
): SessionWindow[] {
  return raw.map((w, i) => {
    const p = childPath(path, i);
    zoneIssue(childPath(p, 'tz'), w.tz, issues);
    if (w.display_tz !== undefined) zoneIssue(childPath(p, 'display_tz'), w.display_tz, issues);
    if (w.start === w.end)
      issues.push({ path: p, message: `start equals end (${w.start}); a window needs a length` });
    return {
      tag: w.tag,
      name: w.name,
      startMinute: minuteOf(w.start),
      endMinute: minuteOf(w.end),
      timeZone: w.tz,
      displayTimeZone: w.display_tz ?? w.tz,
    };
  });
}

/** Weekly window length in minutes, as the week expansion computes it (weekday span × 1440 + Δminute). */
export function weeklyWindowMinutes(
  open: { weekday: Weekday; minute: number },
  close: { weekday: Weekday; minute: number },
): number {
  let span = (close.weekday - open.weekday + 7) % 7;
  if (span === 0 && close.minute <= open.minute) span = 7;
  return span * 1440 + close.minute - open.minute;
}

function resolveClosures(raw: RawProfile, path: string, issues: CalendarIssue[]): Closure[] {
  const roll = minuteOf(raw.trading_day_roll);
  const closures: Closure[] = [];
  const spans: SpanEntry[] = [];
  raw.closed_intervals_utc.forEach((c, i) => {
    const p = childPath(childPath(path, 'closed_intervals_utc'), i);
    const hasDay = c.trading_day !== undefined;
    const hasStart = c.start !== undefined;
    const hasEnd = c.end !== undefined;
    let start: number | undefined;
    let end: number | undefined;
    if (hasDay && (hasStart || hasEnd)) {
      issues.push({ path: p, message: 'give either trading_day or start and end, not both' });
      return;
    }
    if (hasDay) {
      const day = parseIsoDate(c.trading_day ?? '');
      if (day === undefined) {
        issues.push({
          path: childPath(p, 'trading_day'),
          message: `not a real date: "${c.trading_day}"`,
        });
        return;
      }
      // Trading day D runs from the roll on D-1 to the roll on D (17:00 New York → 17:00 New York).
      start = zonedToUtc(day - 1, roll, raw.tz);
      end = zonedToUtc(day, roll, raw.tz);
    } else if (hasStart && hasEnd) {
      start = parseIsoUtcInstant(c.start ?? '');
      end = parseIsoUtcInstant(c.end ?? '');
      if (start === undefined)
        issues.push({
          path: childPath(p, 'start'),
          message: `not an ISO UTC instant ending in Z: "${c.start}"`,
        });
      if (end === undefined)
        issues.push({
          path: childPath(p, 'end'),
          message: `not an ISO UTC instant ending in Z: "${c.end}"`,
        });
      if (start === undefined || end === undefined) return;
    } else {
      issues.push({ path: p, message: 'needs trading_day, or both start and end' });
      return;
    }
    spans.push({ path: p, start, end });
    closures.push({ startMs: start, endMs: end, kind: c.kind, name: c.name, source: c.source });
  });
  issues.push(...checkSpans(spans));
  return closures;
}

// Days per month in a leap year: a recurring date is valid when it occurs in some year.
const MAX_DAY = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function resolveHolidayRules(
  raw: readonly RawHolidayRule[],
  path: string,
  issues: CalendarIssue[],
): HolidayRule[] {
  return raw.map((r, i) => {
    const p = childPath(childPath(path, 'holiday_rules'), i);
    const [month, day] = r.date.split('-').map(Number) as [number, number];
    if (day > (MAX_DAY[month - 1] ?? 0))
      issues.push({ path: childPath(p, 'date'), message: `no such date: "${r.date}"` });
    if (r.kind === 'early_close' && r.close === undefined)
      issues.push({ path: p, message: 'an early_close rule needs "close" (local "HH:MM")' });
    if (r.kind === 'holiday' && r.close !== undefined)
      issues.push({
        path: childPath(p, 'close'),
        message: 'a holiday rule closes the whole day; drop "close"',
      });
    if (r.kind === 'early_close' && r.sunday_closes_monday !== undefined)
      issues.push({
        path: childPath(p, 'sunday_closes_monday'),
        message: 'only a holiday rule can move to Monday',
      });
    return {
      kind: r.kind,
      name: r.name,
      month,
      day,
      ...(r.close !== undefined ? { closeMinute: minuteOf(r.close) } : {}),
      ...(r.sunday_closes_monday !== undefined
        ? { sundayClosesMonday: r.sunday_closes_monday }
        : {}),
      source: r.source,
    };
  });
}

function resolveProfile(
  raw: RawProfile,
  path: string,
  shared: readonly RawSessionWindow[],
  issues: CalendarIssue[],
): CalendarProfile {
  zoneIssue(childPath(path, 'tz'), raw.tz, issues);
  const zoneKnown = isKnownTimeZone(raw.tz);
  const weeklyOpen = {
    weekday: weekdayOfName(raw.weekly_open.day),
    minute: minuteOf(raw.weekly_open.time),
    timeZone: raw.tz,
  };
  const weeklyClose = {
    weekday: weekdayOfName(raw.weekly_close.day),
    minute: minuteOf(raw.weekly_close.time) - (raw.weekly_close.lead_minutes ?? 0),
    timeZone: raw.tz,
  };
  const length = weeklyWindowMinutes(weeklyOpen, weeklyClose);
  if (!(length > 0 && length < 7 * 1440)) {
    issues.push({
      path: childPath(path, 'weekly_close'),
      message: `the weekly window from weekly_open must last more than 0 and less than 7 days (got ${length} minutes)`,
    });
  }
  const dailyBreaks: DailyBreak[] = raw.daily_breaks.map((b, i) => {
    const p = childPath(childPath(path, 'daily_breaks'), i);
    if (b.tz !== undefined) zoneIssue(childPath(p, 'tz'), b.tz, issues);
    if (b.start === b.end)
      issues.push({ path: p, message: `start equals end (${b.start}); a break needs a length` });
    return {
      startMinute: minuteOf(b.start),
      endMinute: minuteOf(b.end),
      timeZone: b.tz ?? raw.tz,
      weekdays: b.days.map(weekdayOfName),
    };
  });
  const windowsPath =
    raw.session_windows !== undefined ? childPath(path, 'session_windows') : 'session_windows';
  const sessionWindows = resolveSessionWindows(raw.session_windows ?? shared, windowsPath, issues);
  return {
    id: raw.id,
    description: raw.description,
    timeZone: raw.tz,
    weeklyOpen,
    weeklyClose,
    dailyBreaks,
    tradingDayRollMinute: minuteOf(raw.trading_day_roll),
    // Resolving trading days needs the zone; an unknown zone is already reported above.
    closures: zoneKnown ? resolveClosures(raw, path, issues) : [],
    holidayRules: resolveHolidayRules(raw.holiday_rules ?? [], path, issues),
    sessionWindows,
  };
}

/**
 * Parses and validates a document in the project's calendar format. Throws `CALENDAR_INVALID`
 * listing every problem with the path of its entry; never returns a partial calendar.
 */
export function parseSsotDocument(doc: unknown, origin: string): CalendarBookSpec {
  const shapeIssues = checkShape(doc);
  if (shapeIssues.length > 0) throw invalidCalendar(origin, shapeIssues);
  const raw = doc as RawDocument;
  const issues: CalendarIssue[] = [];

  const sharedWindows = raw.session_windows ?? [];
  const profiles = raw.profiles.map((p, i) =>
    resolveProfile(p, `profiles[${i}]`, sharedWindows, issues),
  );
  // Shared windows are resolved per profile; report their problems once.
  const seenIssue = new Set<string>();
  const unique = issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seenIssue.has(key)) return false;
    seenIssue.add(key);
    return true;
  });

  const firstIndex = new Map<string, number>();
  raw.profiles.forEach((p, i) => {
    const first = firstIndex.get(p.id);
    if (first !== undefined)
      unique.push({
        path: `profiles[${i}].id`,
        message: `duplicate id "${p.id}" (also profiles[${first}])`,
      });
    else firstIndex.set(p.id, i);
  });
  if (!firstIndex.has(raw.default_profile)) {
    unique.push({ path: 'default_profile', message: `unknown profile "${raw.default_profile}"` });
  }
  for (const [symbol, id] of Object.entries(raw.symbol_profiles)) {
    if (!firstIndex.has(id))
      unique.push({ path: `symbol_profiles.${symbol}`, message: `unknown profile "${id}"` });
  }
  if (unique.length > 0) throw invalidCalendar(origin, unique);
  return {
    profiles,
    defaultProfile: raw.default_profile,
    symbolProfiles: { ...raw.symbol_profiles },
  };
}
