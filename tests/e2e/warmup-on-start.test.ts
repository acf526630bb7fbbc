import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCalendarBook } from '@fxcm/calendar';
import {
  decodeStreamEntry,
  HISTORY_QUEUE,
  keys,
  queuePrefix,
  streamNames,
  type StreamControl,
} from '@fxcm/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { openStore, type StoredBar } from '../../services/bar-builder/src/store';
import { isolatedEnv, unlinkNamespace } from '../harness/isolated-suite';
import { ServiceProcess, waitFor } from '../harness/suite';

// Warmup on start: the bar builder's store holds every bar of the last N (= FXCM_WARMUP_BARS)
// of EURUSD 1m and 5m, and only the older half of the span of XAUUSD 1m. Started over that
// store, the scheduler asks the bar builder for each target's coverage and warms exactly
// XAUUSD 1m: one history job (reason warmup_on_start), then one republish request; the EURUSD
// targets are skipped, and the status snapshot says so. The spans are the calendar's last open
// minutes before now, so the test holds on any day and at any hour (a weekend reaches back
// into Friday's session, as the scheduler's own window does).

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const N = 60;
const TARGETS = 'EUR/USD:m1,EUR/USD:m5,XAU/USD:m1';
const book = defaultCalendarBook();

/** The open minutes of the symbol's calendar among the last `count` before `to`, ascending. */
function lastOpenMinutes(symbol: string, to: number, count: number): number[] {
  const calendar = book.calendarFor(symbol);
  const from = calendar.startOfLastOpenMinutes(to, count, to - 31 * 24 * 60 * MINUTE);
  const out: number[] = [];
  for (const span of calendar.openIntervals(from, to)) {
    for (let m = Math.ceil(span.start / MINUTE) * MINUTE; m < span.end; m += MINUTE) out.push(m);
  }
  return out;
}

const bar = (open_time: number): StoredBar => ({
  open_time,
  close_time: open_time + MINUTE - 1,
  open: 1.1,
  high: 1.2,
  low: 1.0,
  close: 1.15,
  volume: 3,
  tick_count: 3,
  complete: true,
  synthetic: false,
  source: 'tick_agg',
});

describe('warmup on start, end to end (scheduler and bar builder processes)', () => {
  it('warms exactly the target whose store coverage is below cache.warmup_bars', async () => {
    const ns = `e2e_wos_${randomUUID().slice(0, 8)}`;
    const cacheDir = mkdtempSync(join(tmpdir(), 'fxcm-e2e-wos-'));
    const redis = new Redis(REDIS_URL);
    const queueConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(HISTORY_QUEUE, {
      connection: queueConnection,
      prefix: queuePrefix(ns),
    });
    const services: ServiceProcess[] = [];
    try {
      // EURUSD: every open minute of far more than the 5m span (N × 5), up to the current
      // minute; XAUUSD: the older half of the 1m span the scheduler will look at.
      const now = Math.floor(Date.now() / MINUTE) * MINUTE;
      const store = await openStore({ dir: join(cacheDir, 'shard-0'), maxBars: 60_000 });
      await store.append('EURUSD', '1m', lastOpenMinutes('EURUSD', now, N * 5 + 120).map(bar));
      const xauSpan = lastOpenMinutes('XAUUSD', now - 2 * MINUTE, N);
      await store.append('XAUUSD', '1m', xauSpan.slice(0, N / 2).map(bar));
      await store.close();

      const common = {
        ...isolatedEnv(REDIS_URL, ns),
        FXCM_STREAM_CONFIG: TARGETS,
        FXCM_LOG_LEVEL: 'info',
      };
      services.push(
        new ServiceProcess('scheduler', {
          ...common,
          FXCM_WARMUP_ON_START: 'true',
          FXCM_WARMUP_BARS: String(N),
          FXCM_WARMUP_HISTORY_WAIT_SECONDS: '1',
          FXCM_TAIL_GUARD_SCHEDULED: 'false',
          FXCM_TELEMETRY_INTERVAL_SECONDS: '0.5',
        }),
        new ServiceProcess('bar-builder', {
          ...common,
          FXCM_CACHE_DIR: cacheDir,
          FXCM_INSTANCE: 'bar-builder-0',
        }),
      );
      const logs = (): string => services.map((p) => `--- ${p.service}\n${p.tail(40)}`).join('\n');
      const snapshot = async (): Promise<Record<string, unknown> | undefined> => {
        const text = await redis.get(keys(ns).statusSnapshot);
        return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      };
      const controls = async (): Promise<StreamControl[]> =>
        (await redis.xrange(streamNames(ns).control, '-', '+')).map(
          ([, fields]) => decodeStreamEntry(fields).data as StreamControl,
        );
      const republishes = async (): Promise<StreamControl[]> =>
        (await controls()).filter((c) => c.cmd === 'republish');

      let block: Record<string, unknown> | undefined;
      await waitFor(
        async () => {
          block = (await snapshot())?.['warmup_on_start'] as Record<string, unknown> | undefined;
          return block?.['state'] === 'done';
        },
        40_000,
        () => `no finished warmup_on_start in the snapshot: ${JSON.stringify(block)}\n${logs()}`,
      );
      await waitFor(
        async () => (await republishes()).length > 0,
        15_000,
        () => `no republish request\n${logs()}`,
      );

      expect(block).toMatchObject({
        state: 'done',
        bars: N,
        targets: {
          'EURUSD:1m': { stored: N, wanted: N, result: 'skipped' },
          'EURUSD:5m': { result: 'skipped' },
          'XAUUSD:1m': { wanted: N, result: 'warmed' },
        },
      });
      const targets = block!['targets'] as Record<string, { stored: number; wanted: number }>;
      // 5m: the windows wholly inside the span (N, or N - 1 when its edges cut one)
      expect(targets['EURUSD:5m']!.stored).toBe(targets['EURUSD:5m']!.wanted);
      expect(targets['EURUSD:5m']!.wanted).toBeGreaterThanOrEqual(N - 1);
      const xau = targets['XAUUSD:1m']!;
      expect(xau.stored).toBeGreaterThan(0);
      expect(xau.stored).toBeLessThanOrEqual(N / 2);

      // exactly one history job of the warmup on start, for XAUUSD over its span
      const jobs = (await queue.getJobs()).filter((j) => j.data.reason === 'warmup_on_start');
      expect(jobs.map((j) => [j.data.symbol, j.data.target_tf])).toEqual([['XAUUSD', '1m']]);
      expect(jobs[0]!.data.from).toBeLessThanOrEqual(xauSpan[0]!);
      // then the republish of the last N bars from the store, XAUUSD 1m only
      await new Promise((r) => setTimeout(r, 1_500)); // a second request would show by now
      expect((await republishes()).map((c) => c.args)).toEqual([
        { symbol: 'XAUUSD', tf: '1m', bars: N, source: 'history_s3' },
      ]);
      expect((await controls()).some((c) => c.cmd === 'store_coverage')).toBe(true);
      // one log line per target
      const schedulerLog = services[0]!.output.join('');
      expect(schedulerLog.match(/warmup on start: skipped/g)?.length).toBe(2);
      expect(schedulerLog.match(/warmup on start: warming/g)?.length).toBe(1);
    } finally {
      await Promise.all(services.map((p) => p.stop()));
      await queue.close();
      await queueConnection.quit();
      await redis.quit();
      await unlinkNamespace(REDIS_URL, ns);
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 60_000);
});
