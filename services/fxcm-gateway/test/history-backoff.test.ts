import { HistoryBackoff, V1_HISTORY_BACKOFF } from '../src/history/history-backoff';

const T = 1_700_000_000_000;

describe('HistoryBackoff (V1 history_backoff on a fake clock)', () => {
  it('waits 6 s after the first failure, doubles to the 120 s cap, and resets on success', () => {
    const b = new HistoryBackoff(V1_HISTORY_BACKOFF, () => 0.5); // no jitter at 0.5
    expect(b.snapshot(T)).toMatchObject({ active: false, fail_count: 0, resume_at: null });
    const waits = Array.from({ length: 7 }, (_, i) =>
      b.failure('FXCM_QUOTA_EXCEEDED', 'HTTP 403', T + i),
    );
    expect(waits).toEqual([6_000, 12_000, 24_000, 48_000, 96_000, 120_000, 120_000]);
    expect(b.snapshot(T + 6 + 20_000)).toEqual({
      active: true,
      sleep_seconds: 120,
      remaining_seconds: 100,
      fail_count: 7,
      last_error: 'FXCM_QUOTA_EXCEEDED: HTTP 403',
      last_error_ts: (T + 6) / 1_000,
      resume_at: new Date(T + 6 + 120_000).toISOString(),
    });
    expect(b.remainingMs(T + 6 + 120_000)).toBe(0);
    b.success();
    expect(b.snapshot(T + 10)).toMatchObject({ active: false, fail_count: 0, sleep_seconds: 0 });
    // the last error stays visible after the storm
    expect(b.snapshot(T + 10).last_error).toBe('FXCM_QUOTA_EXCEEDED: HTTP 403');
    expect(b.failure('FXCM_SERVER_ERROR', 'HTTP 502', T + 20)).toBe(6_000);
  });

  it('spreads each wait by ±30 % at most', () => {
    const low = new HistoryBackoff(V1_HISTORY_BACKOFF, () => 0);
    const high = new HistoryBackoff(V1_HISTORY_BACKOFF, () => 1);
    expect(low.failure('FXCM_NETWORK', 'reset', T)).toBe(4_200);
    expect(high.failure('FXCM_NETWORK', 'reset', T)).toBe(7_800);
  });
});
