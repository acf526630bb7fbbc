import type { HistoryJobProgress, StreamHistoryBar } from '@fxcm/contracts';
import {
  HistoryJobError,
  runHistoryJob,
  type HistoryRunOptions,
} from '../src/history/history-runner';
import type { CandleSource } from '../src/history/candle-source';
import { FxcmError } from '../src/providers/fxcm-rest/fxcm-errors';
import { SimMarket } from '../src/providers/sim/sim-market';

const T0 = Date.UTC(2026, 10, 18, 9, 0);
const MINUTE = 60_000;
const market = new SimMarket({ seed: 11 });

/** The simulator's candles, with scripted failures before chosen requests. */
function scriptedSource(
  failures: Map<number, Error>,
): CandleSource & { calls: Array<[number, number]> } {
  const calls: Array<[number, number]> = [];
  return {
    maxCandlesPerRequest: 10,
    calls,
    async fetchM1(symbol, from, to) {
      calls.push([from, to]);
      const failure = failures.get(calls.length);
      if (failure) throw failure;
      return market.candles(symbol, from, to);
    },
  };
}

function harness(source: CandleSource, extra: Partial<HistoryRunOptions> = {}) {
  const written: StreamHistoryBar[] = [];
  const saved: HistoryJobProgress[] = [];
  const sleeps: number[] = [];
  let now = T0 + 3_600_000;
  const opts: HistoryRunOptions = {
    jobId: 'job-1',
    symbol: 'EURUSD',
    fromMs: T0,
    toMs: T0 + 25 * MINUTE,
    source,
    write: async (bars) => void written.push(...bars),
    saveProgress: async (p) => void saved.push(p),
    budget: { maxRequests: 100, maxMs: 600_000 },
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    ...extra,
  };
  return { opts, written, saved, sleeps };
}

describe('runHistoryJob', () => {
  it('fetches in chunks, writes every bar once, saves progress after each chunk', async () => {
    const source = scriptedSource(new Map());
    const h = harness(source);
    const done = await runHistoryJob(h.opts);
    expect(source.calls).toEqual([
      [T0, T0 + 10 * MINUTE],
      [T0 + 10 * MINUTE, T0 + 20 * MINUTE],
      [T0 + 20 * MINUTE, T0 + 25 * MINUTE],
    ]);
    expect(h.written.map((b) => b.open_time)).toEqual(
      Array.from({ length: 25 }, (_, i) => T0 + i * MINUTE),
    );
    expect(h.written[0]).toMatchObject({
      symbol: 'EURUSD',
      tf: '1m',
      job_id: 'job-1',
      source: 'history',
    });
    expect(h.saved.map((p) => p.next_from)).toEqual([
      T0 + 10 * MINUTE,
      T0 + 20 * MINUTE,
      T0 + 25 * MINUTE,
    ]);
    expect(done).toEqual({ next_from: T0 + 25 * MINUTE, bars: 25, requests: 3, chunks_done: 3 });
  });

  it('retries transient errors (not ready, 5xx, 403 quota) with capped backoff', async () => {
    const source = scriptedSource(
      new Map<number, Error>([
        [2, new FxcmError('FXCM_QUOTA_EXCEEDED', 'quota')],
        [3, new FxcmError('FXCM_SERVER_ERROR', '520')],
        [4, new FxcmError('FXCM_NOT_READY', 'not ready')],
      ]),
    );
    const h = harness(source);
    const done = await runHistoryJob(h.opts);
    expect(h.sleeps).toEqual([6_000, 12_000, 24_000]);
    expect(done.bars).toBe(25);
    expect(done.requests).toBe(6);
  });

  it('fails loudly on a permanent error and keeps the progress', async () => {
    const source = scriptedSource(new Map([[2, new FxcmError('FXCM_NOT_FOUND', 'HTTP 404')]]));
    const h = harness(source);
    const err = await runHistoryJob(h.opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HistoryJobError);
    expect((err as HistoryJobError).code).toBe('HISTORY_FETCH_FAILED');
    expect((err as HistoryJobError).progress).toEqual({
      next_from: T0 + 10 * MINUTE,
      bars: 10,
      requests: 2,
      chunks_done: 1,
      last_error: 'EURUSD: FXCM_NOT_FOUND: HTTP 404',
    });
    expect(h.saved.at(-1)).toEqual((err as HistoryJobError).progress);
  });

  it('stops at the request budget and a resumed run finishes with the same bars', async () => {
    const whole = harness(scriptedSource(new Map()));
    await runHistoryJob(whole.opts);

    const first = harness(scriptedSource(new Map()), {
      budget: { maxRequests: 2, maxMs: 600_000 },
    });
    const err = (await runHistoryJob(first.opts).catch((e: unknown) => e)) as HistoryJobError;
    expect(err.code).toBe('HISTORY_BUDGET_EXHAUSTED');
    expect(err.progress.next_from).toBe(T0 + 20 * MINUTE);

    const second = harness(scriptedSource(new Map()), { resume: err.progress });
    const done = await runHistoryJob(second.opts);
    expect(done).toMatchObject({
      next_from: T0 + 25 * MINUTE,
      bars: 25,
      requests: 3,
      chunks_done: 3,
    });
    expect([...first.written, ...second.written]).toEqual(whole.written);
  });

  it('stops at the time budget while retrying', async () => {
    const always = new FxcmError('FXCM_QUOTA_EXCEEDED', 'quota');
    const source: CandleSource = {
      maxCandlesPerRequest: 10,
      fetchM1: () => Promise.reject(always),
    };
    const h = harness(source, { budget: { maxRequests: 100, maxMs: 60_000 } });
    const err = (await runHistoryJob(h.opts).catch((e: unknown) => e)) as HistoryJobError;
    expect(err.code).toBe('HISTORY_BUDGET_EXHAUSTED');
    expect(err.progress).toMatchObject({ next_from: T0, bars: 0, chunks_done: 0 });
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(60_000);
  });
});
