import { ContractError } from './errors';
import { normalizeSymbol } from './symbols';

/** Public V1 pub/sub channel names. */
export interface ChannelNames {
  /** Bars (`fxcm:ohlcv`). */
  ohlcv: string;
  /** Price snapshots (`fxcm:price_tik`). */
  priceTik: string;
  /** Heartbeats (`fxcm:heartbeat`). */
  heartbeat: string;
  /** Public status aggregate (`fxcm:status`). */
  status: string;
  /** Commands consumed by the suite (`fxcm:commands`). */
  commands: string;
  /** Market open/closed (`fxcm:market_status`, prefix-independent as in V1). */
  marketStatus: string;
}

/** Default V1 channel prefix. */
export const DEFAULT_CHANNEL_PREFIX = 'fxcm';

/** V1 hard-codes the market status channel whatever the prefix; kept as the default. */
export const DEFAULT_MARKET_STATUS_CHANNEL = 'fxcm:market_status';

function envValue(
  env: Readonly<Record<string, string | undefined>>,
  key: string,
): string | undefined {
  const v = env[key]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/**
 * Channel names by the V1 rule: `FXCM_CHANNEL_PREFIX` (default `fxcm`) + `:ohlcv`,
 * `:price_tik`, `:heartbeat`, `:status`, `:commands`, each overridden by `FXCM_OHLCV_CHANNEL`,
 * `FXCM_PRICE_SNAPSHOT_CHANNEL`, `FXCM_HEARTBEAT_CHANNEL`, `FXCM_STATUS_CHANNEL`,
 * `FXCM_COMMANDS_CHANNEL`; market status is `fxcm:market_status` unless
 * `FXCM_MARKET_STATUS_CHANNEL` is set. Pure: pass the environment-like object in.
 */
export function channelNames(env: Readonly<Record<string, string | undefined>> = {}): ChannelNames {
  const prefix = envValue(env, 'FXCM_CHANNEL_PREFIX') ?? DEFAULT_CHANNEL_PREFIX;
  return {
    ohlcv: envValue(env, 'FXCM_OHLCV_CHANNEL') ?? `${prefix}:ohlcv`,
    priceTik: envValue(env, 'FXCM_PRICE_SNAPSHOT_CHANNEL') ?? `${prefix}:price_tik`,
    heartbeat: envValue(env, 'FXCM_HEARTBEAT_CHANNEL') ?? `${prefix}:heartbeat`,
    status: envValue(env, 'FXCM_STATUS_CHANNEL') ?? `${prefix}:status`,
    commands: envValue(env, 'FXCM_COMMANDS_CHANNEL') ?? `${prefix}:commands`,
    marketStatus: envValue(env, 'FXCM_MARKET_STATUS_CHANNEL') ?? DEFAULT_MARKET_STATUS_CHANNEL,
  };
}

/** Default namespace of internal streams and keys. */
export const DEFAULT_NAMESPACE = 'fxcm';

/** Consumer group names on the internal streams. */
export const GROUPS = {
  /** Reads ticks/watermarks and history bars of its shard. */
  barBuilder: 'bar-builder',
  /** Reads bars, ticks (price snapshots) and status records; publishes the V1 channels. */
  publisher: 'publisher',
  /** Reads status records. */
  scheduler: 'scheduler',
  /** Reads control entries. */
  fxcmGateway: 'fxcm-gateway',
} as const;

/**
 * The BullMQ queue of history jobs: the scheduler (and the gateway's own gap repair) enqueue,
 * the gateway's worker runs them. Job payload: contract `history-job`.
 */
export const HISTORY_QUEUE = 'history';

/** BullMQ priority of a history job for a priority target (1 = served first). */
export const HISTORY_PRIORITY_TARGET = 1;
/** BullMQ priority of every other history job (every job has one: BullMQ serves unprioritized first). */
export const HISTORY_PRIORITY_OTHER = 10;

/**
 * The BullMQ priority of a history job for (symbol, tf): the scheduler's commands and the
 * gateway's gap repairs both enqueue with it, so the priority targets
 * (`stream.history_priority_targets`, keys `SYMBOL|tf` in wire spelling) go first.
 */
export function historyJobPriority(
  priorityTargets: ReadonlySet<string>,
  symbol: string,
  tf: string,
): number {
  return priorityTargets.has(`${symbol}|${tf}`) ? HISTORY_PRIORITY_TARGET : HISTORY_PRIORITY_OTHER;
}

/**
 * BullMQ key prefix of the suite's queues in namespace `ns`: `{fxcm}:bull` for `fxcm`. The hash
 * tag keeps one queue's keys in one Redis Cluster slot, as BullMQ requires.
 */
export function queuePrefix(ns: string = DEFAULT_NAMESPACE): string {
  return `{${checkNamespace(ns)}}:bull`;
}

/** A consumer group name. */
export type GroupName = (typeof GROUPS)[keyof typeof GROUPS];

function checkNamespace(ns: string): string {
  // '{' '}' would break the hash tags; whitespace and ':' edges make keys ambiguous.
  if (typeof ns !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_:.-]*$/.test(ns) || ns.endsWith(':')) {
    throw new ContractError(
      'NAME_INVALID',
      `namespace '${String(ns)}' must be letters, digits, '_', '-', '.', ':' (no braces, no trailing ':')`,
    );
  }
  return ns;
}

function checkShard(shard: number): number {
  if (!Number.isSafeInteger(shard) || shard < 0) {
    throw new ContractError(
      'NAME_INVALID',
      `shard must be a non-negative integer, got ${String(shard)}`,
    );
  }
  return shard;
}

/** Internal Redis Stream names of one namespace. */
export interface StreamNames {
  /** Ticks and watermarks of a shard: `${ns}:x:ticks:{${shard}}`. */
  ticks(shard: number): string;
  /** FXCM history 1m bars of a shard: `${ns}:x:history:{${shard}}`. */
  history(shard: number): string;
  /** Preview and final bars of a shard: `${ns}:x:bars:{${shard}}`. */
  bars(shard: number): string;
  /** Service status records and public status payloads: `${ns}:x:status`. */
  status: string;
  /** Control entries for services: `${ns}:x:control`. */
  control: string;
}

/**
 * Internal stream names under namespace `ns` (default `fxcm`). Per-shard streams carry the shard
 * in a Redis Cluster hash tag (`{3}`), so the streams of one shard share a slot.
 */
export function streamNames(ns: string = DEFAULT_NAMESPACE): StreamNames {
  checkNamespace(ns);
  return {
    ticks: (shard) => `${ns}:x:ticks:{${checkShard(shard)}}`,
    history: (shard) => `${ns}:x:history:{${checkShard(shard)}}`,
    bars: (shard) => `${ns}:x:bars:{${checkShard(shard)}}`,
    status: `${ns}:x:status`,
    control: `${ns}:x:control`,
  };
}

/** Plain Redis key names of one namespace. */
export interface KeyNames {
  /** Last full status snapshot (plain SET): `${ns}:status:snapshot`. */
  statusSnapshot: string;
  /** Last quote per symbol for the price snapshots (hash symbol → JSON): `${ns}:price:last`. */
  priceLast: string;
  /** Which publisher replica sends this interval's price snapshots: `${ns}:price:lock`. */
  priceLock: string;
  /** A spent command nonce (V2 anti-replay, PX 300 s): `${ns}:cmd_replay:${kid}:${nonce}`. */
  commandReplay(kid: string, nonce: string): string;
  /** Publisher idempotency mark of a bar: `${ns}:published:{${symbol}}:${tf}:${openTime}`. */
  published(symbol: string, tf: string, openTime: number): string;
  /** Ingestor store hash of a (symbol, tf): `${ns}:store:{${symbol}}:${tf}`. */
  store(symbol: string, tf: string): string;
}

function checkTf(tf: string): string {
  if (typeof tf !== 'string' || !/^[0-9A-Za-z]+$/.test(tf)) {
    throw new ContractError(
      'NAME_INVALID',
      `timeframe key component '${String(tf)}' is not alphanumeric`,
    );
  }
  return tf;
}

/**
 * Key names under namespace `ns` (default `fxcm`). Symbols are normalized and used as the hash
 * tag, so all keys of one symbol share a slot on Redis Cluster.
 */
export function keys(ns: string = DEFAULT_NAMESPACE): KeyNames {
  checkNamespace(ns);
  return {
    statusSnapshot: `${ns}:status:snapshot`,
    priceLast: `${ns}:price:last`,
    priceLock: `${ns}:price:lock`,
    commandReplay: (kid, nonce) => `${ns}:cmd_replay:${kid}:${nonce}`,
    published: (symbol, tf, openTime) => {
      if (!Number.isSafeInteger(openTime)) {
        throw new ContractError(
          'NAME_INVALID',
          `openTime must be an integer, got ${String(openTime)}`,
        );
      }
      return `${ns}:published:{${normalizeSymbol(symbol)}}:${checkTf(tf)}:${openTime}`;
    },
    store: (symbol, tf) => `${ns}:store:{${normalizeSymbol(symbol)}}:${checkTf(tf)}`,
  };
}
