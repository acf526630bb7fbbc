import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import {
  assessRedisInfo,
  checkRedisSafety,
  EXIT_CONFIG,
  redisConnector,
  redisIsAcceptable,
} from '@fxcm/service-runtime';
import { Redis } from 'ioredis';
import { PrivateRedis } from '../harness/private-redis';
import { ServiceProcess, waitFor } from '../harness/suite';

// The start-up Redis checks against redis-server instances of the test's own, one configured
// safely and one with an evicting maxmemory-policy; the version rule on a real INFO reply.

let safe: PrivateRedis;
let evicting: PrivateRedis;

beforeAll(async () => {
  [safe, evicting] = await Promise.all([
    PrivateRedis.start(),
    PrivateRedis.start(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']),
  ]);
}, 30_000);
afterAll(async () => {
  await Promise.all([safe?.stop(), evicting?.stop()]);
});

async function problemsOf(url: string) {
  const redis = new Redis(url);
  try {
    return await checkRedisSafety(redis);
  } finally {
    redis.disconnect();
  }
}

describe('Redis safety checks', () => {
  it('accept a noeviction Redis of a supported version', async () => {
    expect(await problemsOf(safe.url)).toEqual([]);
  });

  it('flag an evicting Redis with REDIS_EVICTION_UNSAFE', async () => {
    const problems = await problemsOf(evicting.url);
    expect(problems.map((p) => p.code)).toEqual(['REDIS_EVICTION_UNSAFE']);
    expect(problems[0]!.message).toMatch(/allkeys-lru/);
  });

  it('flag a Redis older than 6.2 (the real INFO reply with its version line changed)', async () => {
    const redis = new Redis(safe.url);
    const info = `${await redis.info('server')}\n${await redis.info('memory')}`;
    redis.disconnect();
    expect(assessRedisInfo(info)).toEqual([]);
    const old = info.replace(/^redis_version:.*$/m, 'redis_version:6.0.16');
    expect(assessRedisInfo(old).map((p) => p.code)).toEqual(['REDIS_VERSION_UNSUPPORTED']);
    expect(assessRedisInfo(info.replace(/^redis_version:.*$/m, 'redis_version:6.2.0'))).toEqual([]);
    expect(assessRedisInfo('').map((p) => p.code)).toEqual([
      'REDIS_CHECK_FAILED',
      'REDIS_CHECK_FAILED',
    ]);
  });

  it('in warn mode accept loudly: error counted as redis_unsafe', async () => {
    const logger = createLogger({ service: 't', level: 'error' });
    const metrics = createMetrics({ service: 't', defaultMetrics: false });
    const connect = redisConnector('t', evicting.url, logger, metrics);
    expect(await redisIsAcceptable(connect, 'warn', logger, metrics)).toBe(true);
    expect(await redisIsAcceptable(connect, 'refuse', logger, metrics)).toBe(false);
    expect(await metrics.registry.getSingleMetricAsString('fxcm_connector_errors_total')).toMatch(
      /type="redis_unsafe"[^}]*} 1$/m,
    );
  });

  it('a service refuses to start on an evicting Redis, or runs degraded with FXCM_REDIS_SAFETY=warn', async () => {
    const env = {
      REDIS_URL: evicting.url,
      FXCM_NAMESPACE: 'safety',
      FXCM_METRICS_PORT: '0',
      FXCM_STATUS_INTERVAL_MS: '200',
    };
    const refused = new ServiceProcess('scheduler', env);
    expect(await refused.exited).toBe(EXIT_CONFIG);
    expect(refused.tail()).toMatch(/refusing to start: unsafe Redis.*REDIS_EVICTION_UNSAFE/);

    const warned = new ServiceProcess('scheduler', { ...env, FXCM_REDIS_SAFETY: 'warn' });
    const redis = new Redis(evicting.url);
    try {
      await waitFor(
        async () => {
          const rows = await redis.xrange(streamNames('safety').status, '-', '+');
          return rows.some(([, fields]) => {
            const entry = decodeStreamEntry(fields);
            return (
              entry.type === 'service_status' &&
              entry.data.degraded.includes('redis_unsafe') &&
              entry.data.errors.some((e) => e.code === 'REDIS_EVICTION_UNSAFE')
            );
          });
        },
        20_000,
        () => `no degraded status record\n${warned.tail()}`,
      );
    } finally {
      redis.disconnect();
      expect(await warned.stop()).toBe(0);
    }
  }, 60_000);
});
