/**
 * The V2 connector's `config/calendar_overrides.json`: a JSON array of profiles, each with a
 * recurrence zone, weekly open/close and a daily break in that zone, plus `closed_intervals_utc`
 * as int-ms half-open pairs (sorted, non-overlapping, start < end) and an optional holiday policy.
 */
import { invalidCalendar, type CalendarIssue } from './errors';
import {
  checkSpans,
  childPath,
  compileSchema,
  TIME_OF_DAY_SCHEMA,
  type SpanEntry,
} from './document-validation';
import type { CalendarProfile, Closure, DailyBreak } from './model';
import { isKnownTimeZone, parseTimeOfDay, resolveZoneAlias } from './zoned-time';

const INT = { type: 'integer' } as const;

const V2_SCHEMA = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['calendar_tag'],
    properties: {
      $comment: { type: 'string' },
      calendar_tag: { type: 'string', minLength: 1 },
      description: { type: 'string' },
      tz_name: { type: 'string', minLength: 1 },
      recurrence_tz: { type: 'string', minLength: 1 },
      weekly_open: TIME_OF_DAY_SCHEMA,
      weekly_open_local: TIME_OF_DAY_SCHEMA,
      weekly_close: TIME_OF_DAY_SCHEMA,
      weekly_close_local: TIME_OF_DAY_SCHEMA,
      daily_break_start: TIME_OF_DAY_SCHEMA,
      daily_break_minutes: { type: 'integer', minimum: 0, maximum: 1439 },
      daily_break_local: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end'],
        properties: { start: TIME_OF_DAY_SCHEMA, end: TIME_OF_DAY_SCHEMA },
      },
      holiday_policy: {
        type: 'object',
        additionalProperties: false,
        properties: {
          coverage_end_utc: INT,
          min_intervals: { type: 'integer', minimum: 0 },
          required: { type: 'boolean' },
          min_future_days: { type: 'integer', minimum: 0 },
        },
      },
      closed_intervals_utc: {
        type: 'array',
        items: { type: 'array', minItems: 2, maxItems: 2, items: INT },
      },
    },
  },
} as const;

const checkShape = compileSchema(V2_SCHEMA);

interface RawV2Profile {
  calendar_tag: string;
  description?: string;
  tz_name?: string;
  recurrence_tz?: string;
  weekly_open?: string;
  weekly_open_local?: string;
  weekly_close?: string;
  weekly_close_local?: string;
  daily_break_start?: string;
  daily_break_minutes?: number;
  daily_break_local?: { start: string; end: string };
  holiday_policy?: {
    coverage_end_utc?: number;
    min_intervals?: number;
    required?: boolean;
    min_future_days?: number;
  };
  closed_intervals_utc?: [number, number][];
}

/** Picks a field that has a V2 alias: exactly one spelling may be given. */
function pick(
  raw: RawV2Profile,
  path: string,
  name: keyof RawV2Profile,
  alias: keyof RawV2Profile,
  issues: CalendarIssue[],
): string | undefined {
  const a = raw[name];
  const b = raw[alias];
  if (a !== undefined && b !== undefined) {
    issues.push({ path, message: `give ${String(name)} or its alias ${String(alias)}, not both` });
    return undefined;
  }
  const v = a ?? b;
  if (v === undefined) {
    issues.push({
      path,
      message: `missing required property "${String(name)}" (or alias "${String(alias)}")`,
    });
    return undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

function parseProfile(
  raw: RawV2Profile,
  path: string,
  origin: string,
  issues: CalendarIssue[],
): CalendarProfile | undefined {
  const before = issues.length;
  const tzRaw = pick(raw, path, 'tz_name', 'recurrence_tz', issues);
  const openText = pick(raw, path, 'weekly_open', 'weekly_open_local', issues);
  const closeText = pick(raw, path, 'weekly_close', 'weekly_close_local', issues);
  const tz = tzRaw === undefined ? undefined : resolveZoneAlias(tzRaw);
  if (tz !== undefined && !isKnownTimeZone(tz))
    issues.push({ path: childPath(path, 'tz_name'), message: `unknown time zone "${tz}"` });

  let breakStart: number | undefined;
  let breakMinutes: number | undefined;
  if (raw.daily_break_local !== undefined) {
    if (raw.daily_break_start !== undefined || raw.daily_break_minutes !== undefined) {
      issues.push({
        path,
        message:
          'give daily_break_start + daily_break_minutes or their alias daily_break_local, not both',
      });
    } else {
      breakStart = parseTimeOfDay(raw.daily_break_local.start);
      const end = parseTimeOfDay(raw.daily_break_local.end);
      if (breakStart !== undefined && end !== undefined)
        breakMinutes = (end - breakStart + 1440) % 1440;
    }
  } else if (raw.daily_break_start !== undefined && raw.daily_break_minutes !== undefined) {
    breakStart = parseTimeOfDay(raw.daily_break_start);
    breakMinutes = raw.daily_break_minutes;
  } else {
    issues.push({
      path,
      message:
        'missing daily break: give daily_break_start and daily_break_minutes (or daily_break_local)',
    });
  }

  const spans: SpanEntry[] = (raw.closed_intervals_utc ?? []).map(([start, end], i) => ({
    path: childPath(childPath(path, 'closed_intervals_utc'), i),
    start,
    end,
  }));
  issues.push(...checkSpans(spans));

  const policy = raw.holiday_policy;
  const lastEnd = spans.reduce<number | undefined>(
    (m, s) => (m === undefined || s.end > m ? s.end : m),
    undefined,
  );
  if (
    policy?.coverage_end_utc !== undefined &&
    lastEnd !== undefined &&
    policy.coverage_end_utc !== lastEnd
  ) {
    issues.push({
      path: childPath(childPath(path, 'holiday_policy'), 'coverage_end_utc'),
      message: `${policy.coverage_end_utc} differs from the last closed interval end ${lastEnd}`,
    });
  }
  if (policy?.min_intervals !== undefined && spans.length < policy.min_intervals) {
    issues.push({
      path: childPath(path, 'closed_intervals_utc'),
      message: `${spans.length} intervals, holiday_policy.min_intervals requires at least ${policy.min_intervals}`,
    });
  }

  const open = openText === undefined ? undefined : parseTimeOfDay(openText);
  const close = closeText === undefined ? undefined : parseTimeOfDay(closeText);
  if (
    issues.length > before ||
    tz === undefined ||
    open === undefined ||
    close === undefined ||
    breakStart === undefined ||
    breakMinutes === undefined
  ) {
    return undefined;
  }

  // V2 rule: Mon–Thu are open except [break_start, break_start + minutes); Sunday opens at
  // weekly_open and Friday closes at weekly_close without a break.
  const dailyBreaks: DailyBreak[] =
    breakMinutes > 0
      ? [
          {
            startMinute: breakStart,
            endMinute: (breakStart + breakMinutes) % 1440,
            timeZone: tz,
            weekdays: [1, 2, 3, 4],
          },
        ]
      : [];
  const closures: Closure[] = spans.map((s, i) => ({
    startMs: s.start,
    endMs: s.end,
    kind: 'closed',
    name: `closed interval ${i}`,
    source: `V2 calendar_overrides.json ${raw.calendar_tag} closed_intervals_utc[${i}] (${origin})`,
  }));
  return {
    id: raw.calendar_tag,
    description: raw.description ?? `V2 calendar profile ${raw.calendar_tag} (${origin})`,
    timeZone: tz,
    weeklyOpen: { weekday: 0, minute: open, timeZone: tz },
    weeklyClose: { weekday: 5, minute: close, timeZone: tz },
    dailyBreaks,
    tradingDayRollMinute: breakStart,
    closures,
    sessionWindows: [],
  };
}

/**
 * Parses a V2 profile array. Each profile keeps its `calendar_tag` as id. Throws
 * `CALENDAR_INVALID` naming every bad entry (`[1].closed_intervals_utc[3]: start >= end`).
 */
export function parseV2Profiles(doc: unknown, origin: string): CalendarProfile[] {
  const shapeIssues = checkShape(doc);
  if (shapeIssues.length > 0) throw invalidCalendar(origin, shapeIssues);
  const raw = doc as RawV2Profile[];
  const issues: CalendarIssue[] = [];
  const seen = new Map<string, number>();
  const profiles = raw.map((p, i) => {
    const first = seen.get(p.calendar_tag);
    if (first !== undefined)
      issues.push({
        path: `[${i}].calendar_tag`,
        message: `duplicate calendar_tag "${p.calendar_tag}" (also [${first}])`,
      });
    else seen.set(p.calendar_tag, i);
    return parseProfile(p, `[${i}]`, origin, issues);
  });
  if (issues.length > 0) throw invalidCalendar(origin, issues);
  return profiles.filter((p): p is CalendarProfile => p !== undefined);
}
