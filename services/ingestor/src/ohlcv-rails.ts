import { MIN_EPOCH_MS } from '@fxcm/contracts';

/** Limits the ingestor applies to every `fxcm:ohlcv` payload (V1 ingestor rails). */
export interface OhlcvRails {
  allowedSymbols: ReadonlySet<string>;
  allowedTimeframes: ReadonlySet<string>;
  maxBars: number;
  /** Wall clock, int ms: bars opening more than a day ahead are refused. */
  now: number;
}

/** A bar as stored: the V1 base fields plus what the producer sent beside them. */
export interface IngestedBar {
  open_time: number;
  close_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  [extra: string]: unknown;
}

/** Outcome of {@link checkOhlcvPayload}. */
export type RailsCheck =
  | { ok: true; symbol: string; tf: string; bars: IngestedBar[]; skippedPreview: number }
  | { ok: false; reason: string; detail: string };

const DAY_MS = 86_400_000;
const BASE_FIELDS = ['open_time', 'close_time', 'open', 'high', 'low', 'close', 'volume'] as const;

const refuse = (reason: string, detail: string): RailsCheck => ({ ok: false, reason, detail });

/**
 * The consumer-side rails of V1: whitelisted symbol and tf, at most `maxBars` bars, numeric base
 * fields, close_time ≥ open_time, low ≤ high, open_time within [2000-01-01, now + 1 day],
 * strictly increasing open_time. Preview bars (`complete: false`) are skipped, not stored;
 * a missing `complete` means complete (V1).
 */
export function checkOhlcvPayload(payload: unknown, rails: OhlcvRails): RailsCheck {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return refuse('not_an_object', 'payload is not a JSON object');
  }
  const { symbol, tf, bars } = payload as Record<string, unknown>;
  if (typeof symbol !== 'string' || !rails.allowedSymbols.has(symbol.toUpperCase())) {
    return refuse('symbol_not_allowed', `symbol ${JSON.stringify(symbol)} is not in the whitelist`);
  }
  if (typeof tf !== 'string' || !rails.allowedTimeframes.has(tf.toLowerCase())) {
    return refuse('tf_not_allowed', `tf ${JSON.stringify(tf)} is not in the whitelist`);
  }
  if (!Array.isArray(bars) || bars.length === 0)
    return refuse('no_bars', 'bars is not a non-empty array');
  if (bars.length > rails.maxBars)
    return refuse('too_many_bars', `${bars.length} bars > ${rails.maxBars}`);

  const kept: IngestedBar[] = [];
  let skippedPreview = 0;
  let previousOpen = -Infinity;
  for (const [i, raw] of bars.entries()) {
    if (typeof raw !== 'object' || raw === null)
      return refuse('bad_bar', `bars[${i}] is not an object`);
    const bar = raw as Record<string, unknown>;
    for (const field of BASE_FIELDS) {
      if (typeof bar[field] !== 'number' || !Number.isFinite(bar[field])) {
        return refuse('bad_bar', `bars[${i}].${field} is not a finite number`);
      }
    }
    const b = bar as unknown as IngestedBar;
    if (b.close_time < b.open_time) return refuse('bad_bar', `bars[${i}]: close_time < open_time`);
    if (b.low > b.high) return refuse('bad_bar', `bars[${i}]: low > high`);
    if (b.open_time < MIN_EPOCH_MS || b.open_time > rails.now + DAY_MS) {
      return refuse(
        'bad_time',
        `bars[${i}].open_time ${b.open_time} outside [2000-01-01, now + 1 day]`,
      );
    }
    if (b.open_time <= previousOpen)
      return refuse('not_ascending', `bars[${i}].open_time is not increasing`);
    previousOpen = b.open_time;
    if (bar.complete === false) skippedPreview += 1;
    else kept.push(b);
  }
  return {
    ok: true,
    symbol: symbol.toUpperCase(),
    tf: tf.toLowerCase(),
    bars: kept,
    skippedPreview,
  };
}
