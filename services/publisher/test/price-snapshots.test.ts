import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { checkContract, encodeStreamEntry } from '@fxcm/contracts';
import { createLogger } from '@fxcm/logging';
import { createMetrics } from '@fxcm/metrics';
import { createRedis } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';
import { PriceSnapshots } from '../src/price-snapshots';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T = Date.UTC(2025, 11, 10, 15, 0, 0, 250);

let redis: Redis;
let sub: Redis;
let ns: string;
let received: string[];

beforeAll(() => {
  redis = createRedis(REDIS_URL, { name: 'price-test' });
  sub = createRedis(REDIS_URL, { name: 'price-test-sub' });
  sub.on('message', (_c: string, m: string) => received.push(m));
});
beforeEach(async () => {
  ns = `test_px_${randomUUID().slice(0, 8)}`;
  received = [];
  await sub.subscribe(`${ns}:price_tik`);
});
afterEach(async () => {
  await sub.unsubscribe();
  const found = await redis.keys(`${ns}:*`);
  if (found.length > 0) await redis.del(...found);
});
afterAll(async () => {
  await sub.quit();
  await redis.quit();
});

const tick = (symbol: string, ts: number, bid: number, ask: number): string[] =>
  encodeStreamEntry('tick', { symbol, ts, bid, ask, recv_ts: ts, source: 'sim' });

function snapshots(now: () => number): PriceSnapshots {
  return new PriceSnapshots({
    redis,
    tickStreams: [`${ns}:x:ticks:{0}`, `${ns}:x:ticks:{1}`],
    channel: `${ns}:price_tik`,
    lastKey: `${ns}:price:last`,
    lockKey: `${ns}:price:lock`,
    intervalMs: 3_000,
    logger: createLogger({
      service: 'publisher',
      stream: new Writable({ write: (_c, _e, cb) => cb() }),
    }),
    metrics: createMetrics({ service: 'publisher' }),
    now,
  });
}

async function settle(count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (received.length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
}

describe('PriceSnapshots on a real Redis', () => {
  it('sends the newest quote of every symbol as V1 price_tik, once per interval across replicas, and re-sends it unchanged', async () => {
    await redis.xadd(`${ns}:x:ticks:{0}`, '*', ...tick('XAUUSD', T - 2_000, 4757.8, 4758.1));
    await redis.xadd(`${ns}:x:ticks:{0}`, '*', ...tick('XAUUSD', T, 4757.9, 4758.2));
    await redis.xadd(`${ns}:x:ticks:{1}`, '*', ...tick('EURUSD', T - 500, 1.38756, 1.38758));
    await redis.xadd(`${ns}:x:ticks:{1}`, '*', 'type', 'tick', 'data', '{broken'); // skipped, not fatal

    const a = snapshots(() => T + 750);
    const b = snapshots(() => T + 760);
    expect(await a.tick()).toBe(2);
    expect(await b.tick()).toBe(0); // the other replica holds this interval
    await settle(2);
    const byTik = Object.fromEntries(received.map((m) => [JSON.parse(m).symbol, m]));
    expect(byTik.XAUUSD).toBe(
      '{"symbol":"XAUUSD","bid":4757.9,"ask":4758.2,"mid":4758.05,"tick_ts":1765378800.25,"snap_ts":1765378801.0}',
    );
    expect(checkContract('price-tik', JSON.parse(byTik.EURUSD!))).toMatchObject({ ok: true });
    expect(JSON.parse(byTik.EURUSD!)).toMatchObject({ mid: 1.38757, tick_ts: (T - 500) / 1000 });

    // the next interval: the streams are trimmed away, the last quotes are still re-sent
    await redis.del(`${ns}:x:ticks:{0}`, `${ns}:x:ticks:{1}`, `${ns}:price:lock`);
    received = [];
    expect(await b.tick()).toBe(2);
    await settle(2);
    expect(received.map((m) => JSON.parse(m).tick_ts).sort()).toEqual([(T - 500) / 1000, T / 1000]);
    await a.close();
    await b.close();
  });
});
