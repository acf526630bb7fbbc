import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  classifyFailure,
  deadLetterStreamOf,
  listDeadLetters,
  replayDeadLetters,
  StreamConsumer,
  type FailureClass,
  type StreamConsumerOptions,
  type StreamEntry,
} from '../src';
import { REDIS_URL, redisFixture, until } from './redis-fixture';

const fx = redisFixture('dlq');
let redis: Redis;
let prefix: string;
beforeEach(() => {
  ({ redis, prefix } = fx);
});

const valueOf = (e: StreamEntry): string => e.fields[1]!;
const pendingCount = async (stream: string): Promise<number> =>
  ((await redis.xpending(stream, 'g')) as [number])[0];

function consumer(
  stream: string,
  overrides: Partial<StreamConsumerOptions> & Pick<StreamConsumerOptions, 'handler'>,
): StreamConsumer {
  return fx.track(
    new StreamConsumer({
      redis,
      streams: [stream],
      group: 'g',
      consumer: 'c1',
      blockMs: 50,
      retry: { baseMs: 5, maxMs: 20, jitter: 0 },
      ...overrides,
    }),
  );
}

describe('classifyFailure', () => {
  it('tells transport, poison and programmer errors apart', () => {
    const errno = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyFailure(errno)).toBe('transport');
    expect(classifyFailure(new Error('Connection is closed.'))).toBe('transport');
    expect(classifyFailure(new Error('LOADING Redis is loading the dataset in memory'))).toBe(
      'transport',
    );
    expect(classifyFailure(new Error('CLUSTERDOWN The cluster is down'))).toBe('transport');
    expect(
      classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toBe('programmer');
    expect(classifyFailure(new RangeError('Invalid array length'))).toBe('programmer');
    expect(classifyFailure(new Error('WRONGTYPE Operation against a key'))).toBe('poison');
    expect(classifyFailure(new Error('bad entry'))).toBe('poison');
    expect(classifyFailure('a string')).toBe('poison');
    expect(
      classifyFailure(Object.assign(new TypeError('declared'), { failureClass: 'transport' })),
    ).toBe('transport');
  });
});

describe('poison-safe StreamConsumer', () => {
  it('dead-letters an entry that failed maxDeliveries times, reports each failure once, and keeps consuming', async () => {
    const stream = `${prefix}:{0}:s`;
    const handled: string[] = [];
    const reports: [string, FailureClass][] = [];
    const letters: string[] = [];
    const c = consumer(stream, {
      maxDeliveries: 3,
      batchSize: 10,
      onError: (_err, where, klass) => reports.push([where, klass]),
      onDeadLetter: (l) => letters.push(l.code),
      handler: async (entries) => {
        for (const e of entries) if (valueOf(e) === 'bad') throw new Error('cannot handle bad');
        handled.push(...entries.map(valueOf));
      },
    });
    for (const v of ['a', 'bad', 'b']) await redis.xadd(stream, '*', 'v', v);
    await c.start();
    await until(() => handled.includes('b'));
    await redis.xadd(stream, '*', 'v', 'c');
    await until(() => handled.includes('c'));

    expect(handled).toEqual(['a', 'b', 'c']);
    expect(reports).toEqual([
      ['handler', 'poison'],
      ['handler', 'poison'],
      ['handler', 'poison'],
    ]);
    expect(letters).toEqual(['STREAM_HANDLER_FAILED']);
    const [letter, ...more] = await listDeadLetters(redis, stream);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      stream,
      group: 'g',
      consumer: 'c1',
      deliveries: 3,
      class: 'poison',
      code: 'STREAM_HANDLER_FAILED',
      error: 'Error: cannot handle bad',
      fields: ['v', 'bad'],
    });
    await until(async () => (await pendingCount(stream)) === 0);
  });

  it('retries transport failures without counting them against the entry', async () => {
    const stream = `${prefix}:transport`;
    let attempts = 0;
    const reports: FailureClass[] = [];
    const handled: string[] = [];
    const c = consumer(stream, {
      maxDeliveries: 2,
      onError: (_err, _where, klass) => reports.push(klass),
      handler: async (entries) => {
        attempts += 1;
        if (attempts <= 5) throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        handled.push(...entries.map(valueOf));
      },
    });
    await redis.xadd(stream, '*', 'v', 'x');
    await c.start();
    await until(() => handled.length === 1);
    expect(handled).toEqual(['x']);
    expect(reports).toEqual(Array(5).fill('transport'));
    expect(await redis.xlen(deadLetterStreamOf(stream))).toBe(0);
  });

  it('crashes on a programmer error without handling more, and dead-letters the entry after maxDeliveries crashes', async () => {
    const stream = `${prefix}:bug`;
    for (const v of ['ok1', 'bug', 'ok2']) await redis.xadd(stream, '*', 'v', v);
    const handled: string[] = [];
    const fatal: unknown[] = [];
    const letters: string[] = [];
    const run = async (): Promise<void> => {
      const c = consumer(stream, {
        maxDeliveries: 3,
        onFatal: (err) => fatal.push(err),
        onDeadLetter: (l) => letters.push(`${l.code}:${l.deliveries}`),
        handler: async (entries) => {
          for (const e of entries) {
            if (valueOf(e) === 'bug') (undefined as unknown as { x: () => void }).x();
          }
          handled.push(...entries.map(valueOf));
        },
      });
      await c.start();
    };
    // each "process" dies on the batch; the orchestrator restarts it under the same name. From
    // the 4th start the pending entries have 3 deliveries and are replayed one at a time: ok1
    // goes through, the bug is dead-lettered (4 deliveries) and crashes once more; then ok2.
    for (let restart = 1; restart <= 4; restart += 1) {
      await run();
      await until(() => fatal.length === restart);
      await fx.closeLast();
      expect(fatal[restart - 1]).toBeInstanceOf(TypeError);
    }
    expect(handled).toEqual(['ok1']);
    expect(letters).toEqual(['STREAM_HANDLER_BUG:4']);
    await run();
    await redis.xadd(stream, '*', 'v', 'ok3');
    await until(() => handled.includes('ok3'));
    expect(handled).toEqual(['ok1', 'ok2', 'ok3']);
    expect(fatal).toHaveLength(4);
    expect((await listDeadLetters(redis, stream))[0]).toMatchObject({
      class: 'programmer',
      code: 'STREAM_HANDLER_BUG',
      fields: ['v', 'bug'],
    });
  });

  it('dead-letters entries the handler rejects on sight, with their code, at the first delivery', async () => {
    const stream = `${prefix}:reject`;
    const handled: string[] = [];
    const c = consumer(stream, {
      handler: async (entries, ctx) => {
        const bad = entries.filter((e) => valueOf(e).startsWith('!'));
        await ctx.deadLetter(bad.map((entry) => ({ entry, code: 'X_INVALID', message: 'no' })));
        handled.push(...entries.filter((e) => !bad.includes(e)).map(valueOf));
      },
    });
    await c.start();
    for (const v of ['a', '!b', 'c']) await redis.xadd(stream, '*', 'v', v);
    await until(() => handled.length === 2);
    const letters = await listDeadLetters(redis, stream);
    expect(letters.map((l) => [l.code, l.deliveries, l.fields])).toEqual([
      ['X_INVALID', 0, ['v', '!b']],
    ]);
    await until(async () => (await pendingCount(stream)) === 0);
  });

  it('replays a dead letter into its stream, where the consumer handles it as new', async () => {
    const stream = `${prefix}:replay`;
    let healthy = false;
    const handled: string[] = [];
    const c = consumer(stream, {
      maxDeliveries: 1,
      handler: async (entries) => {
        if (!healthy) throw new Error('downstream refuses');
        handled.push(...entries.map(valueOf));
      },
    });
    await c.start();
    await redis.xadd(stream, '*', 'v', 'late');
    await until(async () => (await listDeadLetters(redis, stream)).length === 1);
    healthy = true;
    const [replayedId] = await replayDeadLetters(redis, stream);
    expect(replayedId).toMatch(/^\d+-\d+$/);
    await until(() => handled.length === 1);
    expect(handled).toEqual(['late']);
    expect(await redis.xlen(deadLetterStreamOf(stream))).toBe(0);
  });
});

describe('the dlq command', () => {
  it('lists and replays the dead letters of a stream', async () => {
    const stream = `${prefix}:cli`;
    const c = consumer(stream, {
      maxDeliveries: 1,
      handler: async () => {
        throw new Error('always');
      },
    });
    await c.start();
    await redis.xadd(stream, '*', 'v', 'lost?');
    await until(async () => (await listDeadLetters(redis, stream)).length === 1);
    await fx.closeLast();
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', join(__dirname, '..', 'src', 'dead-letter-cli.ts'), ...args],
        { encoding: 'utf8', env: { ...process.env, REDIS_URL } },
      );
    const listed = cli('list', stream);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({
      stream,
      code: 'STREAM_HANDLER_FAILED',
      fields: ['v', 'lost?'],
    });
    const replayed = cli('replay', stream);
    expect(replayed.stdout).toMatch(/replayed 1 dead letter/);
    const rows = await redis.xrange(stream, '-', '+');
    expect(rows.map(([, f]) => f)).toEqual([
      ['v', 'lost?'],
      ['v', 'lost?'],
    ]);
    expect(cli('nonsense').status).toBe(64);
  }, 60_000);
});
