import { keys } from '@fxcm/contracts';
import type { Redis } from 'ioredis';
import type { IngestedBar } from './ohlcv-rails';

/**
 * Stores each bar once per (symbol, tf, open_time): the first stored row wins, as in UDS.
 *
 * KEYS[1]  hash  open_time -> bar JSON
 * KEYS[2]  zset  open_time scored by open_time (range reads)
 * ARGV     pairs of (open_time, bar JSON)
 * Returns how many bars were new.
 */
const PUT_BARS_LUA = `
local added = 0
for i = 1, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i])
    added = added + 1
  end
end
return added
`;

type RedisWithPutBars = Redis & {
  putBars(hash: string, index: string, ...args: string[]): Promise<number>;
};

/** The ingestor's store of verified bars in Redis, with a read API by time range. */
export class BarStore {
  private readonly redis: RedisWithPutBars;

  constructor(
    redis: Redis,
    private readonly namespace: string,
  ) {
    if (!('putBars' in redis))
      redis.defineCommand('putBars', { numberOfKeys: 2, lua: PUT_BARS_LUA });
    this.redis = redis as RedisWithPutBars;
  }

  /** Stores bars idempotently; returns how many were new (the rest were already stored). */
  async put(symbol: string, tf: string, bars: readonly IngestedBar[]): Promise<number> {
    if (bars.length === 0) return 0;
    const { hash, index } = this.keysOf(symbol, tf);
    const args = bars.flatMap((bar) => [String(bar.open_time), JSON.stringify(bar)]);
    return this.redis.putBars(hash, index, ...args);
  }

  /** Bars with open_time in [from, to], oldest first. */
  async range(
    symbol: string,
    tf: string,
    from = 0,
    to = Number.MAX_SAFE_INTEGER,
  ): Promise<IngestedBar[]> {
    const { hash, index } = this.keysOf(symbol, tf);
    const times = await this.redis.zrangebyscore(index, from, to);
    if (times.length === 0) return [];
    const rows = await this.redis.hmget(hash, ...times);
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as IngestedBar);
  }

  /** The newest `limit` bars with open_time in [from, to], oldest first. */
  async latest(
    symbol: string,
    tf: string,
    from: number,
    to: number,
    limit: number,
  ): Promise<IngestedBar[]> {
    const { hash, index } = this.keysOf(symbol, tf);
    const times = await this.redis.zrevrangebyscore(index, to, from, 'LIMIT', 0, limit);
    if (times.length === 0) return [];
    const rows = await this.redis.hmget(hash, ...times.reverse());
    return rows.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as IngestedBar);
  }

  /** How many bars are stored for (symbol, tf), and the first and last open_time. */
  async extent(
    symbol: string,
    tf: string,
  ): Promise<{ bars: number; first_open_time: number | null; last_open_time: number | null }> {
    const { index } = this.keysOf(symbol, tf);
    const [bars, first, last] = await Promise.all([
      this.redis.zcard(index),
      this.redis.zrange(index, 0, 0),
      this.redis.zrange(index, -1, -1),
    ]);
    const time = (t: string[]): number | null => (t[0] === undefined ? null : Number(t[0]));
    return { bars, first_open_time: time(first), last_open_time: time(last) };
  }

  /** How many bars are stored for (symbol, tf). */
  count(symbol: string, tf: string): Promise<number> {
    return this.redis.zcard(this.keysOf(symbol, tf).index);
  }

  private keysOf(symbol: string, tf: string): { hash: string; index: string } {
    const hash = keys(this.namespace).store(symbol, tf);
    return { hash, index: `${hash}:index` };
  }
}
