import { MAX_EPOCH_MS as MAX_TS, MIN_EPOCH_MS as MIN_TS } from '@fxcm/contracts';
import { MINUTE_MS, type BarSource } from './bar';

/** A quote tick of one symbol; `ts` is its event time, int epoch ms UTC. */
export interface Tick {
  symbol: string;
  ts: number;
  bid: number;
  ask: number;
}

/** State of the upstream feed carried by a watermark. */
export type FeedState = 'alive' | 'dead';

/**
 * The event-time clock of the shard: a promise that no later tick has an event time `< ts`.
 * `feed: 'dead'` says the gateway has no live feed (no synthetic bars are made for minutes it
 * closes).
 */
export interface Watermark {
  ts: number;
  feed: FeedState;
}

/** One FXCM history 1m bar, both sides (`open_time` = bar start, int epoch ms UTC). */
export interface HistoryBar {
  symbol: string;
  open_time: number;
  bid_open: number;
  bid_high: number;
  bid_low: number;
  bid_close: number;
  ask_open: number;
  ask_high: number;
  ask_low: number;
  ask_close: number;
  volume: number;
}

/**
 * History's word that it delivered every 1m bar it has of `symbol` for `[from, to)` (int epoch ms;
 * a minute of the range without a bar had no trade). What lets a window that began before the
 * engine started become final.
 */
export interface HistoryRange {
  symbol: string;
  from: number;
  to: number;
}

/**
 * A final 1m bar as restored from the store (oldest first). The store's record and the engine's
 * own {@link Bar} both fit; geometry and `tf` are not needed.
 */
export interface RestoredBar {
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tick_count: number;
  synthetic: boolean;
  source: BarSource;
  avg_spread?: number;
  max_spread?: number;
}

function isPositivePrice(x: unknown): boolean {
  return typeof x === 'number' && x > 0 && x < Infinity;
}

function describe(x: unknown): string {
  return typeof x === 'number' ? String(x) : (JSON.stringify(x) ?? String(x));
}

/** Why `ts` is not an event time, or `undefined` when it is one. */
export function timeProblem(field: string, ts: unknown): string | undefined {
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < MIN_TS || ts > MAX_TS) {
    return `${field} must be an integer epoch ms in [${MIN_TS}, ${MAX_TS}], got ${describe(ts)}`;
  }
  return undefined;
}

/** Why a symbol is not usable, or `undefined`. */
export function symbolProblem(symbol: unknown): string | undefined {
  if (typeof symbol !== 'string' || symbol.length === 0) {
    return `symbol must be a non-empty string, got ${describe(symbol)}`;
  }
  return undefined;
}

/** Why a tick cannot be aggregated (naming the field), or `undefined` when it can. */
export function tickProblem(t: Tick): string | undefined {
  if (typeof t !== 'object' || t === null) return `tick must be an object, got ${describe(t)}`;
  const s = symbolProblem(t.symbol);
  if (s !== undefined) return s;
  const time = timeProblem('ts', t.ts);
  if (time !== undefined) return time;
  if (!isPositivePrice(t.bid)) return `bid must be a finite number > 0, got ${describe(t.bid)}`;
  if (!isPositivePrice(t.ask)) return `ask must be a finite number > 0, got ${describe(t.ask)}`;
  return undefined;
}

/** Why a watermark cannot be applied, or `undefined`. */
export function watermarkProblem(w: Watermark): string | undefined {
  if (typeof w !== 'object' || w === null) return `watermark must be an object, got ${describe(w)}`;
  const time = timeProblem('ts', w.ts);
  if (time !== undefined) return time;
  if (w.feed !== 'alive' && w.feed !== 'dead') {
    return `feed must be "alive" or "dead", got ${describe(w.feed)}`;
  }
  return undefined;
}

const HISTORY_PRICES = [
  'bid_open',
  'bid_high',
  'bid_low',
  'bid_close',
  'ask_open',
  'ask_high',
  'ask_low',
  'ask_close',
] as const;

/** Why a history bar cannot be used, or `undefined`. */
export function historyBarProblem(h: HistoryBar): string | undefined {
  if (typeof h !== 'object' || h === null)
    return `history bar must be an object, got ${describe(h)}`;
  const s = symbolProblem(h.symbol);
  if (s !== undefined) return s;
  const time = timeProblem('open_time', h.open_time);
  if (time !== undefined) return time;
  if (h.open_time % MINUTE_MS !== 0) {
    return `open_time must be on a minute boundary, got ${h.open_time}`;
  }
  for (const field of HISTORY_PRICES) {
    if (!isPositivePrice(h[field]))
      return `${field} must be a finite number > 0, got ${describe(h[field])}`;
  }
  for (const side of ['bid', 'ask'] as const) {
    const o = h[`${side}_open`];
    const hi = h[`${side}_high`];
    const lo = h[`${side}_low`];
    const c = h[`${side}_close`];
    if (lo > hi || o < lo || o > hi || c < lo || c > hi) {
      return `${side} prices break low <= open, close <= high (open ${o}, high ${hi}, low ${lo}, close ${c})`;
    }
  }
  if (typeof h.volume !== 'number' || !(h.volume >= 0) || h.volume === Infinity) {
    return `volume must be a finite number >= 0, got ${describe(h.volume)}`;
  }
  return undefined;
}

/** Why a history range cannot be used, or `undefined`. */
export function historyRangeProblem(r: HistoryRange): string | undefined {
  if (typeof r !== 'object' || r === null)
    return `history range must be an object, got ${describe(r)}`;
  const s = symbolProblem(r.symbol);
  if (s !== undefined) return s;
  const from = timeProblem('from', r.from);
  if (from !== undefined) return from;
  const to = timeProblem('to', r.to);
  if (to !== undefined) return to;
  if (r.to <= r.from) return `to ${r.to} must be after from ${r.from}`;
  return undefined;
}

/** Why a restored bar cannot seed the engine, or `undefined`. */
export function restoredBarProblem(b: RestoredBar): string | undefined {
  if (typeof b !== 'object' || b === null) return `is not an object, got ${describe(b)}`;
  const time = timeProblem('open_time', b.open_time);
  if (time !== undefined) return time;
  if (b.open_time % MINUTE_MS !== 0)
    return `open_time must be on a minute boundary, got ${b.open_time}`;
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    if (!isPositivePrice(b[field]))
      return `${field} must be a finite number > 0, got ${describe(b[field])}`;
  }
  if (b.low > b.high || b.open < b.low || b.open > b.high || b.close < b.low || b.close > b.high) {
    return `prices break low <= open, close <= high (open ${b.open}, high ${b.high}, low ${b.low}, close ${b.close})`;
  }
  if (typeof b.volume !== 'number' || !(b.volume >= 0) || b.volume === Infinity) {
    return `volume must be a finite number >= 0, got ${describe(b.volume)}`;
  }
  if (typeof b.tick_count !== 'number' || !Number.isInteger(b.tick_count) || b.tick_count < 0) {
    return `tick_count must be an integer >= 0, got ${describe(b.tick_count)}`;
  }
  if (typeof b.synthetic !== 'boolean')
    return `synthetic must be a boolean, got ${describe(b.synthetic)}`;
  if (b.source !== 'tick_agg' && b.source !== 'history') {
    return `source must be "tick_agg" or "history", got ${describe(b.source)}`;
  }
  for (const field of ['avg_spread', 'max_spread'] as const) {
    const v = b[field];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || v === Infinity)) {
      return `${field} must be absent or a finite number >= 0, got ${describe(v)}`;
    }
  }
  return undefined;
}

/**
 * What is wrong with the input of a restore (final 1m bars oldest first, one per minute, and
 * the watermark they were stored at), or undefined.
 */
export function restoreProblem(
  finals1m: readonly RestoredBar[],
  watermark: number | undefined,
): string | undefined {
  if (!Array.isArray(finals1m)) return 'finals1m must be an array';
  let prev = -Infinity;
  for (let i = 0; i < finals1m.length; i++) {
    const b = finals1m[i] as RestoredBar;
    const problem = restoredBarProblem(b);
    if (problem !== undefined) return `finals1m[${i}].${problem}`;
    if (b.open_time <= prev)
      return `finals1m[${i}].open_time ${b.open_time} is not after the previous bar's ${prev} (oldest first, one bar per minute)`;
    prev = b.open_time;
  }
  return watermark === undefined ? undefined : timeProblem('watermark', watermark);
}
