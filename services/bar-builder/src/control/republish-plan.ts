import { makeBar, MINUTE_MS, TIMEFRAME_MS, type Bar, type Timeframe } from '../domain/bar';
import { windowOf, type SessionCalendar } from '../domain/session-calendar';
import { WindowAggregate } from '../domain/window-aggregate';
import type { StoredBar } from '../store';

/** Largest `fxcm:ohlcv` message a republish sends, bars (the V1 ingest limit). */
export const MAX_BARS_PER_MESSAGE = 5_000;

/** The wire form of a stored final 1m bar: the same fields the engine emitted it with. */
export function wireBarOf(stored: StoredBar): Bar {
  return makeBar({
    tf: '1m',
    openTime: stored.open_time,
    closeTime: stored.close_time,
    open: stored.open,
    high: stored.high,
    low: stored.low,
    close: stored.close,
    volume: stored.volume,
    tickCount: stored.tick_count,
    complete: true,
    synthetic: stored.synthetic,
    source: stored.source,
    avgSpread: stored.avg_spread,
    maxSpread: stored.max_spread,
  });
}

/** How many of the newest 1m bars to read for `bars` bars of `tf` (one extra window of slack). */
export function minutesToRead(tf: Timeframe, bars: number, cap: number): number {
  return Math.min(cap, (bars + 1) * (TIMEFRAME_MS[tf] / MINUTE_MS));
}

/**
 * The last `count` final bars of `tf` from the newest stored 1m bars (`minutes`, ascending): 1m
 * as stored; a higher timeframe built window by window as the engine builds it (4h and 1d on the
 * trading day of `calendar`). A window counts only when it is over (its end is at or before the
 * end of the newest stored minute) and, when the read was cut at `limit`, only from the first
 * window that starts inside what was read.
 */
export function republishBars(
  minutes: readonly StoredBar[],
  tf: Timeframe,
  count: number,
  calendar: SessionCalendar,
  symbol: string,
  truncated: boolean,
): Bar[] {
  if (count <= 0 || minutes.length === 0) return [];
  if (tf === '1m') return minutes.slice(-count).map(wireBarOf);
  const windows: WindowAggregate[] = [];
  for (const m of minutes) {
    let current = windows[windows.length - 1];
    if (!current || m.open_time >= current.end) {
      const w = windowOf(tf, m.open_time, calendar, symbol);
      current = new WindowAggregate(w.start, w.end);
      windows.push(current);
    }
    current.add(m);
  }
  const dataEnd = minutes[minutes.length - 1]!.open_time + MINUTE_MS;
  const firstRead = minutes[0]!.open_time;
  return windows
    .filter((w) => w.end <= dataEnd && (!truncated || w.start >= firstRead))
    .slice(-count)
    .map((w) => w.toBar(tf, true));
}

/** Splits bars into messages of at most {@link MAX_BARS_PER_MESSAGE}. */
export function chunks<T>(items: readonly T[], size = MAX_BARS_PER_MESSAGE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
