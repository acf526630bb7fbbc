import { MINUTE_MS, makeBar, roundDerived, type Bar, type PriceMode } from './bar';
import type { HistoryBar } from './inputs';
import type { MinuteBar } from './minute-bar';
import type { PendingHistory } from './symbol-state';

// The 1m bars the engine emits, one maker per source: ticks, history, synthetic.

/**
 * The 1m bar of the ticks of `b`. `carriedOpen` (open mode `previous_close`: the close before
 * it) replaces the first tick's open, and high/low widen to include it.
 */
export function tickBuiltBar(
  b: MinuteBar,
  carriedOpen: number | undefined,
  complete: boolean,
): Bar {
  let open = b.open;
  let high = b.high;
  let low = b.low;
  if (carriedOpen !== undefined) {
    open = carriedOpen;
    if (open > high) high = open;
    if (open < low) low = open;
  }
  return makeBar({
    tf: '1m',
    openTime: b.start,
    closeTime: b.start + MINUTE_MS - 1,
    open,
    high,
    low,
    close: b.close,
    volume: b.count,
    tickCount: b.count,
    complete,
    synthetic: false,
    source: 'tick_agg',
    avgSpread: b.spreadSum / b.count,
    maxSpread: b.maxSpread,
  });
}

/** The final of a minute from FXCM's history bar (prices already in the engine's mode). */
export function historyBar(minute: number, p: PendingHistory): Bar {
  return makeBar({
    tf: '1m',
    openTime: minute,
    closeTime: minute + MINUTE_MS - 1,
    open: p.open,
    high: p.high,
    low: p.low,
    close: p.close,
    volume: p.volume,
    tickCount: 0,
    complete: true,
    synthetic: false,
    source: 'history',
    avgSpread: undefined,
    maxSpread: undefined,
  });
}

/** A flat placeholder at the previous close for an open minute without a tick. */
export function syntheticBar(minute: number, price: number): Bar {
  return makeBar({
    tf: '1m',
    openTime: minute,
    closeTime: minute + MINUTE_MS - 1,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    tickCount: 0,
    complete: true,
    synthetic: true,
    source: 'tick_agg',
    avgSpread: undefined,
    maxSpread: undefined,
  });
}

/** A history bar's prices in `mode`; in `mid` mode each field is the rounded bid/ask mean. */
export function historyPrices(h: HistoryBar, mode: PriceMode): PendingHistory {
  if (mode !== 'mid') {
    const [open, high, low, close] =
      mode === 'bid'
        ? [h.bid_open, h.bid_high, h.bid_low, h.bid_close]
        : [h.ask_open, h.ask_high, h.ask_low, h.ask_close];
    return { open, high, low, close, volume: h.volume };
  }
  return {
    open: roundDerived((h.bid_open + h.ask_open) / 2),
    high: roundDerived((h.bid_high + h.ask_high) / 2),
    low: roundDerived((h.bid_low + h.ask_low) / 2),
    close: roundDerived((h.bid_close + h.ask_close) / 2),
    volume: h.volume,
  };
}
