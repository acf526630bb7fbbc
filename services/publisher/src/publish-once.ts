import type { Redis } from 'ioredis';

/**
 * Publishes a final bar at most once per idempotency key, atomically with the mark that says
 * so (a crash between the two can neither lose nor repeat the bar).
 *
 * KEYS[1]  the bar's mark key: `{ns}:published:{SYMBOL}:TF:OPEN_TIME`
 * ARGV[1]  channel to PUBLISH on (`fxcm:ohlcv`)
 * ARGV[2]  the message, already validated and signed
 * ARGV[3]  how long the mark lives, ms (a redelivery older than this publishes again;
 *          consumers key bars by open_time, so that is harmless)
 *
 * Returns the number of subscribers that received the message, or -1 when the key was
 * already published (a redelivery after a crash, or a rebuilt duplicate).
 */
const PUBLISH_ONCE_LUA = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then
  return redis.call('PUBLISH', ARGV[1], ARGV[2])
end
return -1
`;

/** A Redis connection with the `publishOnce` script defined on it. */
export type RedisWithPublishOnce = Redis & {
  publishOnce(
    markKey: string,
    channel: string,
    message: string,
    markTtlMs: number,
  ): Promise<number>;
};

/** Defines `publishOnce` on a connection (EVALSHA with automatic script loading). */
export function withPublishOnce(redis: Redis): RedisWithPublishOnce {
  if (!('publishOnce' in redis)) {
    redis.defineCommand('publishOnce', { numberOfKeys: 1, lua: PUBLISH_ONCE_LUA });
  }
  return redis as RedisWithPublishOnce;
}
