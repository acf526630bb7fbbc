import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { HISTORY_PRIORITY_TARGET, HISTORY_QUEUE, queuePrefix } from '@fxcm/contracts';
import { createLogger, createRateLimitedLog } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CandleSource } from '../src/history/candle-source';
import { V1_HISTORY_QUOTA } from '../src/history/history-quota';
import { createHistoryService } from '../src/history/history-service';
import { FxcmError } from '../src/providers/fxcm-rest/fxcm-errors';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2026, 10, 18, 9, 0);
const MINUTE = 60_000;

async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('history service: history_backoff and quota state (real Redis)', () => {
  it('shows a 403 storm in the status while it lasts and clears it on the first success', async () => {
    const ns = `test_hsvc_${randomUUID().slice(0, 8)}`;
    const connections: Redis[] = [];
    const connect = (role: string, options?: { blocking?: boolean }): Redis => {
      const c = createRedis(REDIS_URL, { name: `hsvc:${role}`, ...options });
      connections.push(c);
      return c;
    };
    const redis = connect('main');
    const status = new StatusReporter({
      service: 'fxcm-gateway',
      instance: 't',
      namespace: ns,
      redis,
    });
    status.setState('ok');
    const logger = createLogger({
      service: 'fxcm-gateway',
      stream: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    // FXCM answers 403 (request quota) three times, then serves the candles.
    let calls = 0;
    let release = false;
    const source: CandleSource = {
      maxCandlesPerRequest: 10_000,
      fetchM1() {
        calls += 1;
        if (!release)
          return Promise.reject(
            new FxcmError(
              'FXCM_QUOTA_EXCEEDED',
              'The number of API requests per session has been exceeded',
              403,
            ),
          );
        return Promise.resolve([]);
      },
    };
    const service = createHistoryService({
      connect,
      instance: 't',
      namespace: ns,
      shardCount: 1,
      maxLen: 10_000,
      source,
      // a budget far larger than the storm: it must show before any job gives up
      budget: { maxRequests: 1_000, maxMs: 600_000 },
      quota: V1_HISTORY_QUOTA,
      backoff: { baseMs: 100, maxMs: 400, multiplier: 2, jitter: 0 },
      metrics: createMetrics({ service: 'fxcm-gateway' }),
      status,
      log: createRateLimitedLog(logger, { intervalMs: 10_000 }),
    });
    const queue = new Queue(HISTORY_QUEUE, {
      connection: connect('queue', { blocking: true }),
      prefix: queuePrefix(ns),
    });
    try {
      const job = await queue.add(
        'fxcm_warmup',
        { symbol: 'XAUUSD', tf: '1m', target_tf: '1m', from: T0, to: T0 + 30 * MINUTE },
        { priority: HISTORY_PRIORITY_TARGET },
      );
      await waitFor('three refused calls', () => calls >= 3);
      // mid-storm: degraded with the registry code, the backoff active and growing (V1 ×2)
      const storm = service.detail(Date.now());
      expect(storm['history_backoff']).toMatchObject({
        active: true,
        fail_count: calls,
        last_error: expect.stringMatching(/^FXCM_QUOTA_EXCEEDED: /) as string,
      });
      expect((storm['history_backoff'] as { sleep_seconds: number }).sleep_seconds).toBe(
        Math.min(0.4, 0.1 * 2 ** (calls - 1)),
      );
      const record = status.snapshot();
      expect(record.degraded).toContain('history_backoff');
      expect(record.errors.map((e) => e.code)).toContain('FXCM_QUOTA_EXCEEDED');
      expect(record.state).toBe('degraded');
      // every refused call counted by the quota, the job still running
      expect(storm['history']).toMatchObject({ calls_60s: calls, throttle_state: 'ok' });
      expect(await job.getState()).toBe('active');

      release = true;
      await waitFor('the job', async () => (await job.getState()) === 'completed');
      const after = service.detail(Date.now());
      expect(after['history_backoff']).toMatchObject({ active: false, fail_count: 0 });
      expect(status.snapshot().degraded).not.toContain('history_backoff');
      expect(status.snapshot().state).toBe('ok');
      expect(after['history']).toMatchObject({ calls_60s: calls, last_denied_reason: null });
    } finally {
      await queue.close();
      await service.close();
      await status.stop();
      const keys = [
        ...(await redis.keys(`${ns}:*`)),
        ...(await redis.keys(`${queuePrefix(ns)}:*`)),
      ];
      if (keys.length > 0) await redis.del(...keys);
      await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
    }
  }, 30_000);
});
