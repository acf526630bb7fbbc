import { normalizeSymbol, type StreamHistoryBar } from '@fxcm/contracts';
import { FxcmError } from './fxcm-errors';

/** One FXCM candle, prices named (the wire row is O,C,H,L per side). */
export interface FxcmCandle {
  /** Bar start, epoch ms. */
  ts: number;
  bidOpen: number;
  bidHigh: number;
  bidLow: number;
  bidClose: number;
  askOpen: number;
  askHigh: number;
  askLow: number;
  askClose: number;
  /** FXCM tick count of the bar. */
  tickQty: number;
}

/** What {@link parseCandleRows} kept and what it left out, with reasons. */
export interface ParsedCandles {
  candles: FxcmCandle[];
  /** Rows replaced by a later row with the same timestamp (FXCM repeats bars). */
  duplicates: number;
  /** Bars not finished at `now` (FXCM returns the forming bar last). */
  forming: number;
  /** `null` rows (fxcmpy drops them too). */
  nulls: number;
  /** Unusable rows, each with why; the rest of the answer is still used. */
  bad: FxcmError[];
}

/** Options of {@link parseCandleRows}. */
export interface CandleParseOptions {
  /** Bar length, ms (60 000 for m1). */
  periodMs: number;
  /** Bars whose end is after this instant are still forming and dropped. */
  now: number;
}

/** FXCM row indexes: timestamp, then per side Open, Close, High, Low, then TickQty. */
const COL = {
  ts: 0,
  bidOpen: 1,
  bidClose: 2,
  bidHigh: 3,
  bidLow: 4,
  askOpen: 5,
  askClose: 6,
  askHigh: 7,
  askLow: 8,
  tickQty: 9,
} as const;

/** Epoch seconds below this are seconds (≈ year 5138 in seconds, 1973 in ms). */
const SECONDS_BELOW = 1e11;

/** Epoch seconds or ms → int ms (FXCM sends seconds in candles and either in price events). */
export function toEpochMs(value: number): number {
  return Math.round(value < SECONDS_BELOW ? value * 1000 : value);
}

function candleOf(row: unknown, index: number): FxcmCandle {
  if (!Array.isArray(row) || row.length < 10) {
    throw new FxcmError('FXCM_BAD_CANDLE', `candles[${index}]: expected an array of 10 numbers`);
  }
  const num = (col: number, name: string): number => {
    const v: unknown = row[col];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new FxcmError(
        'FXCM_BAD_CANDLE',
        `candles[${index}].${name}: ${JSON.stringify(v)} is not a finite number`,
      );
    }
    return v;
  };
  const candle: FxcmCandle = {
    ts: toEpochMs(num(COL.ts, 'timestamp')),
    bidOpen: num(COL.bidOpen, 'BidOpen'),
    bidHigh: num(COL.bidHigh, 'BidHigh'),
    bidLow: num(COL.bidLow, 'BidLow'),
    bidClose: num(COL.bidClose, 'BidClose'),
    askOpen: num(COL.askOpen, 'AskOpen'),
    askHigh: num(COL.askHigh, 'AskHigh'),
    askLow: num(COL.askLow, 'AskLow'),
    askClose: num(COL.askClose, 'AskClose'),
    tickQty: num(COL.tickQty, 'TickQty'),
  };
  if (candle.bidLow > candle.bidHigh || candle.askLow > candle.askHigh) {
    throw new FxcmError('FXCM_BAD_CANDLE', `candles[${index}]: low above high`);
  }
  return candle;
}

/**
 * Turns the `candles` array of a `/candles` answer into bars: rows in FXCM's O,C,H,L order are
 * named, seconds become ms, a repeated timestamp keeps the last row, `null` rows and bars still
 * forming at `now` are dropped, and the result is sorted by time.
 */
export function parseCandleRows(rows: unknown, opts: CandleParseOptions): ParsedCandles {
  const out: ParsedCandles = { candles: [], duplicates: 0, forming: 0, nulls: 0, bad: [] };
  if (!Array.isArray(rows)) {
    out.bad.push(new FxcmError('FXCM_BAD_CANDLE', 'candles: expected an array'));
    return out;
  }
  const byTs = new Map<number, FxcmCandle>();
  rows.forEach((row: unknown, index) => {
    if (row === null) {
      out.nulls += 1;
      return;
    }
    try {
      const candle = candleOf(row, index);
      if (byTs.has(candle.ts)) out.duplicates += 1;
      byTs.set(candle.ts, candle);
    } catch (err) {
      out.bad.push(err as FxcmError);
    }
  });
  for (const candle of [...byTs.values()].sort((a, b) => a.ts - b.ts)) {
    if (candle.ts + opts.periodMs > opts.now) out.forming += 1;
    else out.candles.push(candle);
  }
  return out;
}

/** A `/candles` answer (envelope already checked): its `candles` rows parsed. */
export function parseCandlesAnswer(
  body: Record<string, unknown>,
  opts: CandleParseOptions,
): ParsedCandles {
  return parseCandleRows(body['candles'], opts);
}

/** A request window, epoch ms, `from` inclusive and `to` exclusive. */
export interface CandleWindow {
  fromMs: number;
  toMs: number;
}

/** FXCM's per-request cap on candles. */
export const MAX_CANDLES_PER_REQUEST = 10_000;

/**
 * Splits `[fromMs, toMs)` into windows of at most `maxCandles` bars of `periodMs`, aligned to
 * the period, in time order (FXCM answers at most 10 000 candles per request).
 */
export function chunkRange(
  fromMs: number,
  toMs: number,
  periodMs: number,
  maxCandles: number = MAX_CANDLES_PER_REQUEST,
): CandleWindow[] {
  if (!(periodMs > 0) || !(maxCandles >= 1))
    throw new RangeError('periodMs and maxCandles must be positive');
  const start = Math.floor(fromMs / periodMs) * periodMs;
  const end = Math.ceil(toMs / periodMs) * periodMs;
  const step = periodMs * Math.floor(maxCandles);
  const windows: CandleWindow[] = [];
  for (let at = start; at < end; at += step)
    windows.push({ fromMs: at, toMs: Math.min(end, at + step) });
  return windows;
}

/** An m1 candle as the history stream's `history_bar` entry. */
export function toHistoryBar(symbol: string, candle: FxcmCandle, jobId?: string): StreamHistoryBar {
  return {
    symbol: normalizeSymbol(symbol),
    tf: '1m',
    open_time: candle.ts,
    bid_open: candle.bidOpen,
    bid_high: candle.bidHigh,
    bid_low: candle.bidLow,
    bid_close: candle.bidClose,
    ask_open: candle.askOpen,
    ask_high: candle.askHigh,
    ask_low: candle.askLow,
    ask_close: candle.askClose,
    volume: candle.tickQty,
    ...(jobId ? { job_id: jobId } : {}),
    source: 'history',
  };
}
