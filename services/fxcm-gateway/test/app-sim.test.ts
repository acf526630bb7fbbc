import { buildConfig } from '@fxcm/config';
import { decodeStreamEntry, shardOf, streamNames } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisConnector } from '@fxcm/service-runtime';
import { createApp } from '../src/app';
import { configSpec, type GatewayConfig } from '../src/config';
import { HISTORY_QUEUE, queuePrefix } from '@fxcm/contracts';
import { SimMarket } from '../src/providers/sim/sim-market';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const START = Date.UTC(2026, 10, 18, 10, 0); // a Wednesday: the simulator's clock starts here
const MINUTE = 60_000;

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('gateway app with the sim provider (real Redis)', () => {
  const ns = `test-gw-sim-${process.pid}-${Date.now()}`;
  let redis: Redis;

  beforeAll(() => {
    redis = createRedis(REDIS_URL, { name: 'app-sim-test' });
  });

  afterAll(async () => {
    for (const pattern of [`${ns}:*`, `${queuePrefix(ns)}:*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  });

  it('streams clean ticks and watermarks, reports streaming, and runs a queued history job', async () => {
    const config = buildConfig(configSpec, {
      env: {
        REDIS_URL,
        FXCM_NAMESPACE: ns,
        FXCM_SHARDS: '2',
        FXCM_STREAM_CONFIG: 'EUR/USD:m1,XAU/USD:m1,EUR/USD:m5',
        FXCM_SIM_START: new Date(START).toISOString(),
        FXCM_SIM_SEED: '5',
        FXCM_STATUS_INTERVAL_MS: '200',
      },
      settings: {},
    }) as GatewayConfig;
    expect(config.provider).toBe('auto');
    const logger = createLogger({ service: 'fxcm-gateway', level: 'error' });
    const metrics = createMetrics({ service: 'fxcm-gateway', defaultMetrics: false });
    const app = createApp({
      config,
      logger,
      metrics,
      connect: redisConnector('fxcm-gateway', REDIS_URL, logger, metrics),
    });
    const queueConn = createRedis(REDIS_URL, { name: 'app-sim-test:queue', blocking: true });
    const queue = new Queue(HISTORY_QUEUE, { connection: queueConn, prefix: queuePrefix(ns) });
    const names = streamNames(ns);
    try {
      await app.start();
      const eurusd = names.ticks(shardOf('EURUSD', 2));
      await waitFor('ticks', async () => (await redis.xlen(eurusd)) > 20);
      const entries = (await redis.xrange(eurusd, '-', '+')).map(([, f]) => decodeStreamEntry(f));
      const ticks = entries
        .filter((e) => e.type === 'tick')
        .map((e) => e.data as { symbol: string; ts: number; source: string });
      expect(new Set(ticks.map((t) => t.source))).toEqual(new Set(['sim']));
      expect(ticks[0]!.ts).toBeGreaterThanOrEqual(START);
      expect(entries.some((e) => e.type === 'watermark')).toBe(true);

      await waitFor('status streaming', async () => {
        const last = await redis.xrevrange(names.status, '+', '-', 'COUNT', 1);
        const record = last[0]
          ? (decodeStreamEntry(last[0][1]).data as { detail?: Record<string, unknown> })
          : undefined;
        return (
          record?.detail?.['feed_state'] === 'streaming' &&
          typeof record.detail['last_tick_at'] === 'number'
        );
      });

      const from = START - 30 * MINUTE;
      const job = await queue.add('history', {
        symbol: 'XAUUSD',
        from,
        to: from + 12 * MINUTE,
        reason: 'warmup',
      });
      await waitFor('history job', async () => (await job.getState()) === 'completed');
      // the job's bars (the start-minute backfill of a live start writes its own, later ones)
      const history = (await redis.xrange(names.history(shardOf('XAUUSD', 2)), '-', '+'))
        .map(([, f]) => decodeStreamEntry(f))
        .flatMap((e) => (e.type === 'history_bar' ? [e.data] : []))
        .filter((b) => b.open_time >= from && b.open_time < from + 12 * MINUTE);
      const expected = new SimMarket({ seed: 5 }).candles('XAUUSD', from, from + 12 * MINUTE);
      expect(history.map((b) => [b.open_time, b.bid_open, b.ask_close, b.volume])).toEqual(
        expected.map((c) => [c.ts, c.bidOpen, c.askClose, c.tickQty]),
      );
    } finally {
      await queue.close();
      await queueConn.quit();
      await app.stop();
    }
  });
});
