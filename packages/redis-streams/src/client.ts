import { Redis, type RedisOptions } from 'ioredis';

/** Reconnect policy shared by every connection of the suite. */
export interface ReconnectPolicy {
  /** First delay after a dropped connection, ms. */
  baseMs: number;
  /** Cap of the exponential delay, ms. */
  maxMs: number;
  /** Relative jitter in [0, 1): a delay d becomes d · (1 ± jitter). */
  jitter: number;
}

/** The suite's one reconnect policy: 100 ms doubling to 5 s, ±20 % jitter, forever. */
export const DEFAULT_RECONNECT: ReconnectPolicy = { baseMs: 100, maxMs: 5_000, jitter: 0.2 };

/**
 * Delay before reconnect attempt `attempt` (1-based): capped exponential with jitter.
 * `random` is injectable so the policy is testable without chance.
 */
export function reconnectDelay(
  attempt: number,
  policy: ReconnectPolicy = DEFAULT_RECONNECT,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const spread = exp * policy.jitter * (2 * random() - 1);
  return Math.max(1, Math.round(exp + spread));
}

/** Options of {@link createRedis}. */
export interface CreateRedisOptions {
  /** `CLIENT SETNAME` of the connection, e.g. `bar-builder:reader` (shows in `CLIENT LIST`). */
  name: string;
  /** Reconnect policy; defaults to {@link DEFAULT_RECONNECT}. */
  reconnect?: ReconnectPolicy;
  /**
   * Blocking readers and BullMQ need `maxRetriesPerRequest: null` (a command waits for the
   * reconnect instead of failing); request/response clients keep ioredis' default of 20.
   */
  blocking?: boolean;
  /** Extra ioredis options (tests use `lazyConnect`). */
  extra?: RedisOptions;
  /**
   * Connection errors (refused, reset) while ioredis reconnects. Services count and log them;
   * without a listener ioredis prints "Unhandled error event" for each.
   */
  onError?: (err: Error) => void;
}

/**
 * The one ioredis factory of the suite: every connection gets a name, the shared
 * reconnect policy, and the same offline-queue behaviour.
 */
export function createRedis(url: string, options: CreateRedisOptions): Redis {
  const policy = options.reconnect ?? DEFAULT_RECONNECT;
  const redis = new Redis(url, {
    connectionName: options.name,
    retryStrategy: (attempt) => reconnectDelay(attempt, policy),
    maxRetriesPerRequest: options.blocking ? null : 20,
    enableReadyCheck: true,
    ...options.extra,
  });
  if (options.onError) redis.on('error', options.onError);
  return redis;
}
