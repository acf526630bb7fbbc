import { HistoryQuota, V1_HISTORY_QUOTA } from '../src/history/history-quota';

const T = 1_700_000_000_000;
const small = {
  ...V1_HISTORY_QUOTA,
  maxCallsPerMin: 10,
  maxCallsPerHour: 40,
  priorityReservePerMin: 3,
  priorityReservePerHour: 12,
};

describe('HistoryQuota (V1 rules on a fake clock)', () => {
  it('allows up to the per-minute limit in a sliding 60 s window, then names minute_quota', () => {
    const q = new HistoryQuota(small);
    // the priority target is exempt from reserve and min interval: only the quota applies
    for (let i = 0; i < 10; i++)
      expect(q.request('XAUUSD', '1m', T + i * 1_000)).toEqual({ allowed: true });
    expect(q.request('XAUUSD', '1m', T + 10_000)).toEqual({
      allowed: false,
      reason: 'minute_quota',
      waitMs: 50_000, // the first call (at T) leaves the window at T + 60 s
    });
    expect(q.request('XAUUSD', '1m', T + 59_999)).toMatchObject({ allowed: false });
    expect(q.request('XAUUSD', '1m', T + 60_000)).toEqual({ allowed: true });
  });

  it('holds the 3600 s window too: hour_quota after the hourly limit, free again an hour on', () => {
    const q = new HistoryQuota(small);
    for (let i = 0; i < 40; i++)
      expect(q.request('XAUUSD', '1m', T + i * 61_000).allowed).toBe(true);
    const at = T + 40 * 61_000;
    expect(q.request('XAUUSD', '1m', at)).toEqual({
      allowed: false,
      reason: 'hour_quota',
      waitMs: T + 3_600_000 - at,
    });
    expect(q.request('XAUUSD', '1m', T + 3_600_000).allowed).toBe(true);
  });

  it('keeps the reserve for priority targets once the load reaches 0.9', () => {
    const q = new HistoryQuota(small);
    for (let i = 0; i < 9; i++) q.request('XAUUSD', '1m', T + i);
    // load 0.9: a non-priority target is refused, the priority one still gets the last call
    expect(q.request('EURUSD', '5m', T + 100)).toMatchObject({
      allowed: false,
      reason: 'priority_reserve',
    });
    expect(q.request('XAUUSD', '1m', T + 100)).toEqual({ allowed: true });
    // below 0.9 nothing is reserved: 6 of 10 calls leave room for a non-priority call
    const calm = new HistoryQuota(small);
    for (let i = 0; i < 6; i++) calm.request('XAUUSD', '1m', T + i);
    expect(calm.request('EURUSD', '5m', T + 100)).toEqual({ allowed: true });
  });

  it('applies the per-tf minimum interval only from load 0.7 and not to priority targets', () => {
    const q = new HistoryQuota(small);
    expect(q.request('EURUSD', '1m', T).allowed).toBe(true);
    expect(q.request('EURUSD', '1m', T + 100).allowed).toBe(true); // load 0.1: no interval
    for (let i = 0; i < 5; i++) q.request('XAUUSD', '1m', T + 200 + i); // load 0.7
    expect(q.request('EURUSD', '1m', T + 1_000)).toEqual({
      allowed: false,
      reason: 'min_interval',
      waitMs: 1_100, // 2 s after the call at T + 100
    });
    expect(q.request('EURUSD', '1m', T + 2_100).allowed).toBe(true);
    expect(q.request('XAUUSD', '1m', T + 2_101).allowed).toBe(true); // priority: no interval
  });

  it('names the rule with the longest wait when several refuse', () => {
    const q = new HistoryQuota({ ...small, minIntervalMs: { '5m': 30_000 } });
    q.request('EURUSD', '5m', T);
    for (let i = 1; i < 10; i++) q.request('XAUUSD', '1m', T + 59_000 + i);
    // at T + 59.5 s: minute_quota frees in 0.5 s (the call at T), the reserve only once three
    // more calls left (T + 59 003 + 60 s), the 30 s interval has passed
    expect(q.request('EURUSD', '5m', T + 59_500)).toEqual({
      allowed: false,
      reason: 'priority_reserve',
      waitMs: 59_503,
    });
  });

  it('reports throttle_state ok, warn (load 0.85 or a recent quota denial), critical, and the skips', () => {
    const q = new HistoryQuota(small);
    expect(q.snapshot(T)).toMatchObject({ throttle_state: 'ok', calls_60s: 0, limit_60s: 10 });
    for (let i = 0; i < 9; i++) q.request('XAUUSD', '1m', T + i);
    expect(q.snapshot(T + 10).throttle_state).toBe('warn'); // load 0.9, no denial
    q.request('XAUUSD', '1m', T + 20);
    expect(q.request('XAUUSD', '1m', T + 30)).toMatchObject({ reason: 'minute_quota' });
    expect(q.request('EURUSD', '1m', T + 40)).toMatchObject({ allowed: false });
    const storm = q.snapshot(T + 50);
    expect(storm).toMatchObject({
      throttle_state: 'critical',
      calls_60s: 10,
      last_denied_reason: 'priority_reserve', // the EURUSD refusal: its reserve wait is longest
      skipped_polls: [
        { symbol: 'XAUUSD', tf: '1m', count: 1 },
        { symbol: 'EURUSD', tf: '1m', count: 1 },
      ],
    });
    expect(storm.next_slot_seconds).toBeCloseTo(59.95, 5);
    // 15 s after the last quota denial (T + 40, the EURUSD one) it is no longer recent; once the
    // window empties all is ok
    expect(q.snapshot(T + 15_041).throttle_state).toBe('warn');
    expect(q.snapshot(T + 61_000)).toMatchObject({
      throttle_state: 'ok',
      calls_60s: 0,
      calls_3600s: 10,
    });
  });

  it('keeps the hourly reserve too: a non-priority call waits until the hour window frees', () => {
    // minute limit out of reach: only the 3600 s window loads up (36 of 40 = 0.9)
    const q = new HistoryQuota({ ...small, maxCallsPerMin: 1_000, priorityReservePerMin: 0 });
    for (let i = 0; i < 36; i++) q.request('XAUUSD', '1m', T + i * 61_000);
    const at = T + 36 * 61_000;
    // 36 calls ≥ 40 − 12 reserved: the non-priority call waits for 36 − 28 + 1 = 9 calls to
    // leave the hour, the 9th (at T + 8 × 61 s) leaves at T + 8 × 61 s + 3600 s
    expect(q.request('EURUSD', '1m', at)).toEqual({
      allowed: false,
      reason: 'priority_reserve',
      waitMs: T + 8 * 61_000 + 3_600_000 - at,
    });
    expect(q.request('XAUUSD', '1m', at)).toEqual({ allowed: true });
  });

  it('applies each tf its own minimum interval (5m 6 s), and none to a tf without one', () => {
    const q = new HistoryQuota(small);
    for (let i = 0; i < 7; i++) q.request('XAUUSD', '1m', T + i); // load 0.7
    expect(q.request('EURUSD', '5m', T + 10).allowed).toBe(true);
    expect(q.request('EURUSD', '5m', T + 5_000)).toEqual({
      allowed: false,
      reason: 'min_interval',
      waitMs: 1_010,
    });
    expect(q.request('EURUSD', '5m', T + 6_010).allowed).toBe(true);
    // 1h has no minimum interval (V1 sets m1 and m5 only)
    const h = new HistoryQuota(small);
    for (let i = 0; i < 7; i++) h.request('XAUUSD', '1m', T + i);
    expect(h.request('EURUSD', '1h', T + 10).allowed).toBe(true);
    expect(h.request('EURUSD', '1h', T + 11).allowed).toBe(true);
  });

  it('takes its load thresholds from the settings (history_load_thresholds)', () => {
    const q = new HistoryQuota({
      ...small,
      loadThresholds: { minInterval: 0.3, reserve: 0.5, warn: 0.4, critical: 0.6 },
    });
    for (let i = 0; i < 3; i++) q.request('XAUUSD', '1m', T + i); // load 0.3
    expect(q.snapshot(T + 5).throttle_state).toBe('ok');
    expect(q.request('EURUSD', '1m', T + 10).allowed).toBe(true); // first call of EURUSD
    expect(q.request('EURUSD', '1m', T + 20)).toMatchObject({ reason: 'min_interval' }); // 0.4 ≥ 0.3
    expect(q.snapshot(T + 30).throttle_state).toBe('warn'); // 0.4 ≥ warn
    q.request('XAUUSD', '1m', T + 40);
    q.request('XAUUSD', '1m', T + 41);
    q.request('XAUUSD', '1m', T + 42); // load 0.7 ≥ reserve 0.5, and 7 calls ≥ 10 − 3 reserved
    expect(q.request('EURUSD', '5m', T + 50)).toMatchObject({ reason: 'priority_reserve' });
    // with the V1 thresholds the same load reserves nothing yet
    const v1 = new HistoryQuota(small);
    for (let i = 0; i < 7; i++) v1.request('XAUUSD', '1m', T + i);
    expect(v1.request('EURUSD', '5m', T + 50)).toEqual({ allowed: true });
  });
});
