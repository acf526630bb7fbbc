import { decodeStreamEntry, shardOf, streamNames, type StreamHistoryBar } from '@fxcm/contracts';
import { createRedis, StreamProducer } from '@fxcm/redis-streams';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CandleSource } from '../src/history/candle-source';
import { HISTORY_QUEUE, queuePrefix } from '@fxcm/contracts';
import { startHistoryWorker } from '../src/history/history-worker';
import { HistoryWriter } from '../src/history/history-writer';
import { FxcmError } from '../src/providers/fxcm-rest/fxcm-errors';
import { SimMarket } from '../src/providers/sim/sim-market';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2026, 10, 18, 9, 0);
const MINUTE = 60_000;
const market = new SimMarket({ seed: 21 });

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('history worker (BullMQ, real Redis)', () => {
  const ns = `test-history-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let queueConn: Redis;
  let workerConn: Redis;
  let producer: StreamProducer;
  let queue: Queue;

  beforeAll(() => {
    redis = createRedis(REDIS_URL, { name: 'history-worker-test' });
    queueConn = createRedis(REDIS_URL, { name: 'history-worker-test:queue', blocking: true });
    workerConn = createRedis(REDIS_URL, { name: 'history-worker-test:worker', blocking: true });
    producer = new StreamProducer({ redis, maxLen: 100_000 });
    queue = new Queue(HISTORY_QUEUE, { connection: queueConn, prefix: queuePrefix(ns) });
  });

  afterAll(async () => {
    await queue.close();
    await producer.close();
    for (const pattern of [`${ns}:*`, `${queuePrefix(ns)}:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    await Promise.all([redis.quit(), queueConn.quit(), workerConn.quit()]);
  });

  async function historyEntries() {
    const entries = await redis.xrange(streamNames(ns).history(shardOf('EURUSD', 1)), '-', '+');
    return entries.map(([, fields]) => decodeStreamEntry(fields));
  }
  async function historyBars(): Promise<StreamHistoryBar[]> {
    return (await historyEntries()).flatMap((e) => (e.type === 'history_bar' ? [e.data] : []));
  }

  async function settled(job: Job): Promise<Job> {
    await waitFor(`job ${job.id}`, async () => {
      const state = await job.getState();
      return state === 'completed' || state === 'failed';
    });
    return (await queue.getJob(job.id!))!;
  }

  it('runs a job in chunks, resumes a failed attempt where it stopped, and rejects a bad payload', async () => {
    let calls: Array<[number, number]> = [];
    let failOnce = true;
    const source: CandleSource = {
      maxCandlesPerRequest: 10,
      async fetchM1(symbol, from, to) {
        calls.push([from, to]);
        if (calls.length === 2 && failOnce) {
          failOnce = false;
          throw new FxcmError('FXCM_NOT_FOUND', 'HTTP 404 (scripted)');
        }
        return market.candles(symbol, from, to);
      },
    };
    const worker = startHistoryWorker({
      connection: workerConn,
      namespace: ns,
      source,
      writer: new HistoryWriter(producer, ns, 1),
      budget: { maxRequests: 50, maxMs: 60_000 },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    try {
      const job = await queue.add(
        'history',
        { symbol: 'EUR/USD', from: T0, to: T0 + 25 * MINUTE, reason: 'warmup' },
        { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
      );
      const done = await settled(job);
      expect(await done.getState()).toBe('completed');
      expect(done.attemptsMade).toBe(2);
      expect(done.returnvalue).toEqual({
        next_from: T0 + 25 * MINUTE,
        bars: 25,
        requests: 4,
        chunks_done: 3,
      });
      // First attempt: chunk 1, then chunk 2 fails; the second attempt starts at chunk 2.
      expect(calls).toEqual([
        [T0, T0 + 10 * MINUTE],
        [T0 + 10 * MINUTE, T0 + 20 * MINUTE],
        [T0 + 10 * MINUTE, T0 + 20 * MINUTE],
        [T0 + 20 * MINUTE, T0 + 25 * MINUTE],
      ]);
      const bars = await historyBars();
      expect(bars.map((b) => b.open_time)).toEqual(
        Array.from({ length: 25 }, (_, i) => T0 + i * MINUTE),
      );
      const expected = market.candles('EURUSD', T0, T0 + 25 * MINUTE);
      expect(bars.map((b) => [b.bid_open, b.bid_high, b.bid_low, b.bid_close, b.volume])).toEqual(
        expected.map((c) => [c.bidOpen, c.bidHigh, c.bidLow, c.bidClose, c.tickQty]),
      );
      expect(new Set(bars.map((b) => `${b.source}:${b.job_id}`))).toEqual(
        new Set([`history:${job.id}`]),
      );
      // after the bars, and only once the whole run is done: the range they cover
      const entries = await historyEntries();
      expect(entries.map((e) => e.type)).toEqual([
        ...bars.map(() => 'history_bar'),
        'history_range',
      ]);
      expect(entries[entries.length - 1]?.data).toEqual({
        symbol: 'EURUSD',
        tf: '1m',
        from: T0,
        to: T0 + 25 * MINUTE,
        bars: 25,
        job_id: job.id,
        source: 'history',
      });

      calls = [];
      const bad = await queue.add(
        'history',
        { symbol: 'EUR/USD', from: 'yesterday' },
        { attempts: 1 },
      );
      const failed = await settled(bad);
      expect(failed.failedReason).toMatch(/^job \d+: /);
      expect(await failed.getState()).toBe('failed');
      expect(calls).toEqual([]);
    } finally {
      await worker.close();
    }
  });
});
