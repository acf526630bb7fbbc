import {
  createBarEngine,
  type BarEngine,
  type BarEngineOptions,
  type BarEvent,
  type SessionCalendar,
} from '../../src/domain';

/** Epoch ms of an ISO time written without the zone (always UTC). */
export function T(iso: string): number {
  const ms = Date.parse(`${iso}Z`);
  if (Number.isNaN(ms)) throw new Error(`bad time ${iso}`);
  return ms;
}

/** ISO (UTC, no zone suffix) of epoch ms, for readable assertions. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

/**
 * A calendar from listed closed intervals `[start, end)` (UTC) and a fixed daily roll hour (UTC):
 * the small explicit calendar the generic rule tests use.
 */
export function listedCalendar(
  closed: ReadonlyArray<[string, string]> = [],
  rollHourUtc = 21,
): SessionCalendar {
  const spans = closed.map(([a, b]) => [T(a), T(b)] as const);
  const roll = rollHourUtc * 3_600_000;
  return {
    isOpen: (ts) => !spans.some(([a, b]) => ts >= a && ts < b),
    tradingDayStart: (ts) => {
      const day = ts - (ts % 86_400_000);
      return ts >= day + roll ? day + roll : day + roll - 86_400_000;
    },
  };
}

/** An engine for one calendar, `bid` prices and all timeframes unless told otherwise. */
export function engineWith(
  calendar: SessionCalendar = listedCalendar(),
  options: Partial<BarEngineOptions> = {},
): BarEngine {
  return createBarEngine({ priceMode: 'bid', ...options, calendarFor: () => calendar });
}

/** Feeds a tick with bid `bid` and ask `ask` (default bid + 0.0002). */
export function tick(
  engine: BarEngine,
  symbol: string,
  at: string,
  bid: number,
  ask = bid + 0.0002,
): string {
  return engine.onTick({ symbol, ts: T(at), bid, ask });
}

/** The events of one watermark, alive feed unless told. */
export function wm(
  engine: BarEngine,
  at: string,
  feed: 'alive' | 'dead' = 'alive',
): readonly BarEvent[] {
  return engine.onWatermark({ ts: T(at), feed });
}

/** `tf@open_time` of each event, compact for ordering assertions. */
export function keys(events: readonly BarEvent[]): string[] {
  return events.map(
    (e) => `${e.kind === 'revised' ? 'revised ' : ''}${e.symbol} ${e.tf}@${iso(e.bar.open_time)}`,
  );
}

/** The events of one timeframe. */
export function ofTf(events: readonly BarEvent[], tf: string): BarEvent[] {
  return events.filter((e) => e.tf === tf);
}
