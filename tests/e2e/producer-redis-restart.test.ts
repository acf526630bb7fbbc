import { createRedis, StreamProducer } from '@fxcm/redis-streams';
import { PrivateRedis } from '../harness/private-redis';

// The stream producer's one promise, under the failure that tests it: Redis SIGKILLed (AOF on)
// and started again, several times, while a producer writes numbered entries in small batches.
// Afterwards every entry is in the stream, and their first occurrences are in the order they were
// added: a retried entry may repeat, but none may land behind a later one (a watermark ahead of
// its minute's ticks would close that minute without them).

const MIN_ENTRIES = 10_000;
const CRASHES = 3;

describe('StreamProducer across Redis restarts', () => {
  it('writes every entry, first occurrences in order, through three SIGKILLs of Redis', async () => {
    const server = await PrivateRedis.start();
    const redis = createRedis(server.url, { name: 'producer-restart' });
    redis.on('error', () => undefined);
    const errors: unknown[] = [];
    const producer = new StreamProducer({
      redis,
      maxLen: 1_000_000,
      batchSize: 64,
      retry: { baseMs: 20, maxMs: 200, jitter: 0.2 },
      onError: (err) => errors.push(err),
    });
    try {
      // numbered entries, a few every millisecond, until the last restart is well behind
      let crashesDone = false;
      let added = 0;
      const writing = (async () => {
        while (!crashesDone || added < MIN_ENTRIES) {
          for (let k = 0; k < 16; k += 1) producer.add('s', ['n', String(added++)]);
          if (producer.depth >= 2_000) await producer.flush();
          else await new Promise((r) => setTimeout(r, 1));
        }
        await producer.flush();
      })();
      for (let crash = 0; crash < CRASHES; crash += 1) {
        await new Promise((r) => setTimeout(r, 300));
        await server.crash();
        await new Promise((r) => setTimeout(r, 300));
        await server.launch();
      }
      await new Promise((r) => setTimeout(r, 300));
      crashesDone = true;
      await writing;

      const rows = await redis.xrange('s', '-', '+');
      const seen = new Set<number>();
      let nextNew = 0;
      const overtaken: string[] = [];
      for (const [id, fields] of rows) {
        const n = Number(fields[1]);
        if (seen.has(n)) continue;
        if (n !== nextNew) overtaken.push(`${id}: entry ${n} before entry ${nextNew}`);
        seen.add(n);
        nextNew = Math.max(nextNew, n + 1);
      }
      expect({ overtaken: overtaken.slice(0, 5), distinct: seen.size }).toEqual({
        overtaken: [],
        distinct: added,
      });
      console.log(
        `${added} entries, ${CRASHES} Redis kills: ${rows.length - added} repeated, ${errors.length} failed writes retried, 0 overtaken`,
      );
    } finally {
      producer.abort();
      redis.disconnect();
      await server.stop();
    }
  }, 60_000);
});
