import { randomUUID } from 'node:crypto';
import { decodeStreamEntry, streamNames } from '@fxcm/contracts';
import { createRedis, StreamProducer } from '@fxcm/redis-streams';
import type { Redis } from 'ioredis';
import { TickWriter } from '../src/tick-writer';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TS = Date.UTC(2026, 10, 18, 10, 0);

describe('TickWriter (real Redis)', () => {
  let redis: Redis;
  const ns = `test-tick-writer-${randomUUID()}`;

  beforeAll(() => {
    redis = createRedis(REDIS_URL, { name: 'tick-writer-test' });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${ns}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it.each([
    [
      "a live feed's watermark goes ahead of the queued ticks from its time on, not of older ones",
      'sim',
      ['tick@-10', 'watermark@0', 'tick@5', 'tick@10'],
    ],
    [
      "a replay's watermark keeps the recording's order",
      'replay',
      ['tick@-10', 'tick@5', 'tick@10', 'watermark@0'],
    ],
  ] as const)('%s', async (_title, source, expected) => {
    const producer = new StreamProducer({ redis, maxLen: 1_000, lingerMs: 10_000 });
    const writer = new TickWriter({
      producer,
      namespace: `${ns}-${source}`,
      shardCount: 1,
      source,
    });
    for (const dt of [-10, 5, 10]) {
      writer.tick({ symbol: 'EURUSD', ts: TS + dt, bid: 1.1, ask: 1.1001, recv_ts: TS + dt });
    }
    writer.watermark(TS, 'alive');
    await producer.close();
    const entries = await redis.xrange(streamNames(`${ns}-${source}`).ticks(0), '-', '+');
    expect(
      entries.map(([, fields]) => {
        const entry = decodeStreamEntry(fields);
        return `${entry.type}@${(entry.data as { ts: number }).ts - TS}`;
      }),
    ).toEqual(expected);
  });

  it('refuses a resume point the queue could never go under, or one above the high-water mark', () => {
    const producer = new StreamProducer({ redis, maxLen: 10 });
    const writer = (highWater: number, resumeAt: number): TickWriter =>
      new TickWriter({
        producer,
        namespace: ns,
        shardCount: 1,
        source: 'sim',
        highWater,
        resumeAt,
      });
    expect(() => writer(100, 0)).toThrow(
      /resumeAt must be an integer in \[1, highWater 100\], got 0/,
    );
    expect(() => writer(100, 101)).toThrow(RangeError);
    expect(() => writer(100, 2.5)).toThrow(RangeError);
    expect(writer(100, 100)).toBeInstanceOf(TickWriter);
  });

  it('below the high-water mark a tick is only queued; at it the feed waits until the queue is down to the resume point, and the wait is reported', async () => {
    const producer = new StreamProducer({ redis, maxLen: 10_000, lingerMs: 1_000, batchSize: 10 });
    const waits: number[] = [];
    const writer = new TickWriter({
      producer,
      namespace: ns,
      shardCount: 1,
      source: 'replay',
      highWater: 100,
      resumeAt: 40,
      onWait: (ms) => waits.push(ms),
    });
    const tick = (i: number): void | Promise<void> =>
      writer.tick({ symbol: 'EURUSD', ts: TS + i, bid: 1.1, ask: 1.1001, recv_ts: TS + i });

    const stream = streamNames(ns).ticks(0);
    // batches of 10 start at once: the write loop is out with the first, the rest queue
    for (let i = 0; i < 99; i += 1) expect(tick(i)).toBeUndefined();
    expect(waits).toEqual([]);

    const wait = tick(99);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(0);
    // resumed as the queue went under 40 (100 → 90 → … → 30), the loop still writing the rest
    expect(producer.depth).toBe(30);
    expect(await redis.xlen(stream)).toBeGreaterThanOrEqual(70);
    await producer.flush();
    expect(producer.depth).toBe(0);
    const entries = await redis.xrange(stream, '-', '+');
    expect(entries).toHaveLength(100);
    expect(entries.map(([, fields]) => decodeStreamEntry(fields))).toEqual(
      Array.from({ length: 100 }, (_, i) => ({
        type: 'tick',
        data: {
          symbol: 'EURUSD',
          ts: TS + i,
          bid: 1.1,
          ask: 1.1001,
          recv_ts: TS + i,
          source: 'replay',
        },
      })),
    );
    await producer.close();
  });
});
