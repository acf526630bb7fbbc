import { boundedLabel, type Metrics } from '@fxcm/metrics';

/** Buckets of the final-bar freshness histogram, seconds after close_time. */
export const FRESHNESS_BUCKETS = [0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300];

/** Distinct symbols that get their own series (the publisher has no target list). */
const MAX_SYMBOL_SERIES = 64;

/**
 * The publisher's seed metrics: `fxcm_ohlcv_bars_total{symbol,tf}` (bars published on
 * fxcm:ohlcv), `fxcm_dropped_bars_total{symbol,tf}` (bar entries refused at publication) and the
 * final-bar freshness SLO `fxcm_final_bar_freshness_seconds{tf}` (publish time − close_time of
 * each final bar, a histogram for p95/p99).
 */
export function createPublisherMetrics(metrics: Metrics) {
  const symbolLabel = boundedLabel({ extra: MAX_SYMBOL_SERIES });
  const bars = metrics.counter('fxcm_ohlcv_bars_total', 'Bars published on fxcm:ohlcv', [
    'symbol',
    'tf',
  ]);
  const dropped = metrics.counter(
    'fxcm_dropped_bars_total',
    'Bar entries dropped at publication (contract or rail failure)',
    ['symbol', 'tf'],
  );
  const freshness = metrics.histogram(
    'fxcm_final_bar_freshness_seconds',
    'Seconds from a final bar close_time to its publication',
    ['tf'],
    FRESHNESS_BUCKETS,
  );
  return {
    published(symbol: string, tf: string, final: boolean, closeTime: number, now: number): void {
      bars.inc({ symbol: symbolLabel(symbol), tf });
      if (final) freshness.observe({ tf }, Math.max(0, now - closeTime) / 1_000);
    },
    /** A refused entry; its symbol and tf are unknown when it could not be decoded. */
    dropped(symbol: string | undefined, tf: string | undefined): void {
      dropped.inc({ symbol: symbol ? symbolLabel(symbol) : 'other', tf: tf ?? 'other' });
    },
  };
}
