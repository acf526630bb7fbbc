import { HOUR_MS, MINUTE_MS, TIMEFRAME_MS, type Timeframe } from './bar';
import { BarEngineError } from './engine-error';

/**
 * The narrow view of a trading calendar the engine needs. `@fxcm/calendar` objects satisfy it;
 * tests may pass a calendar built from explicit closed intervals.
 */
export interface SessionCalendar {
  /**
   * True when the market is open at `ts`. The engine asks at minute starts only: minute `M`
   * has a bar iff `isOpen(M)`.
   */
  isOpen(ts: number): boolean;
  /**
   * Start (int ms, on a minute) of the trading day containing `ts`, so `tradingDayStart(ts) <= ts`.
   * Trading days tile time with no gaps (weekends and holidays included: they are closed days,
   * not missing ones), so the day after `d` starts at `tradingDayStart(d + 24 h)` for a 23 h or
   * 24 h day and at `tradingDayStart(d + 25 h)` for a 25 h day.
   */
  tradingDayStart(ts: number): number;
  /**
   * Optional: the first trading-day start strictly after `ts` (the end of the day containing
   * `ts`). Used when present; otherwise the end is found by probing `tradingDayStart`.
   */
  nextTradingDayStart?(ts: number): number;
}

/** A half-open window `[start, end)` of one timeframe, int epoch ms. */
export interface Window {
  start: number;
  end: number;
}

const DAY_MS = 24 * HOUR_MS;

function dayStart(calendar: SessionCalendar, ts: number, symbol: string): number {
  let start: number;
  try {
    start = calendar.tradingDayStart(ts);
  } catch (err) {
    throw new BarEngineError(
      'BAR_CALENDAR_FAILED',
      `${symbol}: calendar.tradingDayStart(${ts}) threw: ${(err as Error).message}`,
      { symbol, cause: err },
    );
  }
  // A day start must not be after ts nor more than a (long) day before it, and lie on a minute.
  if (
    typeof start !== 'number' ||
    !Number.isInteger(start) ||
    start > ts ||
    start <= ts - DAY_MS - 2 * HOUR_MS ||
    start % MINUTE_MS !== 0
  ) {
    throw new BarEngineError(
      'BAR_CALENDAR_FAILED',
      `${symbol}: calendar.tradingDayStart(${ts}) returned ${String(start)}, expected a minute start in (ts − 26 h, ts]`,
      { symbol },
    );
  }
  return start;
}

/** End of the trading day that starts at `start`: the start of the next one. */
function dayEnd(calendar: SessionCalendar, start: number, symbol: string): number {
  if (typeof calendar.nextTradingDayStart === 'function') {
    let next: number;
    try {
      next = calendar.nextTradingDayStart(start);
    } catch (err) {
      throw new BarEngineError(
        'BAR_CALENDAR_FAILED',
        `${symbol}: calendar.nextTradingDayStart(${start}) threw: ${(err as Error).message}`,
        { symbol, cause: err },
      );
    }
    if (
      typeof next !== 'number' ||
      !Number.isInteger(next) ||
      next <= start ||
      next > start + DAY_MS + 2 * HOUR_MS ||
      next % MINUTE_MS !== 0
    ) {
      throw new BarEngineError(
        'BAR_CALENDAR_FAILED',
        `${symbol}: calendar.nextTradingDayStart(${start}) returned ${String(next)}, expected a minute start in (start, start + 26 h]`,
        { symbol },
      );
    }
    return next;
  }
  for (const probe of [DAY_MS, DAY_MS + HOUR_MS]) {
    const next = dayStart(calendar, start + probe, symbol);
    if (next > start) return next;
  }
  throw new BarEngineError(
    'BAR_CALENDAR_FAILED',
    `${symbol}: no trading day starts within 25 h after ${start}`,
    { symbol },
  );
}

/**
 * The window of timeframe `tf` (not `1m`) that contains minute `minute`. 5m, 15m, 30m and 1h are
 * aligned to the epoch (UTC); 4h and 1d are anchored at the trading-day start: the day is
 * `[dayStart, nextDayStart)` and its 4h windows are `dayStart + k·4h`, the last one cut at the
 * day's end.
 */
export function windowOf(
  tf: Timeframe,
  minute: number,
  calendar: SessionCalendar,
  symbol: string,
): Window {
  const len = TIMEFRAME_MS[tf];
  if (tf !== '4h' && tf !== '1d') {
    const start = minute - (minute % len);
    return { start, end: start + len };
  }
  const start = dayStart(calendar, minute, symbol);
  const end = dayEnd(calendar, start, symbol);
  if (tf === '1d') return { start, end };
  const k = Math.floor((minute - start) / len);
  const wStart = start + k * len;
  return { start: wStart, end: Math.min(wStart + len, end) };
}

/** Asks the calendar whether minute `minute` is open, with its failure turned into a coded error. */
export function minuteIsOpen(calendar: SessionCalendar, minute: number, symbol: string): boolean {
  try {
    return calendar.isOpen(minute) === true;
  } catch (err) {
    throw new BarEngineError(
      'BAR_CALENDAR_FAILED',
      `${symbol}: calendar.isOpen(${minute}) threw: ${(err as Error).message}`,
      { symbol, cause: err },
    );
  }
}
