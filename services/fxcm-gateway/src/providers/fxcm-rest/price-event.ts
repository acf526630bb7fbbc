import { toEpochMs } from './candles';
import { FxcmError } from './fxcm-errors';

/** A parsed FXCM price update. */
export interface PriceEvent {
  /** Instrument as FXCM names it (`EUR/USD`). */
  symbol: string;
  /** Event time, int epoch ms (FXCM sends ms since 2019, seconds before: both accepted). */
  ts: number;
  bid: number;
  ask: number;
  /** Trading-day high and low, when sent. */
  high?: number;
  low?: number;
}

function objectOf(raw: unknown, what: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new FxcmError('FXCM_BAD_PRICE_EVENT', `${what}: not JSON: ${raw.slice(0, 80)}`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FxcmError('FXCM_BAD_PRICE_EVENT', `${what}: expected an object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses one price update: a JSON string (what the socket pushes) or an object (the subscribe
 * reply) `{"Updated":…,"Rates":[Bid,Ask,High,Low,…],"Symbol":"EUR/USD"}`. `Rates` is read by
 * index and may carry extra items. Throws FXCM_BAD_PRICE_EVENT naming the field.
 */
export function parsePriceEvent(raw: unknown, fallbackSymbol?: string): PriceEvent {
  const o = objectOf(raw, 'price event');
  const symbol =
    typeof o['Symbol'] === 'string' && o['Symbol'] !== '' ? o['Symbol'] : fallbackSymbol;
  if (!symbol) throw new FxcmError('FXCM_BAD_PRICE_EVENT', 'price event: no Symbol');
  const updated = o['Updated'];
  if (typeof updated !== 'number' || !Number.isFinite(updated) || updated <= 0) {
    throw new FxcmError(
      'FXCM_BAD_PRICE_EVENT',
      `price event ${symbol}: Updated ${JSON.stringify(updated)} is not an epoch`,
    );
  }
  const rates = o['Rates'];
  if (!Array.isArray(rates) || rates.length < 2) {
    throw new FxcmError(
      'FXCM_BAD_PRICE_EVENT',
      `price event ${symbol}: Rates must be [Bid, Ask, …]`,
    );
  }
  const [bid, ask, high, low] = rates as unknown[];
  if (typeof bid !== 'number' || typeof ask !== 'number') {
    throw new FxcmError(
      'FXCM_BAD_PRICE_EVENT',
      `price event ${symbol}: Rates[0..1] must be numbers`,
    );
  }
  // Non-finite or crossed prices pass through: the gateway's rails reject and count them.
  return {
    symbol,
    ts: toEpochMs(updated),
    bid,
    ask,
    ...(typeof high === 'number' ? { high } : {}),
    ...(typeof low === 'number' ? { low } : {}),
  };
}

/** The `pairs` field of a `/subscribe` reply: a JSON string, an object or an array of them. */
export function parseSubscribePairs(pairs: unknown): PriceEvent[] {
  let value = pairs;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return [];
    }
  }
  const items = Array.isArray(value) ? value : [value];
  const out: PriceEvent[] = [];
  for (const item of items) {
    try {
      out.push(parsePriceEvent(item));
    } catch {
      // A snapshot we cannot read is skipped: the stream delivers the next one.
    }
  }
  return out;
}
