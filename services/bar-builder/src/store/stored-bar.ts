import { StoreError } from './store-error';

/** Where a final bar came from (NoMix: one source per `(symbol, tf, open_time)`). */
export type BarSource = 'tick_agg' | 'history';

/**
 * A final bar as the store keeps it: everything needed to re-emit it exactly. The geometry
 * fields of the wire bar (`bar_range`, `body_size`, wicks) are functions of OHLC and are not
 * stored; the spread statistics are, because they cannot be recomputed.
 */
export interface StoredBar {
  /** Bucket start, int ms UTC: the key of the bar within its series. */
  open_time: number;
  /** Bucket end, int ms UTC (`open_time + tf_ms - 1` for bars of the engine). */
  close_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Ticks aggregated into the bar (0 for history bars and synthetic bars). */
  tick_count: number;
  /** Always true: the store holds final bars only. */
  complete: boolean;
  synthetic: boolean;
  source: BarSource;
  /** Mean spread over the bar's ticks; absent when the source has no ticks. */
  avg_spread?: number;
  /** Largest spread over the bar's ticks; absent when the source has no ticks. */
  max_spread?: number;
}

/** Longest symbol, in UTF-8 bytes, a series header can hold. */
export const MAX_SYMBOL_BYTES = 32;
/** Longest timeframe, in UTF-8 bytes, a series header can hold. */
export const MAX_TF_BYTES = 12;

const TF_PATTERN = /^[A-Za-z0-9]+$/;
// FXCM-style symbols (EURUSD, XAU/USD, US30, USOil); no comma, quote or space so CSV stays plain.
const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9/._#+-]*$/;

/** Throws `STORE_INVALID_SERIES` unless `symbol` and `tf` can name a series. */
export function assertSeriesName(symbol: unknown, tf: unknown): asserts symbol is string {
  if (
    typeof symbol !== 'string' ||
    !SYMBOL_PATTERN.test(symbol) ||
    symbol.length > MAX_SYMBOL_BYTES
  ) {
    throw new StoreError(
      'STORE_INVALID_SERIES',
      `symbol must be 1..${MAX_SYMBOL_BYTES} characters of [A-Za-z0-9/._#+-] starting with a letter or digit, got ${show(symbol)}`,
    );
  }
  if (typeof tf !== 'string' || !TF_PATTERN.test(tf) || tf.length > MAX_TF_BYTES) {
    throw new StoreError(
      'STORE_INVALID_SERIES',
      `tf must be 1..${MAX_TF_BYTES} letters or digits (e.g. "1m"), got ${show(tf)}`,
    );
  }
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;
const UINT32_MAX = 0xffffffff;

/**
 * Why `value` cannot be stored as a final bar, or `undefined` when it can. The message names the
 * field; the caller prefixes the entry.
 */
export function barProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'is not an object';
  const bar = value as Record<string, unknown>;
  for (const field of ['open_time', 'close_time'] as const) {
    const t = bar[field];
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) {
      return `${field} must be a non-negative integer of ms, got ${show(t)}`;
    }
  }
  if ((bar.close_time as number) < (bar.open_time as number)) {
    return `close_time ${String(bar.close_time)} is before open_time ${String(bar.open_time)}`;
  }
  for (const field of PRICE_FIELDS) {
    const p = bar[field];
    if (typeof p !== 'number' || !Number.isFinite(p)) {
      return `${field} must be a finite number, got ${show(p)}`;
    }
  }
  const { open, high, low, close } = bar as unknown as StoredBar;
  if (low > high || open < low || open > high || close < low || close > high) {
    return `prices break low <= open, close <= high (open ${open}, high ${high}, low ${low}, close ${close})`;
  }
  if (typeof bar.volume !== 'number' || !Number.isFinite(bar.volume) || bar.volume < 0) {
    return `volume must be a finite number >= 0, got ${show(bar.volume)}`;
  }
  const ticks = bar.tick_count;
  if (typeof ticks !== 'number' || !Number.isInteger(ticks) || ticks < 0 || ticks > UINT32_MAX) {
    return `tick_count must be an integer in [0, ${UINT32_MAX}], got ${show(ticks)}`;
  }
  if (bar.complete !== true) {
    return `complete must be true (the store holds final bars only), got ${show(bar.complete)}`;
  }
  if (typeof bar.synthetic !== 'boolean') {
    return `synthetic must be a boolean, got ${show(bar.synthetic)}`;
  }
  if (bar.source !== 'tick_agg' && bar.source !== 'history') {
    return `source must be "tick_agg" or "history", got ${show(bar.source)}`;
  }
  // Spreads may be negative: FXCM quotes are crossed (ask < bid) now and then.
  for (const field of ['avg_spread', 'max_spread'] as const) {
    const s = bar[field];
    if (s !== undefined && (typeof s !== 'number' || !Number.isFinite(s))) {
      return `${field} must be absent or a finite number, got ${show(s)}`;
    }
  }
  return undefined;
}

/** A value as it appears in an error message (`NaN` stays `NaN`, strings keep their quotes). */
function show(value: unknown): string {
  return typeof value === 'number' || value === undefined ? String(value) : JSON.stringify(value);
}
