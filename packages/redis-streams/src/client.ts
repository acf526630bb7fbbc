import {
  Cluster,
  Redis,
  type ChainableCommander,
  type ClusterNode,
  type RedisOptions,
} from 'ioredis';

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
  /**
   * Redis Cluster: `url` names one node (its password and user apply to every node) and
   * `seeds` more `host:port` nodes to discover the cluster from; the client follows the slots.
   */
  cluster?: { seeds?: readonly string[] };
}

/** `host:port` (or a `redis://` URL) as an ioredis cluster start-up node. */
function clusterNode(spec: string): ClusterNode {
  const url = new URL(spec.includes('://') ? spec : `redis://${spec}`);
  return { host: url.hostname, port: url.port === '' ? 6379 : Number(url.port) };
}

/**
 * The one ioredis factory of the suite: every connection gets a name, the shared
 * reconnect policy, and the same offline-queue behaviour.
 *
 * With `cluster` it is an ioredis `Cluster`, returned under the `Redis` type: it answers the
 * same commands, routed by key slot. What differs is kept in this package
 * ({@link duplicateRedis}, {@link slotGroups}) and behind `isCluster` checks.
 */
export function createRedis(url: string, options: CreateRedisOptions): Redis {
  const policy = options.reconnect ?? DEFAULT_RECONNECT;
  const common: RedisOptions = {
    connectionName: options.name,
    maxRetriesPerRequest: options.blocking ? null : 20,
    enableReadyCheck: true,
    ...options.extra,
  };
  let redis: Redis;
  if (options.cluster) {
    const parsed = new URL(url);
    const cluster = new Cluster(
      [clusterNode(url), ...(options.cluster.seeds ?? []).map(clusterNode)],
      {
        clusterRetryStrategy: (attempt) => reconnectDelay(attempt, policy),
        redisOptions: {
          ...common,
          username: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
          password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
        },
        // A master that dies is replaced by its replica within the cluster's node timeout:
        // commands wait for the new slot map instead of failing at once.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 200,
        maxRedirections: 64,
      },
    );
    redis = cluster as unknown as Redis;
  } else {
    redis = new Redis(url, {
      ...common,
      retryStrategy: (attempt) => reconnectDelay(attempt, policy),
    });
  }
  if (options.onError) redis.on('error', options.onError);
  return redis;
}

/**
 * A second connection like `redis` (same server or cluster, same options) with a new name;
 * `blocking` makes its commands wait for a reconnect (`maxRetriesPerRequest: null`), as a
 * blocking reader needs. Works for a single node and for a cluster alike.
 */
export function duplicateRedis(
  redis: Redis,
  override: { name: string; blocking?: boolean },
): Redis {
  const own: Partial<RedisOptions> = { connectionName: override.name };
  if (override.blocking) own.maxRetriesPerRequest = null;
  if (redis.isCluster) {
    const cluster = redis as unknown as Cluster;
    return cluster.duplicate([], {
      redisOptions: { ...cluster.options.redisOptions, ...own },
    }) as unknown as Redis;
  }
  return redis.duplicate(own);
}

/**
 * The part of a key Redis Cluster hashes: the first non-empty `{…}` hash tag, else the key.
 * Keys with the same slot key always share a slot.
 */
export function slotKeyOf(key: string): string {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/**
 * Splits items into groups whose keys share a slot, for the pipelines and transactions a
 * cluster only runs within one slot; order is kept inside each group. Without a cluster
 * everything is one group.
 */
export function slotGroups<T>(
  redis: Redis,
  items: readonly T[],
  keyOf: (item: T) => string,
): T[][] {
  if (!redis.isCluster) return items.length === 0 ? [] : [[...items]];
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const slot = slotKeyOf(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/** One command of {@link multiBySlot}: the key it touches and how to add it to a transaction. */
export interface SlotCommand {
  key: string;
  add(tx: ChainableCommander): unknown;
}

/**
 * Runs commands in one MULTI on a single Redis, and in one MULTI per slot on a cluster (which
 * refuses a transaction across slots); each transaction keeps its commands' order. Throws the
 * first error a command returned.
 */
export async function multiBySlot(redis: Redis, commands: readonly SlotCommand[]): Promise<void> {
  await Promise.all(
    slotGroups(redis, commands, (command) => command.key).map(async (group) => {
      const tx = redis.multi();
      for (const command of group) command.add(tx);
      for (const [err] of (await tx.exec()) ?? []) if (err) throw err;
    }),
  );
}
