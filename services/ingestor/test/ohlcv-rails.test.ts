import { checkOhlcvPayload, type OhlcvRails } from '../src/ohlcv-rails';

const NOW = Date.UTC(2025, 11, 12, 16, 41);
const rails: OhlcvRails = {
  allowedSymbols: new Set(['XAUUSD', 'EURUSD']),
  allowedTimeframes: new Set(['1m', '5m']),
  maxBars: 3,
  now: NOW,
};
const bar = (open: number, patch: Record<string, unknown> = {}) => ({
  open_time: open,
  close_time: open + 59_999,
  open: 4278.0,
  high: 4284.0,
  low: 4277.0,
  close: 4281.0,
  volume: 37.0,
  ...patch,
});
const T = Date.UTC(2025, 11, 12, 16, 40);

describe('checkOhlcvPayload (V1 ingestor rails)', () => {
  it('accepts complete bars and skips previews', () => {
    const r = checkOhlcvPayload(
      { symbol: 'xauusd', tf: '1M', bars: [bar(T), bar(T + 60_000, { complete: false })] },
      rails,
    );
    expect(r).toEqual({ ok: true, symbol: 'XAUUSD', tf: '1m', bars: [bar(T)], skippedPreview: 1 });
  });

  it.each([
    ['not_an_object', []],
    ['symbol_not_allowed', { symbol: 'GBPUSD', tf: '1m', bars: [bar(T)] }],
    ['tf_not_allowed', { symbol: 'XAUUSD', tf: '1h', bars: [bar(T)] }],
    ['no_bars', { symbol: 'XAUUSD', tf: '1m', bars: [] }],
    [
      'too_many_bars',
      { symbol: 'XAUUSD', tf: '1m', bars: [bar(T), bar(T + 1), bar(T + 2), bar(T + 3)] },
    ],
    ['bad_bar', { symbol: 'XAUUSD', tf: '1m', bars: [bar(T, { open: '4278' })] }],
    ['bad_bar', { symbol: 'XAUUSD', tf: '1m', bars: [bar(T, { close_time: T - 1 })] }],
    ['bad_bar', { symbol: 'XAUUSD', tf: '1m', bars: [bar(T, { low: 5000 })] }],
    ['bad_time', { symbol: 'XAUUSD', tf: '1m', bars: [bar(Date.UTC(1999, 0, 1))] }],
    ['bad_time', { symbol: 'XAUUSD', tf: '1m', bars: [bar(NOW + 2 * 86_400_000)] }],
    ['not_ascending', { symbol: 'XAUUSD', tf: '1m', bars: [bar(T), bar(T)] }],
  ])('refuses %s', (reason, payload) => {
    expect(checkOhlcvPayload(payload, rails)).toMatchObject({ ok: false, reason });
  });
});
