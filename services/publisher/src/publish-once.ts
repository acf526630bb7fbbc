import type { Redis } from 'ioredis';

/**
 * Publishes a final bar at most once per idempotency key and Redis server run, atomically with
 * the mark that says so (a crash of the publisher between the two can neither lose nor repeat
 * the bar).
 *
 * The mark holds the `run_id` of the server that published. A message PUBLISHed just before
 * Redis dies can be lost on the way to every subscriber while its mark survives in the
 * append-only file, and the publisher, which never saw the reply, redelivers the entry to the
 * restarted server: a mark of an earlier run therefore publishes again. Subscribers key bars by
 * open_time, so the repeat is harmless; the loss would not be.
 *
 * KEYS[1]  the bar's mark key: `{ns}:published:{SYMBOL}:TF:OPEN_TIME`
 * ARGV[1]  channel to PUBLISH on (`fxcm:ohlcv`)
 * ARGV[2]  the message, already validated and signed
 * ARGV[3]  how long the mark lives, ms (a redelivery older than this publishes again;
 *          consumers key bars by open_time, so that is harmless)
 *
 * Returns the number of subscribers that received the message, or -1 when the key was
 * already published by this server run (a redelivery after a crash, or a rebuilt duplicate).
 */
const PUBLISH_ONCE_LUA = `
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
if redis.call('GET', KEYS[1]) == run then
  return -1
end
redis.call('SET', KEYS[1], run, 'PX', ARGV[3])
return redis.call('PUBLISH', ARGV[1], ARGV[2])
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
