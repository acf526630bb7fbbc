import {
  TIMEFRAMES as CONTRACT_TIMEFRAMES,
  tfMs,
  type BuiltBar,
  type Timeframe as ContractTimeframe,
} from '@fxcm/contracts';

/**
 * The bar of the V1 wire (`fxcm:ohlcv` bars[]) as the engine emits it, plus the timeframe
 * arithmetic every part of the engine shares. The vocabulary (timeframes, their lengths, the bar
 * shape and its sources) is the contracts package's; this module only narrows it.
 */

/** Timeframes the engine can build; `1m` is the truth, the rest are derived from final 1m bars. */
export type Timeframe = ContractTimeframe;

/** Every timeframe, shortest first (also the order in which events of one input come out). */
export const TIMEFRAMES: readonly Timeframe[] = CONTRACT_TIMEFRAMES;

export const MINUTE_MS = tfMs('1m');
export const HOUR_MS = tfMs('1h');

/**
 * Nominal length of each timeframe. 5m…1h windows are exactly this long and aligned to the
 * epoch; 4h and 1d windows are anchored at the calendar's trading-day start and may be shorter
 * (a 4h window cut by the day's end, a 1d window of a 23 h or 25 h trading day).
 */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = Object.fromEntries(
  TIMEFRAMES.map((tf) => [tf, tfMs(tf)]),
) as Record<Timeframe, number>;

/** Where a final bar came from. NoMix: a final `(symbol, 1m, open_time)` has exactly one. */
export type BarSource = BuiltBar['source'];

/** Which quote side a bar is built from; `mid` is `(bid + ask) / 2` of each tick. */
export type PriceMode = 'mid' | 'bid' | 'ask';

/**
 * How a tick bar opens: `first_tick` (the first tick of the bucket by event time) or
 * `previous_close` (FXCM's candle convention: the close of the previous final 1m bar).
 */
export type OpenMode = 'first_tick' | 'previous_close';

/**
 * A bar on the wire: preview (`complete=false`) or final (`complete=true`): the contract's
 * `BuiltBar` (stream-bar.schema.json) with every field the engine always sets made required.
 */
export interface Bar extends BuiltBar {
  /** Ticks aggregated into the bar (0 for synthetic and history bars; summed for HTF). */
  tick_count: number;
  /** `high − low`. */
  bar_range: number;
  /** `|close − open|`. */
  body_size: number;
  /** `high − max(open, close)`. */
  upper_wick: number;
  /** `min(open, close) − low`. */
  lower_wick: number;
}

// Derived figures are rounded to 1e-10 so float noise (0.00006000000000005) never reaches the
// wire; prices themselves are passed through exactly as the quotes gave them.
const DERIVED_SCALE = 1e10;

/** Rounds a derived figure (geometry, spread) to 10 decimal places. */
export function roundDerived(x: number): number {
  return Math.round(x * DERIVED_SCALE) / DERIVED_SCALE;
}

/** What {@link makeBar} needs; the geometry fields are computed from OHLC. */
export interface BarFields {
  tf: Timeframe;
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tickCount: number;
  complete: boolean;
  synthetic: boolean;
  source: BarSource;
  avgSpread: number | undefined;
  maxSpread: number | undefined;
}

/**
 * Builds a wire bar with its geometry. Every bar the engine emits goes through here, so the key
 * order (and hence the JSON) of equal bars is identical.
 */
export function makeBar(f: BarFields): Bar {
  const top = f.open > f.close ? f.open : f.close;
  const bottom = f.open < f.close ? f.open : f.close;
  const bar: Bar = {
    open_time: f.openTime,
    close_time: f.closeTime,
    open: f.open,
    high: f.high,
    low: f.low,
    close: f.close,
    volume: f.volume,
    tick_count: f.tickCount,
    complete: f.complete,
    synthetic: f.synthetic,
    source: f.source,
    tf: f.tf,
    bar_range: roundDerived(f.high - f.low),
    body_size: roundDerived(top - bottom),
    upper_wick: roundDerived(f.high - top),
    lower_wick: roundDerived(bottom - f.low),
  };
  if (f.avgSpread !== undefined) bar.avg_spread = roundDerived(f.avgSpread);
  if (f.maxSpread !== undefined) bar.max_spread = roundDerived(f.maxSpread);
  return bar;
}

/** Start of the minute containing `ts` (int ms ≥ 0). */
export function minuteOf(ts: number): number {
  return ts - (ts % MINUTE_MS);
}
