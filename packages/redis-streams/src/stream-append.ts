import type { Redis } from 'ioredis';

/**
 * Appends a batch of entries with one script call instead of one XADD command each: the client
 * builds, sends and parses one command per batch (a pipeline of XADDs cost the gateway about a
 * quarter of its CPU under a tick flood), and Redis runs the XADDs in order, as a pipeline would.
 *
 * KEYS: the batch's streams. ARGV: each key's MAXLEN (approximate trimming), then per entry its
 * key's index (1-based), its field count and its fields. Stops at the first XADD that fails and
 * returns `{written}` or `{written, error}`: the entries before it are in, the rest are not.
 * Each stream is trimmed once, after its entries (`XTRIM … MAXLEN ~`), not at every XADD: inside
 * the script no reader sees the difference, and Redis spends 13–20 % less time per entry.
 */
const STREAM_APPEND_LUA = `
local keys = #KEYS
local written = 0
local i = keys + 1
local last = #ARGV
local failure
while i <= last do
  local k = tonumber(ARGV[i])
  local count = tonumber(ARGV[i + 1])
  local reply
  if count == 4 then
    reply = redis.pcall('XADD', KEYS[k], '*', ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
  else
    local args = {KEYS[k], '*'}
    for j = 1, count do args[2 + j] = ARGV[i + 1 + j] end
    reply = redis.pcall('XADD', unpack(args))
  end
  if type(reply) == 'table' and reply.err then
    failure = reply.err
    break
  end
  written = written + 1
  i = i + 2 + count
end
for k = 1, keys do redis.pcall('XTRIM', KEYS[k], 'MAXLEN', '~', ARGV[k]) end
if failure then return {written, failure} end
return {written}
`;

/** One entry of a {@link streamAppendArgs} batch. */
export interface AppendEntry {
  stream: string;
  fields: readonly string[];
}

/** A Redis connection with the `streamAppend` script defined on it. */
export type RedisWithStreamAppend = Redis & {
  /**
   * `streamAppend(streamAppendArgs(entries, maxLen))`: `[written]` or `[written, error]`. The
   * arguments go as one array (ioredis flattens it), never spread into the call: a large batch
   * has more of them than a JavaScript call takes.
   */
  streamAppend(args: (string | number)[]): Promise<[number] | [number, string]>;
};

/** Defines `streamAppend` on a connection (EVALSHA, the script loaded again after NOSCRIPT). */
export function withStreamAppend(redis: Redis): RedisWithStreamAppend {
  if (!('streamAppend' in redis)) {
    // No fixed key count: the first argument says how many streams the batch has.
    redis.defineCommand('streamAppend', { lua: STREAM_APPEND_LUA });
  }
  return redis as RedisWithStreamAppend;
}

/** The arguments of one `streamAppend` call: key count, keys, their MAXLENs, the entries. */
export function streamAppendArgs(
  entries: readonly AppendEntry[],
  maxLen: (stream: string) => number,
): (string | number)[] {
  const index = new Map<string, number>();
  for (const { stream } of entries) if (!index.has(stream)) index.set(stream, index.size + 1);
  const keys = [...index.keys()];
  const args: (string | number)[] = [keys.length, ...keys, ...keys.map(maxLen)];
  for (const { stream, fields } of entries) {
    args.push(index.get(stream)!, fields.length);
    for (const field of fields) args.push(field);
  }
  return args;
}
