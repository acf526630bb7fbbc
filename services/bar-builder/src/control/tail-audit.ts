import type { TimeSpan } from '@fxcm/calendar';

const MINUTE = 60_000;

/** The calendar questions a tail audit asks (a `TradingCalendar` answers them). */
export interface AuditCalendar {
  /** Open spans inside `[from, to)`, ascending. */
  openIntervals(from: number, to: number): TimeSpan[];
  /** Start of the earliest of the last `count` open minutes before `to` (not before `notBefore`). */
  startOfLastOpenMinutes(to: number, count: number, notBefore: number): number;
}

/** A run of consecutive open minutes without a stored final bar: `[from, to)`, epoch ms. */
export interface TailHole {
  from: number;
  to: number;
  /** Open minutes in the run. */
  minutes: number;
}

/** What a tail audit found for one symbol's final 1m bars. */
export interface TailAudit {
  /** The audited range `[from, to)`, epoch ms on minutes. */
  from: number;
  to: number;
  /** Open minutes of the calendar in the range: the bars the store should hold. */
  expected: number;
  /** Of those, minutes with a stored final bar. */
  present: number;
  /** Of the present ones, synthetic bars (gap fillers, not repairable from history). */
  synthetic: number;
  /** Open minutes without a stored bar. */
  missing: number;
  /** The missing minutes as runs, ascending (a run crosses closed time: a weekend never splits one). */
  holes: TailHole[];
}

/**
 * The audited range of a tail guard: the last `windowHours × 60` *open* minutes of the calendar
 * before `end` (so a window asked on a weekend or in a break reaches back into the last session,
 * as a warmup's does), never more than `maxSpanMs` of wall time.
 */
export function tailWindow(
  calendar: AuditCalendar,
  end: number,
  windowHours: number,
  maxSpanMs: number,
): { from: number; to: number } {
  const to = Math.floor(end / MINUTE) * MINUTE;
  const from = calendar.startOfLastOpenMinutes(
    to,
    Math.round(windowHours * 60),
    Math.floor((to - maxSpanMs) / MINUTE) * MINUTE,
  );
  return { from, to };
}

/**
 * Audits stored final 1m bars against the calendar's open minutes of `[from, to)`: every open
 * minute should have a bar; the ones that do not are reported as holes. Stored bars at closed
 * minutes or outside the range are not counted. `stored` is the store's bars of the range, in
 * any order.
 */
export function auditTail(
  stored: readonly { open_time: number; synthetic?: boolean }[],
  calendar: AuditCalendar,
  from: number,
  to: number,
): TailAudit {
  const bars = new Map<number, boolean>();
  for (const b of stored) bars.set(b.open_time, b.synthetic === true);
  let expected = 0;
  let present = 0;
  let synthetic = 0;
  const holes: TailHole[] = [];
  let run: TailHole | undefined;
  for (const span of calendar.openIntervals(from, to)) {
    for (let m = Math.ceil(span.start / MINUTE) * MINUTE; m < span.end; m += MINUTE) {
      expected++;
      const isSynthetic = bars.get(m);
      if (isSynthetic !== undefined) {
        present++;
        if (isSynthetic) synthetic++;
        run = undefined;
        continue;
      }
      if (run) {
        run.to = m + MINUTE;
        run.minutes++;
      } else {
        run = { from: m, to: m + MINUTE, minutes: 1 };
        holes.push(run);
      }
    }
  }
  return { from, to, expected, present, synthetic, missing: expected - present, holes };
}

/** The open minutes of `holes` that now have a stored bar (what a repair filled), ascending. */
export function filledMinutes(
  holes: readonly TailHole[],
  stored: readonly { open_time: number }[],
): number[] {
  return stored
    .map((b) => b.open_time)
    .filter((m) => holes.some((h) => m >= h.from && m < h.to))
    .sort((a, b) => a - b);
}
