import { isEpochMs, normalizeSymbol } from '@fxcm/contracts';
import type { ProviderTick } from './providers/provider';

/** A tick that passed the rails: what the gateway writes to the tick stream. */
export interface CleanTick {
  symbol: string;
  ts: number;
  bid: number;
  ask: number;
  recv_ts: number;
}

/** Why a tick was rejected (a metric label and a status error code). */
export type TickRejection =
  | 'bad_symbol'
  | 'bad_time'
  | 'non_finite_price'
  | 'non_positive_price'
  | 'crossed_beyond_tolerance';

/** Options of {@link checkTick}. */
export interface TickRails {
  /**
   * Largest accepted `(bid − ask) / mid` for a crossed quote. Real FXCM feeds carry briefly
   * crossed quotes (about one tick in ten in the 2014 EUR/USD archive, by up to ~1 pip), and
   * the bars of record include them; a quote crossed by more than this is a bad tick.
   */
  maxCrossedRatio: number;
}

/** Default: crossed by at most 5 basis points of the mid (5 pips on EUR/USD). */
export const DEFAULT_TICK_RAILS: TickRails = { maxCrossedRatio: 5e-4 };

/** Result of {@link checkTick}: the clean tick, or why it was rejected. */
export type TickCheck =
  | { ok: true; tick: CleanTick; crossed: boolean }
  | { ok: false; reason: TickRejection; detail: string };

/**
 * The gateway's rails for every provider: normalised symbol, int-ms event time within sane
 * bounds, finite positive prices, and bid ≤ ask up to the crossed-quote tolerance.
 */
export function checkTick(raw: ProviderTick, rails: TickRails = DEFAULT_TICK_RAILS): TickCheck {
  let symbol: string;
  try {
    symbol = normalizeSymbol(raw.symbol);
  } catch (err) {
    return { ok: false, reason: 'bad_symbol', detail: String((err as Error).message) };
  }
  if (!isEpochMs(raw.ts)) {
    return { ok: false, reason: 'bad_time', detail: `${symbol}: ts ${raw.ts} is not int epoch ms` };
  }
  if (!Number.isFinite(raw.bid) || !Number.isFinite(raw.ask)) {
    return {
      ok: false,
      reason: 'non_finite_price',
      detail: `${symbol}: bid ${raw.bid} ask ${raw.ask}`,
    };
  }
  if (raw.bid <= 0 || raw.ask <= 0) {
    return {
      ok: false,
      reason: 'non_positive_price',
      detail: `${symbol}: bid ${raw.bid} ask ${raw.ask}`,
    };
  }
  const crossed = raw.bid > raw.ask;
  if (crossed && (raw.bid - raw.ask) / ((raw.bid + raw.ask) / 2) > rails.maxCrossedRatio) {
    return {
      ok: false,
      reason: 'crossed_beyond_tolerance',
      detail: `${symbol}: bid ${raw.bid} > ask ${raw.ask} beyond ${rails.maxCrossedRatio} of mid`,
    };
  }
  const recv = Number.isInteger(raw.recvTs) ? raw.recvTs : Math.round(raw.recvTs);
  return {
    ok: true,
    crossed,
    tick: { symbol, ts: raw.ts, bid: raw.bid, ask: raw.ask, recv_ts: recv },
  };
}
