import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { encodeOhlcvMessage } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import { StatusReporter } from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import { BarStore } from '../src/bar-store';
import { OhlcvIngest } from '../src/ohlcv-ingest';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 's3cr3t';
const T = Date.UTC(2025, 11, 12, 16, 40);

let redis: Redis;
let ns: string;
beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'ingestor-test' });
});
beforeEach(() => {
  ns = `test_ing_${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(() => redis.quit());

function setup(hmacRequired = true) {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'ingestor',
    stream: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }),
  });
  const metrics = createMetrics({ service: 'ingestor' });
  const status = new StatusReporter({ service: 'ingestor', instance: 't', namespace: ns, redis });
  const store = new BarStore(redis, ns);
  const ingest = new OhlcvIngest({
    store,
    rails: () => ({
      allowedSymbols: new Set(['XAUUSD']),
      allowedTimeframes: new Set(['1m']),
      maxBars: 5000,
      now: Date.now(),
    }),
    hmac: { secret: SECRET, algo: 'sha256' },
    hmacRequired,
    logger,
    metrics,
    status,
  });
  return { ingest, store, status, lines, metrics };
}

const bar = (open: number, close = 4281) => ({
  open_time: open,
  close_time: open + 59_999,
  open: 4278,
  high: 4284,
  low: 4277,
  close,
  volume: 37,
});

describe('OhlcvIngest on a real Redis', () => {
  it('verifies, stores once per open_time (first wins), and reads back by range', async () => {
    const { ingest, store } = setup();
    const first = encodeOhlcvMessage(
      { symbol: 'XAUUSD', tf: '1m', bars: [bar(T), bar(T + 60_000)], source: 'tick_agg' },
      { secret: SECRET, algo: 'sha256' },
    );
    const again = encodeOhlcvMessage(
      { symbol: 'XAUUSD', tf: '1m', bars: [bar(T, 9999)] },
      { secret: SECRET, algo: 'sha256' },
    );
    expect(await ingest.onMessage(first)).toBe('stored');
    expect(await ingest.onMessage(again)).toBe('duplicate');
    const stored = await store.range('XAUUSD', '1m');
    expect(stored.map((b) => [b.open_time, b.close])).toEqual([
      [T, 4281],
      [T + 60_000, 4281],
    ]);
    expect(await store.range('XAUUSD', '1m', T + 1, T + 60_000)).toHaveLength(1);
  });

  it('rejects a tampered, an unsigned and a malformed message, and keeps going', async () => {
    const { ingest, store, status, metrics } = setup();
    const signed = encodeOhlcvMessage(
      { symbol: 'XAUUSD', tf: '1m', bars: [bar(T)] },
      { secret: SECRET, algo: 'sha256' },
    );
    const tampered = signed.replace('"close":4281.0', '"close":4282.0');
    const unsigned = encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [bar(T)] });
    expect(await ingest.onMessage(tampered)).toBe('rejected');
    expect(await ingest.onMessage(unsigned)).toBe('rejected');
    expect(await ingest.onMessage('{not json')).toBe('rejected');
    expect(await ingest.onMessage(signed)).toBe('stored');
    expect(await store.count('XAUUSD', '1m')).toBe(1);
    expect(status.snapshot().errors.map((e) => e.code)).toEqual([
      'INGEST_BAD_SIGNATURE',
      'INGEST_UNSIGNED',
      'INGEST_INVALID_JSON',
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /fxcm_ingestor_messages_total\{outcome="rejected",reason="bad_signature",service="ingestor"\} 1/,
    );
  });

  it('accepts unsigned messages when signatures are not required', async () => {
    const { ingest } = setup(false);
    expect(
      await ingest.onMessage(encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [bar(T)] })),
    ).toBe('stored');
  });
});
