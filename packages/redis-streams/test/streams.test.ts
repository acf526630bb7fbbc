import type { Redis } from 'ioredis';
import {
  classifyFailure,
  createRedis,
  reconnectDelay,
  StreamConsumer,
  StreamProducer,
  type StreamEntry,
} from '../src';
import { REDIS_URL, redisFixture, until } from './redis-fixture';

const fx = redisFixture('rs');
let redis: Redis;
let prefix: string;
beforeEach(() => {
  ({ redis, prefix } = fx);
});
const track = fx.track;

const valueOf = (e: StreamEntry): string => e.fields[1]!;

describe('reconnectDelay', () => {
  it('doubles from the base, is capped, and stays within the jitter band', () => {
    const policy = { baseMs: 100, maxMs: 1_000, jitter: 0.2 };
    expect(reconnectDelay(1, policy, () => 0.5)).toBe(100);
    expect(reconnectDelay(3, policy, () => 0.5)).toBe(400);
    expect(reconnectDelay(30, policy, () => 0.5)).toBe(1_000);
    expect(reconnectDelay(30, policy, () => 0)).toBe(800);
    expect(reconnectDelay(30, policy, () => 0.999999)).toBe(1_200);
  });
});

describe('StreamProducer', () => {
  it('writes every entry in order across batches and trims with MAXLEN ~', async () => {
    const stream = `${prefix}:s`;
    const producer = track(new StreamProducer({ redis, maxLen: 100_000, batchSize: 7 }));
    for (let i = 0; i < 50; i += 1) producer.add(stream, ['v', String(i)]);
    await producer.flush();
    const rows = await redis.xrange(stream, '-', '+');
    expect(rows.map(([, f]) => Number(f[1]))).toEqual([...Array(50).keys()]);

    const trimmed = `${prefix}:trim`;
    const small = track(new StreamProducer({ redis, maxLen: 10, batchSize: 1000 }));
    for (let i = 0; i < 5_000; i += 1) small.add(trimmed, ['v', String(i)]);
    await small.flush();
    const len = await redis.xlen(trimmed);
    expect(len).toBeLessThan(5_000);
    expect(len).toBeGreaterThanOrEqual(10);
  });

  it('drops droppable entries over maxQueue, keeps the others, and reports drops', async () => {
    const stream = `${prefix}:bp`;
    const dropped: string[] = [];
    const producer = track(
      new StreamProducer({
        redis,
        maxLen: 1_000,
        batchSize: 10_000,
        lingerMs: 1_000,
        maxQueue: 3,
        onDrop: (s) => dropped.push(s),
      }),
    );
    const accepted = [0, 1, 2, 3, 4].map((i) =>
      producer.add(stream, ['v', `p${i}`], { droppable: true }),
    );
    producer.add(stream, ['v', 'final'], { droppable: false });
    await producer.flush();
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(dropped).toEqual([stream, stream]);
    const rows = await redis.xrange(stream, '-', '+');
    expect(rows.map(([, f]) => f[1])).toEqual(['p0', 'p1', 'p2', 'final']);
  });

  it('writes a batch of 50,000 entries in one call', async () => {
    const stream = `${prefix}:big`;
    const producer = track(new StreamProducer({ redis, maxLen: 100_000, batchSize: 50_000 }));
    for (let i = 0; i < 50_000; i += 1) producer.add(stream, ['type', 'tick', 'data', String(i)]);
    await producer.flush();
    const rows = await redis.xrange(stream, '-', '+');
    expect(rows.map(([, f]) => Number(f[3]))).toEqual([...Array(50_000).keys()]);
  });

  it('stops a batch at the first failed XADD, retries the rest in order, and reports the reply', async () => {
    const good = `${prefix}:good`;
    const bad = `${prefix}:bad`;
    await redis.set(bad, 'not a stream');
    const errors: unknown[] = [];
    const producer = track(
      new StreamProducer({
        redis,
        maxLen: (stream) => (stream === good ? 1_000 : 10),
        batchSize: 100,
        retry: { baseMs: 20, maxMs: 20, jitter: 0 },
        onError: (err) => errors.push(err),
      }),
    );
    // ticks-like entries (four fields) and shorter ones, interleaved on two streams
    producer.add(good, ['type', 'tick', 'data', '0']);
    producer.add(good, ['v', '1']);
    producer.add(bad, ['v', 'x']);
    producer.add(good, ['type', 'tick', 'data', '2']);
    const flushed = producer.flush();
    await until(async () => errors.length >= 2);
    // the entries before the failed one are in; the one after it waits behind it
    expect((await redis.xrange(good, '-', '+')).map(([, f]) => f.at(-1))).toEqual(['0', '1']);
    expect(String((errors[0] as Error).message)).toMatch(/^WRONGTYPE/);
    expect(classifyFailure(errors[0])).toBe('poison');
    expect(producer.depth).toBe(2);
    await redis.del(bad);
    await flushed;
    expect((await redis.xrange(good, '-', '+')).map(([, f]) => f.at(-1))).toEqual(['0', '1', '2']);
    expect((await redis.xrange(bad, '-', '+')).map(([, f]) => f)).toEqual([['v', 'x']]);
  });

  it('below(n) resolves once fewer than n entries wait, at once when they already do, and on abort', async () => {
    const stream = `${prefix}:below`;
    const producer = track(new StreamProducer({ redis, maxLen: 10_000, batchSize: 10 }));
    await expect(producer.below(1)).resolves.toBeUndefined();
    for (let i = 0; i < 100; i += 1) producer.add(stream, ['v', String(i)]);
    const seen: number[] = [];
    await Promise.all([50, 15].map((n) => producer.below(n).then(() => seen.push(producer.depth))));
    // each woke as its batch left the queue, not when the queue was empty
    expect(seen).toEqual([40, 10]);
    await producer.flush();
    expect(await redis.xlen(stream)).toBe(100);

    const stuck = `${prefix}:below-stuck`;
    await redis.set(stuck, 'not a stream');
    const failing = new StreamProducer({
      redis,
      maxLen: 10,
      retry: { baseMs: 1_000, maxMs: 1_000, jitter: 0 },
    });
    failing.add(stuck, ['v', '1']);
    const waiting = failing.below(1);
    failing.abort();
    await expect(waiting).resolves.toBeUndefined();
    expect(failing.depth).toBe(0);
  });

  it('addAhead passes the waiting entries of its stream with a later event time, stops at an older one, and goes out in a write of its own', async () => {
    const a = `${prefix}:ahead-a`;
    const b = `${prefix}:ahead-b`;
    const producer = track(
      new StreamProducer({ redis, maxLen: 1_000, batchSize: 100, lingerMs: 10_000 }),
    );
    const add = (stream: string, value: string, eventTime?: number): boolean =>
      producer.add(stream, ['v', value], eventTime === undefined ? {} : { eventTime });
    add(a, 'gap');
    add(a, 't100', 100);
    add(a, 't50', 50);
    add(b, 't400', 400);
    add(a, 't200', 200);
    add(a, 't300', 300);
    // a: passes t300 and t200, stops at t50 (older); b: passes t400 and every entry of a
    producer.addAhead(a, ['v', 'wm150'], 150);
    producer.addAhead(b, ['v', 'wm150'], 150);
    const seen: number[] = [];
    const firstWrite = producer.below(8).then(() => seen.push(producer.depth));
    await producer.flush();
    await firstWrite;
    // the first write ended with the last entry queued ahead: 5 of the 8 entries
    expect(seen).toEqual([3]);
    const values = async (stream: string): Promise<string[]> =>
      (await redis.xrange(stream, '-', '+')).map(([, f]) => f[1]!);
    expect(await values(a)).toEqual(['gap', 't100', 't50', 'wm150', 't200', 't300']);
    expect(await values(b)).toEqual(['wm150', 't400']);
  });

  it('addAhead never passes the write under way or an entry without an event time', async () => {
    const stream = `${prefix}:ahead-inflight`;
    const producer = track(
      new StreamProducer({ redis, maxLen: 1_000, batchSize: 3, lingerMs: 10_000 }),
    );
    // the third entry fills a batch: its write starts at once and is under way
    for (const t of [100, 200, 300, 400]) producer.add(stream, ['v', `t${t}`], { eventTime: t });
    producer.addAhead(stream, ['v', 'wm50'], 50);
    producer.addAhead(stream, ['v', 'wm60'], 60);
    await producer.flush();
    expect((await redis.xrange(stream, '-', '+')).map(([, f]) => f[1])).toEqual([
      't100',
      't200',
      't300',
      'wm50',
      'wm60',
      't400',
    ]);
  });

  it('refuses entries after close', async () => {
    const producer = new StreamProducer({ redis, maxLen: 10 });
    await producer.close();
    await producer.close();
    expect(() => producer.add(`${prefix}:x`, ['v', '1'])).toThrow(/closed/);
  });
});

describe('StreamConsumer', () => {
  it('reads new entries through a group and acks after the handler', async () => {
    const stream = `${prefix}:c`;
    const seen: string[] = [];
    const consumer = track(
      new StreamConsumer({
        redis,
        streams: [stream],
        group: 'g',
        consumer: 'c1',
        blockMs: 50,
        handler: async (entries) => {
          seen.push(...entries.map(valueOf));
        },
      }),
    );
    await consumer.start();
    for (let i = 0; i < 20; i += 1) await redis.xadd(stream, '*', 'v', String(i));
    await until(() => seen.length === 20);
    expect(seen).toEqual([...Array(20).keys()].map(String));
    await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
  });

  it('redelivers a batch whose handler failed, then acks it', async () => {
    const stream = `${prefix}:fail`;
    const attempts: string[][] = [];
    const errors: string[] = [];
    const consumer = track(
      new StreamConsumer({
        redis,
        streams: [stream],
        group: 'g',
        consumer: 'c1',
        blockMs: 50,
        retry: { baseMs: 5, maxMs: 20, jitter: 0 },
        onError: (_err, ctx) => errors.push(ctx),
        handler: async (entries) => {
          attempts.push(entries.map(valueOf));
          if (attempts.length === 1) throw new Error('side effect failed');
        },
      }),
    );
    await redis.xadd(stream, '*', 'v', 'a');
    await consumer.start();
    await until(() => attempts.length >= 2);
    expect(attempts[0]).toEqual(['a']);
    expect(attempts[1]).toEqual(['a']);
    // reported once, as the handler's failure (not a second time as a read error)
    expect(errors).toEqual(['handler']);
    await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
  });

  it('replays its own pending entries after a restart under the same name', async () => {
    const stream = `${prefix}:restart`;
    for (const v of ['a', 'b', 'c']) await redis.xadd(stream, '*', 'v', v);
    const first: string[] = [];
    const c1 = new StreamConsumer({
      redis,
      streams: [stream],
      group: 'g',
      consumer: 'shard-0',
      blockMs: 50,
      autoAck: false,
      handler: async (entries) => {
        first.push(...entries.map(valueOf));
      },
    });
    await c1.start();
    await until(() => first.length === 3);
    await c1.close(); // "crash": nothing acked

    const second: StreamEntry[] = [];
    const c2 = track(
      new StreamConsumer({
        redis,
        streams: [stream],
        group: 'g',
        consumer: 'shard-0',
        blockMs: 50,
        autoAck: false,
        handler: async (entries) => {
          second.push(...entries);
        },
      }),
    );
    await c2.start();
    await redis.xadd(stream, '*', 'v', 'd');
    await until(() => second.length === 4);
    // pending ones replayed once (not forever), then the new one
    expect(second.map(valueOf)).toEqual(['a', 'b', 'c', 'd']);
    await c2.ack(
      stream,
      second.map((e) => e.id),
    );
    expect(((await redis.xpending(stream, 'g')) as [number])[0]).toBe(0);
  });

  it('acks more ids than one call can carry, in chunks', async () => {
    const stream = `${prefix}:many`;
    for (const v of ['a', 'b']) await redis.xadd(stream, '*', 'v', v);
    const seen: StreamEntry[] = [];
    const consumer = track(
      new StreamConsumer({
        redis,
        streams: [stream],
        group: 'g',
        consumer: 'c',
        blockMs: 50,
        autoAck: false,
        handler: async (entries) => {
          seen.push(...entries);
        },
      }),
    );
    await consumer.start();
    await until(() => seen.length === 2);
    // 300,000 ids spread into one call overflow the stack; ids never delivered count 0
    const unknown = Array.from({ length: 300_000 }, (_, i) => `1-${i}`);
    const [a, b] = seen.map((e) => e.id) as [string, string];
    expect(await consumer.ack(stream, [a, ...unknown, b])).toBe(2);
    expect(((await redis.xpending(stream, 'g')) as [number])[0]).toBe(0);
  });

  it("reclaims a dead consumer's stale entries with XAUTOCLAIM", async () => {
    const stream = `${prefix}:claim`;
    for (const v of ['x', 'y']) await redis.xadd(stream, '*', 'v', v);
    const dead = new StreamConsumer({
      redis,
      streams: [stream],
      group: 'g',
      consumer: 'dead',
      blockMs: 50,
      autoAck: false,
      handler: async () => undefined,
    });
    await dead.start();
    await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 2);
    await dead.close();

    const taken: string[] = [];
    const alive = track(
      new StreamConsumer({
        redis,
        streams: [stream],
        group: 'g',
        consumer: 'alive',
        blockMs: 50,
        claim: { idleMs: 30, everyMs: 20 },
        handler: async (entries) => {
          taken.push(...entries.map(valueOf));
        },
      }),
    );
    await alive.start();
    await until(() => taken.length === 2);
    expect(taken).toEqual(['x', 'y']);
    await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
  });

  it('reports a failed auto-ack and hands its entries back through the pending walk', async () => {
    // A Redis user that may read the group but not XACK: every auto-ack fails for real.
    const user = `ack-test-${prefix.slice(-8)}`;
    await redis.acl('SETUSER', user, 'reset', 'on', 'nopass', '~*', '&*', '+@all', '-xack');
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = 'any';
    const limited = createRedis(url.toString(), { name: 'ack-test' });
    try {
      const stream = `${prefix}:noack`;
      const deliveries: string[] = [];
      const errors: { ctx: string; message: string }[] = [];
      const consumer = track(
        new StreamConsumer({
          redis: limited,
          streams: [stream],
          group: 'g',
          consumer: 'c1',
          blockMs: 50,
          retry: { baseMs: 5, maxMs: 20, jitter: 0 },
          onError: (err, ctx) => errors.push({ ctx, message: String(err) }),
          handler: async (entries) => {
            deliveries.push(...entries.map(valueOf));
          },
        }),
      );
      await redis.xadd(stream, '*', 'v', 'a');
      await consumer.start();
      await until(() => deliveries.length >= 3);
      // handled again after each failed ack (at least once), never lost
      expect(new Set(deliveries)).toEqual(new Set(['a']));
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]).toMatchObject({ ctx: 'read' });
      expect(errors[0]!.message).toMatch(/NOPERM/);
      expect(((await redis.xpending(stream, 'g')) as [number])[0]).toBe(1);

      await redis.acl('SETUSER', user, '+xack');
      await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
      const settled = deliveries.length;
      await redis.xadd(stream, '*', 'v', 'b');
      await until(() => deliveries.includes('b'));
      await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
      expect(deliveries.slice(settled)).toEqual(['b']);
      await fx.closeLast();
    } finally {
      limited.disconnect();
      await redis.acl('DELUSER', user);
    }
  });

  it('reads two streams of one shard in one group and close() is idempotent', async () => {
    const a = `${prefix}:two:{0}:a`;
    const b = `${prefix}:two:{0}:b`;
    const seen: string[] = [];
    const consumer = new StreamConsumer({
      redis,
      streams: [a, b],
      group: 'g',
      consumer: 'c',
      blockMs: 5_000,
      handler: async (entries) => {
        seen.push(...entries.map((e) => `${e.stream === a ? 'a' : 'b'}:${valueOf(e)}`));
      },
    });
    await consumer.start();
    await redis.xadd(a, '*', 'v', '1');
    await redis.xadd(b, '*', 'v', '2');
    await until(() => seen.length === 2);
    expect(seen.sort()).toEqual(['a:1', 'b:2']);
    // closing while a 5 s BLOCK read is in flight must not wait for it
    await Promise.all([consumer.close(), consumer.close()]);
    await consumer.close();
  });
});
