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
 * Bars come in runs (a minute's end brings one final per symbol), so one call takes a run:
 * the server's run_id is read once per call, not once per bar.
 *
 * KEYS[1..n]    each bar's mark key: `{ns}:published:{SYMBOL}:TF:OPEN_TIME` (on a Redis Cluster,
 *               all in one slot)
 * ARGV[1]       channel to PUBLISH on (`fxcm:ohlcv`)
 * ARGV[2]       how long a mark lives, ms (a redelivery older than this publishes again;
 *               consumers key bars by open_time, so that is harmless)
 * ARGV[3..n+2]  the messages, already validated and signed, in KEYS order
 *
 * Returns, per bar, the number of subscribers that received its message, or -1 when its key
 * was already published by this server run (a redelivery after a crash, or a rebuilt
 * duplicate).
 */
const PUBLISH_ONCE_LUA = `
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
local out = {}
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == run then
    out[i] = -1
  else
    redis.call('SET', KEYS[i], run, 'PX', ARGV[2])
    out[i] = redis.call('PUBLISH', ARGV[1], ARGV[i + 2])
  end
end
return out
`;

/** One bar to publish once: its mark key and its message. */
export interface OnceMessage {
  markKey: string;
  text: string;
}

/** The arguments of one `publishOnce` call for a run of bars (keys first, then channel, ttl, messages). */
export function publishOnceArgs(
  run: readonly OnceMessage[],
  channel: string,
  markTtlMs: number,
): (string | number)[] {
  const args: (string | number)[] = [run.length];
  for (const m of run) args.push(m.markKey);
  args.push(channel, markTtlMs);
  for (const m of run) args.push(m.text);
  return args;
}

/** A Redis connection with the `publishOnce` script defined on it. */
export type RedisWithPublishOnce = Redis & {
  /**
   * `publishOnce(publishOnceArgs(run, channel, ttl))`: one reply per bar of the run. The
   * arguments go as one array (ioredis flattens it), never spread into the call: a long run has
   * more of them than a JavaScript call takes.
   */
  publishOnce(args: (string | number)[]): Promise<number[]>;
};

/** Defines `publishOnce` on a connection (EVALSHA with automatic script loading). */
export function withPublishOnce(redis: Redis): RedisWithPublishOnce {
  if (!('publishOnce' in redis)) {
    // No fixed key count: the first argument says how many keys the run has.
    redis.defineCommand('publishOnce', { lua: PUBLISH_ONCE_LUA });
  }
  return redis as RedisWithPublishOnce;
}
