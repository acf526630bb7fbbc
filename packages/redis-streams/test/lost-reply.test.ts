import { createServer, Socket, type AddressInfo } from 'node:net';
import { createRedis, StreamConsumer, type StreamEntry } from '../src';
import { redisFixture, REDIS_URL, until } from './redis-fixture';

// A read Redis served, whose reply never arrived: the connection drops between the two. Redis
// has moved the group past the entry and put it in the consumer's pending list; the consumer
// must find it there, not read on past it. The drop is real: a TCP relay between the consumer and
// the real Redis cuts the connection that carries the marked entry's reply, before delivering it.

const fx = redisFixture('lost-reply');

/** A relay to Redis that, once, swallows the first reply containing `marker` and drops that link. */
async function cuttingRelay(
  marker: string,
): Promise<{ url: string; cuts: () => number; close: () => void }> {
  const target = new URL(REDIS_URL);
  let cut = 0;
  const links = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = new Socket();
    links.add(client).add(upstream);
    upstream.connect(Number(target.port || 6379), target.hostname);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (cut === 0 && chunk.includes(marker)) {
        cut += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    for (const end of [client, upstream]) {
      end.on('error', () => undefined);
      end.on('close', () => {
        client.destroy();
        upstream.destroy();
        links.delete(end);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = target.password ? `:${target.password}@` : '';
  const close = (): void => {
    for (const link of links) link.destroy();
    server.close();
  };
  return { url: `redis://${auth}127.0.0.1:${port}`, cuts: () => cut, close };
}

describe('StreamConsumer when a read reply is lost', () => {
  it('handles the entry of the lost reply from its pending list, in order', async () => {
    const stream = `${fx.prefix}:s`;
    const relay = await cuttingRelay('lost-in-transit');
    const redis = createRedis(relay.url, {
      name: 'lost-reply',
      reconnect: { baseMs: 20, maxMs: 100, jitter: 0 },
    });
    redis.on('error', () => undefined);
    const seen: string[] = [];
    const consumer = new StreamConsumer({
      redis,
      streams: [stream],
      group: 'g',
      consumer: 'c1',
      blockMs: 50,
      handler: async (entries: StreamEntry[]) => {
        seen.push(...entries.map((e) => e.fields[1]!));
      },
      onError: () => undefined,
    });
    try {
      await consumer.start();
      await fx.redis.xadd(stream, '*', 'v', 'first');
      await until(() => seen.length === 1);
      await fx.redis.xadd(stream, '*', 'v', 'lost-in-transit');
      await until(() => relay.cuts() === 1);
      await fx.redis.xadd(stream, '*', 'v', 'after');
      await until(() => seen.length >= 3, 10_000);
      expect(seen).toEqual(['first', 'lost-in-transit', 'after']);
      await until(async () => ((await fx.redis.xpending(stream, 'g')) as [number])[0] === 0);
    } finally {
      await consumer.close();
      redis.disconnect();
      relay.close();
    }
  });
});
