import {
  createBarEngine,
  type Bar,
  type BarEngine,
  type BarEngineOptions,
  type BarEvent,
  type SessionCalendar,
} from '../src/domain';
import type { EurusdDay } from './fxcm-archive';

/**
 * Replays real EUR/USD days through the engine as a replay gateway would (a watermark equal to
 * each tick's time after the tick, and one at the end of the last minute) and compares every
 * tick-built 1m bar with the reference bars of the same ticks.
 */

export const SYMBOL = 'EURUSD';

/** A minute whose engine bar differs from the reference. */
export interface ReferenceMismatch {
  open_time: string;
  expected: number[];
  actual: number[] | null;
}

/** Outcome of a reference replay. */
export interface ReferenceReport {
  mode: 'bid' | 'ask';
  days: number;
  ticks: number;
  /** Reference bars in minutes the calendar says are open. */
  referenceOpenMinutes: number;
  /** Of those, minutes whose engine bar equals the reference exactly (O, H, L, C). */
  barsEqual: number;
  mismatches: ReferenceMismatch[];
  /** Tick-built engine bars with no reference bar (must be none). */
  extraBars: number;
  /** Reference bars in closed minutes (their ticks are outside the session). */
  referenceClosedMinutes: number;
  ticksOutsideSession: number;
  syntheticAdded: number;
  /** All 1m finals and higher-timeframe finals emitted. */
  finals1m: number;
  finalsHtf: number;
}

const iso = (t: number): string => new Date(t).toISOString();

/**
 * Feeds `days` (consecutive, ascending) to a fresh engine with every timeframe, a watermark at
 * each tick's time and one at the end of the last minute, handing every event list to `collect`.
 */
export function replayDays(
  days: readonly EurusdDay[],
  mode: 'bid' | 'ask',
  calendar: SessionCalendar,
  collect: (events: readonly BarEvent[]) => void,
  options: Partial<BarEngineOptions> = {},
): BarEngine {
  const engine = createBarEngine({ priceMode: mode, ...options, calendarFor: () => calendar });
  let lastTs = 0;
  for (const d of days) {
    const t = d.ticks;
    for (let i = 0; i < t.length; i++) {
      const ts = t.ts[i] as number;
      engine.onTick({ symbol: SYMBOL, ts, bid: t.bid[i] as number, ask: t.ask[i] as number });
      collect(engine.onWatermark({ ts, feed: 'alive' }));
      lastTs = ts;
    }
  }
  collect(engine.onWatermark({ ts: lastTs - (lastTs % 60_000) + 60_000, feed: 'alive' }));
  return engine;
}

/** Runs `days` (consecutive, ascending) through one engine and compares with the reference. */
export function runReferenceCheck(
  days: readonly EurusdDay[],
  mode: 'bid' | 'ask',
  calendar: SessionCalendar,
): ReferenceReport {
  const bars1m = new Map<number, Bar>();
  let finalsHtf = 0;
  let finals1m = 0;
  const engine = replayDays(days, mode, calendar, (events) => {
    for (const e of events) {
      if (e.tf === '1m') {
        finals1m++;
        bars1m.set(e.bar.open_time, e.bar);
      } else finalsHtf++;
    }
  });
  const ticks = days.reduce((n, d) => n + d.ticks.length, 0);

  const side = mode === 'bid' ? 0 : 1;
  let referenceOpenMinutes = 0;
  let referenceClosedMinutes = 0;
  let barsEqual = 0;
  const mismatches: ReferenceMismatch[] = [];
  const referenced = new Set<number>();
  for (const d of days) {
    for (const ref of d.reference) {
      referenced.add(ref.open_time);
      if (!calendar.isOpen(ref.open_time)) {
        referenceClosedMinutes++;
        continue;
      }
      referenceOpenMinutes++;
      const expected = side === 0 ? ref.bid : ref.ask;
      const bar = bars1m.get(ref.open_time);
      const actual = bar && !bar.synthetic ? [bar.open, bar.high, bar.low, bar.close] : null;
      if (actual !== null && actual.every((v, i) => v === expected[i])) barsEqual++;
      else mismatches.push({ open_time: iso(ref.open_time), expected: [...expected], actual });
    }
  }
  let extraBars = 0;
  let syntheticAdded = 0;
  for (const bar of bars1m.values()) {
    if (bar.synthetic) syntheticAdded++;
    else if (!referenced.has(bar.open_time)) extraBars++;
  }
  const counters = engine.counters()[SYMBOL];
  return {
    mode,
    days: days.length,
    ticks,
    referenceOpenMinutes,
    barsEqual,
    mismatches,
    extraBars,
    referenceClosedMinutes,
    ticksOutsideSession: counters?.outside_session ?? 0,
    syntheticAdded,
    finals1m,
    finalsHtf,
  };
}
