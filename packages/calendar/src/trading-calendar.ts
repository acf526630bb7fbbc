/**
 * `TradingCalendar`: the query API over one profile. Pure functions of time (epoch ms in and
 * out, no wall-clock reads). Each calendar week is expanded once into a few open spans and
 * cached, so per-tick and per-minute questions are a cache hit plus a scan of a handful of numbers.
 */
import { CalendarError } from './errors';
import { stateDetail, type StateDetail } from './market-state';
import type { CalendarProfile, Closure, TimeSpan } from './model';
import { buildWeekSchedule, scheduleLayers, type WeekSchedule } from './week-schedule';
import { DAY_MS, MINUTE_MS } from './zoned-time';

const WEEK_MS = 7 * DAY_MS;
// Weeks are cut at Saturday 12:00 UTC, deep inside every FX weekend, so few spans straddle a cut.
const WEEK_ORIGIN_MS = 2.5 * DAY_MS;
const MAX_CACHED_WEEKS = 2048;
const MAX_SCAN_WEEKS = 520;

/** Earliest instant the calendar answers for (1970-01-01T00:00Z). */
export const MIN_SUPPORTED_MS = 0;
/** First instant past the supported range (2200-01-01T00:00Z). */
export const MAX_SUPPORTED_MS = Date.UTC(2200, 0, 1);

/** Why a closed span is closed (several may apply to one merged span). */
export type ClosedCause = 'weekend' | 'daily_break' | 'closure';

/** A closed span `[start, end)` clipped to the queried range, with its causes. */
export interface ClosedSpan extends TimeSpan {
  readonly causes: readonly ClosedCause[];
  /** The explicit closures (holidays, early closes, late opens) that overlap the span. */
  readonly closures: readonly Closure[];
}

/** The session window containing an instant, with that occurrence's bounds. */
export interface SessionInfo {
  readonly tag: string;
  readonly name: string;
  /** Zone shown to people (V1 `timezone`). */
  readonly timeZone: string;
  readonly openMs: number;
  readonly closeMs: number;
}

/** Everything a status publisher needs about one instant. */
export interface MarketStatus {
  readonly open: boolean;
  /** `ts` itself when open. */
  readonly nextOpenMs: number;
  /** When the current (or, if closed, the next) open span ends. */
  readonly nextPauseMs: number;
  /** 0 when open. */
  readonly secondsToNextOpen: number;
  /** V1 `state_detail`; null while open. */
  readonly stateDetail: StateDetail | null;
  readonly tradingDayStartMs: number;
  readonly session: SessionInfo | null;
}

function checkTime(ts: number, name: string): void {
  // One comparison chain rejects NaN, ±Infinity, non-numbers and out-of-rail values.
  if (!(typeof ts === 'number' && ts >= MIN_SUPPORTED_MS && ts < MAX_SUPPORTED_MS)) {
    throw new CalendarError(
      'CALENDAR_BAD_TIME',
      `${name} must be epoch ms in [1970-01-01, 2200-01-01), got ${String(ts)}`,
    );
  }
}

function checkRange(from: number, to: number): void {
  checkTime(from, 'from');
  if (!(typeof to === 'number' && to >= MIN_SUPPORTED_MS && to <= MAX_SUPPORTED_MS)) {
    throw new CalendarError(
      'CALENDAR_BAD_TIME',
      `to must be epoch ms in [1970-01-01, 2200-01-01], got ${String(to)}`,
    );
  }
  if (to < from)
    throw new CalendarError('CALENDAR_BAD_TIME', `range end ${to} precedes its start ${from}`);
}

const weekIndexOf = (ts: number): number => Math.floor((ts - WEEK_ORIGIN_MS) / WEEK_MS);

/**
 * The trading calendar of one profile. Create one per profile and share it: it caches expanded
 * weeks (bounded), and every method is a pure function of its arguments.
 */
export class TradingCalendar {
  /** The resolved profile this calendar answers for. */
  readonly profile: CalendarProfile;
  // Indexed by week number (a dense, holey array is faster than a Map for the random-tick case).
  private weeks: (WeekSchedule | undefined)[] = [];
  private cachedWeeks = 0;
  private lastIndex = Number.NaN;
  private lastWeek: WeekSchedule | undefined;

  constructor(profile: CalendarProfile) {
    this.profile = profile;
  }

  /** Profile id, e.g. `fxcm_fx`. */
  get id(): string {
    return this.profile.id;
  }

  /**
   * How far the holiday data reaches: the end of the supported range when the profile has
   * recurring holiday rules (they hold for every year), else the end of the last dated closure,
   * or null without any.
   */
  get closuresCoverageEndMs(): number | null {
    if ((this.profile.holidayRules ?? []).length > 0) return MAX_SUPPORTED_MS;
    let end: number | null = null;
    for (const c of this.profile.closures) if (end === null || c.endMs > end) end = c.endMs;
    return end;
  }

  private weekAt(index: number): WeekSchedule {
    if (index === this.lastIndex && this.lastWeek !== undefined) return this.lastWeek;
    let week = this.weeks[index];
    if (week === undefined) {
      if (this.cachedWeeks >= MAX_CACHED_WEEKS) {
        this.weeks = [];
        this.cachedWeeks = 0;
      }
      const start = index * WEEK_MS + WEEK_ORIGIN_MS;
      week = buildWeekSchedule(this.profile, start, start + WEEK_MS);
      this.weeks[index] = week;
      this.cachedWeeks++;
    }
    this.lastIndex = index;
    this.lastWeek = week;
    return week;
  }

  /** Every closure, dated or derived from a recurring rule, that overlaps `[from, to)`. */
  closuresIn(from: number, to: number): Closure[] {
    checkRange(from, to);
    return scheduleLayers(this.profile, from, to).closures.slice();
  }

  /** True when the market is open at `ts` (all spans are half-open `[start, end)`). */
  isOpen(ts: number): boolean {
    checkTime(ts, 'ts');
    const open = this.weekAt(weekIndexOf(ts)).open;
    for (let i = 0; i < open.length; i += 2) {
      if (ts < open[i]!) return false;
      if (ts < open[i + 1]!) return true;
    }
    return false;
  }

  /** The first instant ≥ `ts` at which the market is open (`ts` itself when open). */
  nextOpen(ts: number): number {
    checkTime(ts, 'ts');
    const index = weekIndexOf(ts);
    const open = this.weekAt(index).open;
    for (let i = 0; i < open.length; i += 2) {
      if (ts < open[i]!) return open[i]!;
      if (ts < open[i + 1]!) return ts;
    }
    for (let k = 1; k <= MAX_SCAN_WEEKS; k++) {
      const next = this.weekAt(index + k).open;
      if (next.length > 0) return next[0]!;
    }
    throw new CalendarError(
      'CALENDAR_NO_OPEN',
      `profile ${this.id}: no open minute within ${MAX_SCAN_WEEKS} weeks of ${ts}`,
    );
  }

  /**
   * The next instant > `ts` at which trading pauses: the end of the open span containing `ts`,
   * or, when closed, the end of the span that starts at `nextOpen(ts)` (a break, a weekly close
   * or a closure, whichever comes first).
   */
  nextPause(ts: number): number {
    checkTime(ts, 'ts');
    let index = weekIndexOf(ts);
    let week = this.weekAt(index);
    let end: number | undefined;
    for (let i = 1; i < week.open.length; i += 2) {
      if (ts < week.open[i]!) {
        end = week.open[i]!;
        break;
      }
    }
    for (let k = 1; end === undefined; k++) {
      if (k > MAX_SCAN_WEEKS) {
        throw new CalendarError(
          'CALENDAR_NO_OPEN',
          `profile ${this.id}: no open minute within ${MAX_SCAN_WEEKS} weeks of ${ts}`,
        );
      }
      week = this.weekAt(index + k);
      if (week.open.length > 0) {
        index += k;
        end = week.open[1]!;
      }
    }
    // A span cut at the week edge continues if the next week opens at that very instant.
    for (let k = 0; end === week.end; k++) {
      if (k > MAX_SCAN_WEEKS) {
        throw new CalendarError(
          'CALENDAR_INVALID',
          `profile ${this.id}: trading never pauses within ${MAX_SCAN_WEEKS} weeks of ${ts}`,
        );
      }
      const next = this.weekAt(index + 1);
      if (next.open.length === 0 || next.open[0] !== end) break;
      index += 1;
      week = next;
      end = next.open[1]!;
    }
    return end;
  }

  /** Open spans inside `[from, to)`, clipped, merged across week edges, ascending. */
  openIntervals(from: number, to: number): TimeSpan[] {
    checkRange(from, to);
    const out: TimeSpan[] = [];
    for (let index = weekIndexOf(from); ; index++) {
      const week = this.weekAt(index);
      if (week.start >= to) break;
      const open = week.open;
      for (let i = 0; i < open.length; i += 2) {
        const start = Math.max(open[i]!, from);
        const end = Math.min(open[i + 1]!, to);
        if (end <= start) continue;
        const last = out[out.length - 1];
        if (last !== undefined && last.end === start)
          out[out.length - 1] = { start: last.start, end };
        else out.push({ start, end });
      }
    }
    return out;
  }

  /**
   * Closed spans inside `[from, to)` (the complement of `openIntervals`), clipped to the range,
   * each with its causes and the explicit closures that overlap it.
   */
  closedIntervals(from: number, to: number): ClosedSpan[] {
    const open = this.openIntervals(from, to);
    const gaps: TimeSpan[] = [];
    let cursor = from;
    for (const s of open) {
      if (s.start > cursor) gaps.push({ start: cursor, end: s.start });
      cursor = s.end;
    }
    if (cursor < to) gaps.push({ start: cursor, end: to });
    if (gaps.length === 0) return [];

    const layers = scheduleLayers(this.profile, from, to);
    return gaps.map((g) => {
      const causes: ClosedCause[] = [];
      if (!coveredBy(g, layers.weekly)) causes.push('weekend');
      const inWeek = (b: TimeSpan): boolean =>
        layers.weekly.some(
          (w) => Math.max(b.start, g.start, w.start) < Math.min(b.end, g.end, w.end),
        );
      if (layers.breaks.some(inWeek)) causes.push('daily_break');
      const closures = layers.closures.filter((c) => c.startMs < g.end && c.endMs > g.start);
      if (closures.length > 0) causes.push('closure');
      return { start: g.start, end: g.end, causes, closures };
    });
  }

  /**
   * Number of trading minutes in `[from, to)`: minute starts `m` (multiples of 60 000 ms) in the
   * range with `isOpen(m)`. The expected bar count for gap detection and window completeness.
   */
  openMinutes(from: number, to: number): number {
    checkRange(from, to);
    let count = 0;
    for (let index = weekIndexOf(from); ; index++) {
      const week = this.weekAt(index);
      if (week.start >= to) break;
      const open = week.open;
      for (let i = 0; i < open.length; i += 2) {
        const lo = Math.max(open[i]!, from);
        const hi = Math.min(open[i + 1]!, to);
        if (hi > lo) count += Math.ceil(hi / MINUTE_MS) - Math.ceil(lo / MINUTE_MS);
      }
    }
    return count;
  }

  /** Yields each trading minute start in `[from, to)`, ascending (the minutes `openMinutes` counts). */
  *eachOpenMinute(from: number, to: number): Generator<number, void, undefined> {
    for (const s of this.openIntervals(from, to)) {
      for (let m = Math.ceil(s.start / MINUTE_MS) * MINUTE_MS; m < s.end; m += MINUTE_MS) yield m;
    }
  }

  /**
   * Start of the earliest of the last `count` trading minutes before `to`: `[result, to)` holds
   * exactly `count` open minutes (fewer when the scan reaches `notBefore` first, which is then
   * the answer). The window of "the last N bars" whatever lies between: a weekend, a break, a
   * holiday. `count` ≤ 0 gives `to`.
   */
  startOfLastOpenMinutes(to: number, count: number, notBefore: number): number {
    checkRange(notBefore, to);
    let left = Math.floor(count);
    if (left <= 0) return to;
    for (let index = weekIndexOf(to - 1); ; index--) {
      const week = this.weekAt(index);
      if (week.end <= notBefore) return notBefore;
      const open = week.open;
      for (let i = open.length - 2; i >= 0; i -= 2) {
        const lo = Math.max(open[i]!, notBefore);
        const hi = Math.min(open[i + 1]!, to);
        if (hi <= lo) continue;
        const first = Math.ceil(lo / MINUTE_MS);
        const last = Math.ceil(hi / MINUTE_MS); // minute starts in [first, last)
        if (last - first >= left) return (last - left) * MINUTE_MS;
        left -= last - first;
      }
      if (week.start <= notBefore) return notBefore;
    }
  }

  /**
   * Start of the trading day containing `ts`: the latest daily roll (17:00 New York for the FXCM
   * profiles, DST-aware) at or before `ts`. The anchor of 4h and 1d buckets.
   */
  tradingDayStart(ts: number): number {
    checkTime(ts, 'ts');
    const rolls = this.weekAt(weekIndexOf(ts)).rolls;
    for (let i = rolls.length - 1; i >= 0; i--) if (rolls[i]! <= ts) return rolls[i]!;
    throw new CalendarError('CALENDAR_BAD_TIME', `no trading-day roll before ${ts}`);
  }

  /** The first daily roll strictly after `ts` (the end of the trading day containing `ts`). */
  nextTradingDayStart(ts: number): number {
    checkTime(ts, 'ts');
    const rolls = this.weekAt(weekIndexOf(ts)).rolls;
    for (let i = 0; i < rolls.length; i++) if (rolls[i]! > ts) return rolls[i]!;
    throw new CalendarError('CALENDAR_BAD_TIME', `no trading-day roll after ${ts}`);
  }

  /**
   * Start of the `tfMs` bucket containing `ts`, counted from the trading-day start
   * (e.g. 4h buckets at 17:00, 21:00, 01:00 … New York). Buckets restart at every roll.
   */
  anchoredBucketStart(ts: number, tfMs: number): number {
    if (!(Number.isInteger(tfMs) && tfMs > 0)) {
      throw new CalendarError(
        'CALENDAR_BAD_TIME',
        `tfMs must be a positive integer, got ${String(tfMs)}`,
      );
    }
    const dayStart = this.tradingDayStart(ts);
    return dayStart + Math.floor((ts - dayStart) / tfMs) * tfMs;
  }

  /**
   * The session window containing `ts` (first match in profile order wins; windows may cross
   * midnight), or null. Windows are labels of the time of day and apply whether or not the
   * market is open; combine with `isOpen` for status.
   */
  session(ts: number): SessionInfo | null {
    checkTime(ts, 'ts');
    const sessions = this.weekAt(weekIndexOf(ts)).sessions;
    for (let k = 0; k < sessions.length; k++) {
      const occ = sessions[k]!;
      for (let i = 0; i < occ.length; i += 2) {
        if (occ[i]! <= ts && ts < occ[i + 1]!) {
          const w = this.profile.sessionWindows[k]!;
          return {
            tag: w.tag,
            name: w.name,
            timeZone: w.displayTimeZone,
            openMs: occ[i]!,
            closeMs: occ[i + 1]!,
          };
        }
      }
    }
    return null;
  }

  /** Open/closed, next open, next pause, V1 state detail, trading-day start and session at `ts`. */
  marketStatus(ts: number): MarketStatus {
    const open = this.isOpen(ts);
    const nextOpenMs = this.nextOpen(ts);
    const secondsToNextOpen = (nextOpenMs - ts) / 1000;
    return {
      open,
      nextOpenMs,
      nextPauseMs: this.nextPause(ts),
      secondsToNextOpen,
      stateDetail: open ? null : stateDetail(secondsToNextOpen),
      tradingDayStartMs: this.tradingDayStart(ts),
      session: this.session(ts),
    };
  }
}

function coveredBy(span: TimeSpan, cover: readonly TimeSpan[]): boolean {
  let cursor = span.start;
  for (const c of cover) {
    if (c.end <= cursor) continue;
    if (c.start > cursor) return false;
    cursor = c.end;
    if (cursor >= span.end) return true;
  }
  return cursor >= span.end;
}
