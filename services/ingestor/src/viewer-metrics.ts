import { tfMs, type Timeframe } from '@fxcm/contracts';
import type { Metrics } from '@fxcm/metrics';

interface SeriesState {
  lastMessageAt: number;
  lastClose?: number;
  lastOpen?: number;
}

/**
 * What the V1 viewer measured reading the bar channel, per (symbol, tf) the ingestor accepts
 * (whitelisted, so the labels are bounded): `ai_one_fxcm_ohlcv_lag_seconds` (now − close_time
 * of the newest complete bar), `ai_one_fxcm_ohlcv_msg_age_seconds` (silence of the channel) and
 * `ai_one_fxcm_ohlcv_gaps_total` (a complete bar that does not follow the previous one).
 */
export function createViewerMetrics(metrics: Metrics, now: () => number = Date.now) {
  const series = new Map<string, SeriesState & { symbol: string; tf: string }>();
  metrics.gauge(
    'ai_one_fxcm_ohlcv_lag_seconds',
    'now - close_time of the newest complete bar received on fxcm:ohlcv',
    ['symbol', 'tf'],
    (g) => {
      for (const s of series.values())
        if (s.lastClose !== undefined)
          g.set({ symbol: s.symbol, tf: s.tf }, Math.max(0, now() - s.lastClose) / 1_000);
    },
  );
  metrics.gauge(
    'ai_one_fxcm_ohlcv_msg_age_seconds',
    'Seconds since the last fxcm:ohlcv message of a (symbol, tf)',
    ['symbol', 'tf'],
    (g) => {
      for (const s of series.values())
        g.set({ symbol: s.symbol, tf: s.tf }, Math.max(0, now() - s.lastMessageAt) / 1_000);
    },
  );
  const gaps = metrics.counter(
    'ai_one_fxcm_ohlcv_gaps_total',
    'Complete bars that do not follow the previous one of their (symbol, tf)',
    ['symbol', 'tf'],
  );
  return {
    /** Records an accepted message and its complete bars (ascending open_time). */
    message(
      symbol: string,
      tf: string,
      bars: readonly { open_time: number; close_time: number }[],
    ) {
      const key = `${symbol}/${tf}`;
      const s = series.get(key) ?? { symbol, tf, lastMessageAt: 0 };
      s.lastMessageAt = now();
      let step: number | undefined;
      try {
        step = tfMs(tf as Timeframe);
      } catch {
        step = undefined; // 4h/1d buckets are calendar-anchored; no gap rule for an unknown tf
      }
      for (const bar of bars) {
        if (s.lastOpen !== undefined && step !== undefined && bar.open_time > s.lastOpen + step)
          gaps.inc({ symbol, tf });
        if (s.lastOpen === undefined || bar.open_time > s.lastOpen) s.lastOpen = bar.open_time;
        s.lastClose = Math.max(s.lastClose ?? 0, bar.close_time);
      }
      series.set(key, s);
    },
  };
}
