/**
 * The V1 connector's `config/calendar_overrides.json` (one calendar for every symbol):
 * `holidays` (full UTC dates), `closed_intervals_utc`, `daily_breaks` in three spellings,
 * `weekly_open_utc` / `weekly_close_utc` with an optional `@TZ`, and `session_windows`.
 * Keys that are absent keep the V1 defaults, as V1 did.
 */
import { invalidCalendar, type CalendarIssue } from './errors';
import { checkSpans, childPath, compileSchema, type SpanEntry } from './document-validation';
import type { CalendarProfile, Closure, DailyBreak, SessionWindow, Weekday } from './model';
import { resolveSessionWindows } from './ssot-format';
import {
  DAY_MS,
  isKnownTimeZone,
  parseIsoDate,
  parseIsoUtcInstant,
  parseTimeOfDay,
  resolveZoneAlias,
} from './zoned-time';

const ALL_DAYS: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];

/** V1 defaults (`sessions.py`): used for every key the overrides file leaves out. */
export const V1_DEFAULTS = {
  weeklyOpen: '18:00@America/New_York',
  weeklyClose: '16:55@America/New_York',
  dailyBreaks: ['17:00-18:00@America/New_York'],
  holidays: [
    '2025-01-01',
    '2025-01-20',
    '2025-02-17',
    '2025-04-18',
    '2025-05-26',
    '2025-07-04',
    '2025-09-01',
    '2025-11-27',
    '2025-12-25',
  ],
} as const;

const V1_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    holidays: { type: 'array', items: { type: 'string' } },
    closed_intervals_utc: {
      type: 'array',
      items: { type: ['object', 'array'] },
    },
    daily_breaks: { type: 'array', items: { type: ['string', 'array', 'object'] } },
    weekly_open_utc: { type: 'string' },
    weekly_close_utc: { type: 'string' },
    session_windows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tag', 'start', 'end'],
        properties: {
          tag: { type: 'string', minLength: 1 },
          start: { type: 'string' },
          end: { type: 'string' },
          tz: { type: 'string', minLength: 1 },
          timezone: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

const checkShape = compileSchema(V1_SCHEMA);

interface RawV1 {
  holidays?: string[];
  closed_intervals_utc?: unknown[];
  daily_breaks?: unknown[];
  weekly_open_utc?: string;
  weekly_close_utc?: string;
  session_windows?: { tag: string; start: string; end: string; tz?: string; timezone?: string }[];
}

/** Parses `HH:MM` or `HH:MM@TZ` (TZ defaults to UTC, V1 aliases allowed). */
function parseZonedTime(
  text: string,
  path: string,
  issues: CalendarIssue[],
): { minute: number; timeZone: string } | undefined {
  const at = text.indexOf('@');
  const time = at < 0 ? text : text.slice(0, at);
  const timeZone = at < 0 ? 'UTC' : resolveZoneAlias(text.slice(at + 1));
  const minute = parseTimeOfDay(time);
  if (minute === undefined) {
    issues.push({ path, message: `expected "HH:MM" or "HH:MM@TZ", got ${JSON.stringify(text)}` });
    return undefined;
  }
  if (!isKnownTimeZone(timeZone)) {
    issues.push({ path, message: `unknown time zone "${timeZone}"` });
    return undefined;
  }
  return { minute, timeZone };
}

const BREAK_SPELLINGS = 'expected "HH:MM-HH:MM@TZ", [start, end, tz] or {start, end, tz}';

function parseBreak(entry: unknown, path: string, issues: CalendarIssue[]): DailyBreak | undefined {
  let start: unknown;
  let end: unknown;
  let tz: unknown;
  if (typeof entry === 'string') {
    const at = entry.indexOf('@');
    const times = at < 0 ? entry : entry.slice(0, at);
    tz = at < 0 ? undefined : entry.slice(at + 1);
    const dash = times.indexOf('-');
    if (dash < 0) {
      issues.push({ path, message: `${BREAK_SPELLINGS}, got ${JSON.stringify(entry)}` });
      return undefined;
    }
    [start, end] = [times.slice(0, dash), times.slice(dash + 1)];
  } else if (Array.isArray(entry)) {
    if (entry.length !== 2 && entry.length !== 3) {
      issues.push({
        path,
        message: `${BREAK_SPELLINGS}; an array needs 2 or 3 items, got ${entry.length}`,
      });
      return undefined;
    }
    [start, end, tz] = entry as unknown[];
  } else if (entry !== null && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    const unknownKeys = Object.keys(o).filter((k) => !['start', 'end', 'tz'].includes(k));
    if (unknownKeys.length > 0) {
      issues.push({ path, message: `unknown property "${unknownKeys[0]}" (${BREAK_SPELLINGS})` });
      return undefined;
    }
    [start, end, tz] = [o.start, o.end, o.tz];
  }
  if (
    typeof start !== 'string' ||
    typeof end !== 'string' ||
    (tz !== undefined && typeof tz !== 'string')
  ) {
    issues.push({ path, message: `${BREAK_SPELLINGS}, got ${JSON.stringify(entry)}` });
    return undefined;
  }
  const s = parseTimeOfDay(start);
  const e = parseTimeOfDay(end);
  const timeZone = resolveZoneAlias(tz ?? 'UTC');
  if (s === undefined || e === undefined) {
    issues.push({
      path,
      message: `times must be "HH:MM" (00:00-23:59), got ${JSON.stringify(entry)}`,
    });
    return undefined;
  }
  if (!isKnownTimeZone(timeZone)) {
    issues.push({ path, message: `unknown time zone "${timeZone}"` });
    return undefined;
  }
  if (s === e) {
    issues.push({ path, message: `start equals end (${start}); a break needs a length` });
    return undefined;
  }
  return { startMinute: s, endMinute: e, timeZone, weekdays: ALL_DAYS };
}

function parseInstant(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string') return parseIsoUtcInstant(v);
  return undefined;
}

const SESSION_NAMES: readonly [RegExp, string][] = [
  [/^(TOKYO|TKY|ASIA)/, 'Tokyo'],
  [/^(LDN|LONDON|LON|EU)/, 'London'],
  [/^(NY|NEW_?YORK|US)/, 'New York'],
];

/** Human name for a V1 session tag (`LDN_METALS` → `London`); the tag itself otherwise. */
export function sessionNameForTag(tag: string): string {
  return SESSION_NAMES.find(([re]) => re.test(tag.toUpperCase()))?.[1] ?? tag;
}

/** Options for `parseV1Overrides`. */
export interface V1ParseOptions {
  /** Profile id to give the result (default `v1_overrides`). */
  readonly id?: string;
}

/**
 * Parses a V1 `calendar_overrides.json` into a profile. Semantics kept from V1: the week opens on
 * Sunday and closes on Friday at the given times in their zones, daily breaks apply on every day,
 * holidays close their full UTC date. The trading day rolls at the first break's start (V2's 1d
 * boundary), or at the weekly close time when there is no break. Throws `CALENDAR_INVALID`.
 */
export function parseV1Overrides(
  doc: unknown,
  origin: string,
  options: V1ParseOptions = {},
): CalendarProfile {
  const shapeIssues = checkShape(doc);
  if (shapeIssues.length > 0) throw invalidCalendar(origin, shapeIssues);
  const raw = doc as RawV1;
  const issues: CalendarIssue[] = [];

  const open = parseZonedTime(
    raw.weekly_open_utc ?? V1_DEFAULTS.weeklyOpen,
    'weekly_open_utc',
    issues,
  );
  const close = parseZonedTime(
    raw.weekly_close_utc ?? V1_DEFAULTS.weeklyClose,
    'weekly_close_utc',
    issues,
  );

  const breakEntries: readonly unknown[] = raw.daily_breaks ?? V1_DEFAULTS.dailyBreaks;
  const dailyBreaks = breakEntries
    .map((b, i) => parseBreak(b, childPath('daily_breaks', i), issues))
    .filter((b): b is DailyBreak => b !== undefined);

  const closures: Closure[] = [];
  const holidays: readonly string[] = raw.holidays ?? V1_DEFAULTS.holidays;
  holidays.forEach((h, i) => {
    const day = parseIsoDate(h);
    if (day === undefined) {
      issues.push({
        path: childPath('holidays', i),
        message: `expected a date "YYYY-MM-DD", got ${JSON.stringify(h)}`,
      });
      return;
    }
    closures.push({
      startMs: day * DAY_MS,
      endMs: (day + 1) * DAY_MS,
      kind: 'holiday',
      name: `holiday ${h}`,
      source:
        raw.holidays === undefined
          ? 'V1 default holidays (sessions.py)'
          : `V1 calendar_overrides.json holidays[${i}] (${origin})`,
    });
  });

  const spans: SpanEntry[] = [];
  (raw.closed_intervals_utc ?? []).forEach((entry, i) => {
    const path = childPath('closed_intervals_utc', i);
    const [s, e] = Array.isArray(entry)
      ? (entry as unknown[]).length === 2
        ? [entry[0], entry[1]]
        : [undefined, undefined]
      : [(entry as Record<string, unknown>).start, (entry as Record<string, unknown>).end];
    const start = parseInstant(s);
    const end = parseInstant(e);
    if (start === undefined || end === undefined) {
      issues.push({
        path,
        message: `expected {start, end} or [start, end] as ISO UTC instants ending in Z or integer epoch ms, got ${JSON.stringify(entry)}`,
      });
      return;
    }
    spans.push({ path, start, end });
    closures.push({
      startMs: start,
      endMs: end,
      kind: 'closed',
      name: `closed interval ${i}`,
      source: `V1 calendar_overrides.json closed_intervals_utc[${i}] (${origin})`,
    });
  });
  issues.push(...checkSpans(spans));

  const sessionWindows: SessionWindow[] = resolveSessionWindows(
    (raw.session_windows ?? []).map((w) => {
      const tz = resolveZoneAlias(w.tz ?? w.timezone ?? 'UTC');
      return {
        tag: w.tag,
        name: sessionNameForTag(w.tag),
        start: w.start,
        end: w.end,
        tz,
        display_tz: resolveZoneAlias(w.timezone ?? tz),
      };
    }),
    'session_windows',
    issues,
  );
  (raw.session_windows ?? []).forEach((w, i) => {
    for (const key of ['start', 'end'] as const) {
      if (parseTimeOfDay(w[key]) === undefined) {
        issues.push({
          path: childPath(childPath('session_windows', i), key),
          message: `must be "HH:MM" (00:00-23:59), got ${JSON.stringify(w[key])}`,
        });
      }
    }
  });

  if (issues.length > 0 || open === undefined || close === undefined)
    throw invalidCalendar(origin, issues);

  const firstBreak = dailyBreaks[0];
  closures.sort((a, b) => a.startMs - b.startMs);
  return {
    id: options.id ?? 'v1_overrides',
    description: `V1 calendar overrides (${origin})`,
    timeZone: firstBreak?.timeZone ?? close.timeZone,
    weeklyOpen: { weekday: 0, minute: open.minute, timeZone: open.timeZone },
    weeklyClose: { weekday: 5, minute: close.minute, timeZone: close.timeZone },
    dailyBreaks,
    tradingDayRollMinute: firstBreak?.startMinute ?? close.minute,
    closures,
    sessionWindows,
  };
}
