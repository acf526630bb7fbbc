import { randomUUID } from 'node:crypto';
import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { createRedis } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';
import { StatusReporter, type ServiceStatusRecord } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let ns: string;

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'status-reporter-test' });
});
beforeEach(() => {
  ns = `test_sr_${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(() => redis.quit());

async function records(): Promise<ServiceStatusRecord[]> {
  const rows = await redis.xrange(streamNames(ns).status, '-', '+');
  return rows.map(([, fields]) => {
    const entry = decodeStreamEntry(fields);
    if (entry.type !== 'service_status') throw new Error(`unexpected ${entry.type}`);
    return entry.data;
  });
}

describe('StatusReporter on a real Redis', () => {
  it('writes a valid record on every state and degradation change, in order, and a last one on stop', async () => {
    let now = 1_700_000_000_000;
    const reporter = new StatusReporter({
      service: 'bar-builder',
      instance: 'bb-0',
      namespace: ns,
      redis,
      intervalMs: 3_600_000,
      now: () => (now += 1),
    });
    reporter.start();
    reporter.setState('ok');
    reporter.degrade('cache_read_only');
    reporter.degrade('cache_read_only'); // already active: no new record
    reporter.error('STORE_IO', 'x'.repeat(500), {
      severity: 'critical',
      symbol: 'EURUSD',
      tf: '1m',
    });
    reporter.recover('cache_read_only');
    await reporter.stop();
    await reporter.stop();

    const written = await records();
    expect(written.map((r) => [r.state, r.degraded])).toEqual([
      ['starting', []],
      ['ok', []],
      ['degraded', ['cache_read_only']],
      ['ok', []],
      ['stopping', []],
    ]);
    const last = written[written.length - 1]!;
    expect(last.errors).toHaveLength(1);
    expect(last.errors[0]).toMatchObject({
      code: 'STORE_IO',
      severity: 'critical',
      symbol: 'EURUSD',
      tf: '1m',
    });
    expect(last.errors[0]!.message).toHaveLength(160);
  });

  it('writes a record on report() even when nothing else changed', async () => {
    const reporter = new StatusReporter({
      service: 'fxcm-gateway',
      instance: 'gw',
      namespace: ns,
      redis,
      intervalMs: 3_600_000,
    });
    reporter.setDetail({ feed_state: 'connecting' });
    reporter.report();
    reporter.setDetail({ feed_state: 'logged_in' });
    reporter.report();
    await reporter.flush();
    expect((await records()).map((r) => r.detail?.feed_state)).toEqual(['connecting', 'logged_in']);
  });

  it('keeps only the last 20 errors', () => {
    const reporter = new StatusReporter({ service: 's', instance: 'i', namespace: ns, redis });
    for (let i = 0; i < 25; i += 1) reporter.error('STATUS_WRITE_FAILED', `E${i}`);
    expect(reporter.snapshot().errors.map((e) => e.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `E${i + 5}`),
    );
  });
});
