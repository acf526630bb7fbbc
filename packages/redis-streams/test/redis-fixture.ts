import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '../src';

/** The shared Redis of the tests (each test uses its own key prefix under it). */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A test file's Redis connection, per-test key prefix, and things to close after each test. */
export interface RedisFixture {
  readonly redis: Redis;
  readonly prefix: string;
  /** Closes `x` after the test (in reverse order of tracking). */
  track<T extends { close(): Promise<unknown> }>(x: T): T;
  /** Closes the most recently tracked thing now. */
  closeLast(): Promise<void>;
}

/** Registers the jest hooks: one connection per file, a fresh prefix and cleanup per test. */
export function redisFixture(name: string): RedisFixture {
  let redis: Redis | undefined;
  let prefix = '';
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(() => {
    redis = createRedis(REDIS_URL, { name });
  });
  beforeEach(() => {
    prefix = `test:${name}:${randomUUID()}`;
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
    const keys = await redis!.keys(`${prefix}*`);
    if (keys.length > 0) await redis!.del(...keys);
  });
  afterAll(async () => {
    await redis?.quit();
  });
  return {
    get redis() {
      return redis!;
    },
    get prefix() {
      return prefix;
    },
    track(x) {
      closers.push(() => x.close());
      return x;
    },
    async closeLast() {
      await closers.pop()?.();
    },
  };
}

/** Resolves once `predicate` holds, polling Redis-side state; fails the test after `ms`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
