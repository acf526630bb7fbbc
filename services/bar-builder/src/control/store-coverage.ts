import { MINUTE_MS, type Timeframe } from '../domain/bar';
import { windowOf, type SessionCalendar } from '../domain/session-calendar';

/** One target whose coverage the scheduler asks for: its span `[from, to)`, epoch ms. */
export interface CoverageAsk {
  symbol: string;
  tf: Timeframe;
  from: number;
  to: number;
}

/** How much of a target's span the store covers, in bars of the target's tf. */
export interface CoverageCount {
  symbol: string;
  tf: Timeframe;
  /** Windows of `tf` wholly inside the span holding at least one stored final 1m bar. */
  stored: number;
  /** Windows of `tf` wholly inside the span with an open minute: the most `stored` can be. */
  expected: number;
}

/**
 * Coverage of one span: the windows of `tf` inside it (HTF windows as the store's republish
 * builds them, 4h and 1d on the calendar's trading day) that hold a stored final 1m bar,
 * against the windows the calendar opens in it. Stored minutes that are not open count too:
 * the store holds what the feed delivered. `minutes` are the stored 1m bars of the span, any order.
 */
export function countCoverage(
  minutes: readonly { open_time: number }[],
  ask: CoverageAsk,
  calendar: SessionCalendar,
): CoverageCount {
  const { symbol, tf, from, to } = ask;
  // Only windows wholly inside the span: the one still forming at its end is not a bar yet.
  const windowInSpan = (minute: number): number | undefined => {
    const w = windowOf(tf, minute, calendar, symbol);
    return w.start >= from && w.end <= to ? w.start : undefined;
  };
  const stored = new Set<number>();
  for (const m of minutes) {
    const start = windowInSpan(m.open_time);
    if (start !== undefined) stored.add(start);
  }
  const expected = new Set<number>();
  for (let m = Math.ceil(from / MINUTE_MS) * MINUTE_MS; m < to; m += MINUTE_MS) {
    const start = calendar.isOpen(m) ? windowInSpan(m) : undefined;
    if (start !== undefined) expected.add(start);
  }
  return { symbol, tf, stored: stored.size, expected: expected.size };
}
