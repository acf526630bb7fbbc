/**
 * Wall-clock ↔ UTC conversion for IANA zones. Civil dates are day numbers (days since
 * 1970-01-01); wall times are minutes after local midnight. Offsets come from the platform's
 * tz database (Intl), evaluated at the instant itself, so every date gets its own DST offset.
 */
import type { Weekday } from './model';

/** Milliseconds per minute. */
export const MINUTE_MS = 60_000;
/** Milliseconds per day. */
export const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null; // RangeError: the platform does not know this zone
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `ts`, in ms (east positive); NaN for an unknown zone. */
export function zoneOffsetMs(timeZone: string, ts: number): number {
  if (timeZone === 'UTC') return 0;
  const f = formatterFor(timeZone);
  if (f === null) return Number.NaN;
  const whole = Math.floor(ts / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(whole))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return wall - whole;
}

/** True when the platform knows `timeZone`. */
export function isKnownTimeZone(timeZone: string): boolean {
  return Number.isFinite(zoneOffsetMs(timeZone, 0));
}

/** Day number (days since 1970-01-01) of a civil date. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Weekday (0 = Sunday) of a day number; 1970-01-01 was a Thursday. */
export function weekdayOf(day: number): Weekday {
  return ((((day + 4) % 7) + 7) % 7) as Weekday;
}

/** Civil date and wall minute of instant `ts` in `timeZone`. */
export function localTimeOf(ts: number, timeZone: string): { day: number; minute: number } {
  const wall = ts + zoneOffsetMs(timeZone, ts);
  const day = Math.floor(wall / DAY_MS);
  return { day, minute: Math.floor((wall - day * DAY_MS) / MINUTE_MS) };
}

/**
 * UTC instant of wall time `minute` on civil day `day` in `timeZone` (minute may fall outside
 * 0..1439; it is plain wall-clock arithmetic). DST rules: a wall time that occurs twice (autumn)
 * maps to the earlier instant; one skipped by a spring-forward gap maps to the instant the same
 * distance after the gap starts (02:30 on a 02:00→03:00 day is 03:30 new time), as Python's
 * zoneinfo and Temporal's "compatible" mode do.
 */
export function zonedToUtc(day: number, minute: number, timeZone: string): number {
  const wall = day * DAY_MS + minute * MINUTE_MS;
  if (timeZone === 'UTC') return wall;
  // Transitions are at least days apart, so the offsets a day either side bound the candidates.
  const before = zoneOffsetMs(timeZone, wall - DAY_MS);
  const after = zoneOffsetMs(timeZone, wall + DAY_MS);
  if (before === after) return wall - before;
  const viaBefore = wall - before;
  const viaAfter = wall - after;
  const beforeFits = zoneOffsetMs(timeZone, viaBefore) === before;
  const afterFits = zoneOffsetMs(timeZone, viaAfter) === after;
  if (beforeFits && afterFits) return Math.min(viaBefore, viaAfter);
  if (beforeFits) return viaBefore;
  if (afterFits) return viaAfter;
  return viaBefore;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses `HH:MM` (00:00–23:59) into minutes after midnight; undefined when malformed. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = TIME_OF_DAY.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` into a day number; undefined when malformed or not a real date. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dn = dayNumber(y, mo, d);
  const back = new Date(dn * DAY_MS);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== mo || back.getUTCDate() !== d)
    return undefined;
  return dn;
}

const ISO_UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?Z$/;

/** Parses an ISO-8601 UTC instant that ends in `Z` (e.g. `2025-12-26T21:30:00Z`) into epoch ms. */
export function parseIsoUtcInstant(text: string): number | undefined {
  const m = ISO_UTC_INSTANT.exec(text.trim());
  if (!m) return undefined;
  const day = parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`);
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === undefined || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  return day * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Formats epoch ms as `YYYY-MM-DDTHH:MM:SSZ` (milliseconds shown only when non-zero). */
export function formatUtc(ts: number): string {
  const iso = new Date(ts).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

const WEEKDAY_NAMES: Record<string, Weekday> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

/** Parses a three-letter weekday (`sun` … `sat`, case-insensitive). */
export function parseWeekday(text: string): Weekday | undefined {
  return WEEKDAY_NAMES[text.trim().toLowerCase()];
}

// The V1 connector accepted these short names; anything else must be an IANA zone name.
const ZONE_ALIASES: Record<string, string> = {
  utc: 'UTC',
  z: 'UTC',
  gmt: 'UTC',
  ny: 'America/New_York',
  nyc: 'America/New_York',
  new_york: 'America/New_York',
  newyork: 'America/New_York',
  est: 'America/New_York',
  edt: 'America/New_York',
  et: 'America/New_York',
  london: 'Europe/London',
  ldn: 'Europe/London',
  bst: 'Europe/London',
  tokyo: 'Asia/Tokyo',
  jst: 'Asia/Tokyo',
};

/** Resolves a V1 zone alias (`ny`, `est`, `london`, `jst`, `utc`, …) or returns the name unchanged. */
export function resolveZoneAlias(name: string): string {
  const trimmed = name.trim();
  return ZONE_ALIASES[trimmed.toLowerCase()] ?? trimmed;
}
