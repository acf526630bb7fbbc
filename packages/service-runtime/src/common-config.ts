import { defineFields, type ConfigOfFields } from '@fxcm/config';

/**
 * Fields every service shares: where Redis is, the namespace of the internal streams, the
 * metrics/health HTTP server, logging, and the shard layout. Spread them into a service's
 * `defineConfig([...COMMON_FIELDS, ...])`.
 */
export const COMMON_FIELDS = defineFields([
  {
    key: 'redisUrl',
    env: 'REDIS_URL',
    type: 'url',
    description:
      'Redis to use, e.g. redis://:password@host:6379/0. When unset, built from FXCM_REDIS_HOST/PORT/PASSWORD.',
  },
  {
    key: 'redisHost',
    env: 'FXCM_REDIS_HOST',
    type: 'string',
    default: '127.0.0.1',
    description: 'Redis host (V1 name).',
  },
  {
    key: 'redisPort',
    env: 'FXCM_REDIS_PORT',
    type: 'int',
    min: 1,
    max: 65535,
    default: 6379,
    description: 'Redis port (V1 name).',
  },
  {
    key: 'redisPassword',
    env: 'FXCM_REDIS_PASSWORD',
    type: 'string',
    secret: true,
    description: 'Redis password (ACL), optional.',
  },
  {
    key: 'redisCluster',
    env: 'FXCM_REDIS_CLUSTER',
    type: 'bool',
    default: false,
    description:
      'Redis is a Redis Cluster: REDIS_URL (or FXCM_REDIS_HOST/PORT) names one of its nodes and every connection follows the slots (docs/operations.md, "Redis Cluster").',
  },
  {
    key: 'redisClusterNodes',
    env: 'FXCM_REDIS_CLUSTER_NODES',
    type: 'list',
    default: [],
    description:
      'More cluster nodes to discover the cluster from when the REDIS_URL node is down, host:port comma-separated (with FXCM_REDIS_CLUSTER).',
  },
  {
    key: 'redisSafety',
    env: 'FXCM_REDIS_SAFETY',
    type: 'enum',
    values: ['refuse', 'warn'],
    default: 'refuse',
    description:
      'At start, when Redis is older than 6.2 or its maxmemory-policy is not noeviction: refuse to start (exit 78), or warn (error log, metric, status degraded redis_unsafe) and run.',
  },
  {
    key: 'namespace',
    env: 'FXCM_NAMESPACE',
    type: 'string',
    default: 'fxcm',
    min: 1,
    description: 'Namespace of the internal streams and keys ({ns}:x:ticks:{shard}, …).',
  },
  {
    key: 'shardCount',
    env: 'FXCM_SHARDS',
    type: 'int',
    min: 1,
    max: 1024,
    default: 1,
    description: 'Number of symbol shards (bar-builder replicas).',
  },
  {
    key: 'instance',
    env: 'FXCM_INSTANCE',
    type: 'string',
    description: 'Instance name in status records and consumer names (default: host name).',
  },
  {
    key: 'metricsEnabled',
    env: 'FXCM_METRICS_ENABLED',
    type: 'bool',
    default: true,
    description: 'Serve /metrics, /healthz and /readyz.',
  },
  {
    key: 'metricsPort',
    env: 'FXCM_METRICS_PORT',
    type: 'int',
    min: 0,
    max: 65535,
    default: 9200,
    description: 'Port of the metrics/health server (V1 default 9200).',
  },
  {
    key: 'metricsHost',
    env: 'FXCM_METRICS_HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Address the metrics/health server binds.',
  },
  {
    key: 'logLevel',
    env: 'FXCM_LOG_LEVEL',
    type: 'enum',
    values: ['error', 'warn', 'info', 'debug'],
    default: 'info',
    description: 'Log level.',
  },
  {
    key: 'statusIntervalMs',
    env: 'FXCM_STATUS_INTERVAL_MS',
    type: 'int',
    min: 100,
    default: 5000,
    description: 'How often the service writes its status record, ms.',
  },
] as const);

/** The shared part of every service's config. */
export type CommonConfig = ConfigOfFields<typeof COMMON_FIELDS>;

/** The Redis URL a service connects to: `REDIS_URL`, else the V1 host/port/password. */
export function redisUrlOf(config: CommonConfig): string {
  if (config.redisUrl) return config.redisUrl;
  const auth = config.redisPassword ? `:${encodeURIComponent(config.redisPassword)}@` : '';
  return `redis://${auth}${config.redisHost}:${config.redisPort}`;
}

/** The cluster seeds of a service's Redis, or undefined for a single Redis. */
export function redisClusterOf(config: CommonConfig): { seeds: readonly string[] } | undefined {
  return config.redisCluster ? { seeds: config.redisClusterNodes } : undefined;
}

/**
 * The V1 public channel names: `FXCM_CHANNEL_PREFIX` plus a suffix, each overridable; the
 * market-status channel stays `fxcm:market_status` unless overridden (V1 hard-coded it).
 */
export const CHANNEL_FIELDS = defineFields([
  {
    key: 'channelPrefix',
    env: 'FXCM_CHANNEL_PREFIX',
    type: 'string',
    default: 'fxcm',
    min: 1,
    description: 'Prefix of the public channels (V1).',
  },
  {
    key: 'ohlcvChannel',
    env: 'FXCM_OHLCV_CHANNEL',
    setting: 'stream.ohlcv_channel',
    type: 'string',
    description: 'Override of {prefix}:ohlcv.',
  },
  {
    key: 'priceChannel',
    env: 'FXCM_PRICE_SNAPSHOT_CHANNEL',
    setting: 'stream.price_snap_channel',
    type: 'string',
    description: 'Override of {prefix}:price_tik.',
  },
  {
    key: 'heartbeatChannel',
    env: 'FXCM_HEARTBEAT_CHANNEL',
    setting: 'viewer.heartbeat_channel',
    type: 'string',
    description: 'Override of {prefix}:heartbeat.',
  },
  {
    key: 'statusChannel',
    env: 'FXCM_STATUS_CHANNEL',
    setting: 'stream.status_channel',
    type: 'string',
    description: 'Override of {prefix}:status.',
  },
  {
    key: 'commandsChannel',
    env: 'FXCM_COMMANDS_CHANNEL',
    setting: 'stream.commands_channel',
    type: 'string',
    description: 'Override of {prefix}:commands.',
  },
  {
    key: 'marketStatusChannel',
    env: 'FXCM_MARKET_STATUS_CHANNEL',
    setting: 'viewer.market_status_channel',
    type: 'string',
    description: 'Override of fxcm:market_status (V1 ignores the prefix here).',
  },
] as const);

/** The channel part of a service's config. */
export type ChannelConfig = ConfigOfFields<typeof CHANNEL_FIELDS>;

/** The env-shaped view `channelNames()` of @fxcm/contracts takes, from validated config. */
export function channelEnvOf(config: ChannelConfig): Record<string, string | undefined> {
  return {
    FXCM_CHANNEL_PREFIX: config.channelPrefix,
    FXCM_OHLCV_CHANNEL: config.ohlcvChannel,
    FXCM_PRICE_SNAPSHOT_CHANNEL: config.priceChannel,
    FXCM_HEARTBEAT_CHANNEL: config.heartbeatChannel,
    FXCM_STATUS_CHANNEL: config.statusChannel,
    FXCM_COMMANDS_CHANNEL: config.commandsChannel,
    FXCM_MARKET_STATUS_CHANNEL: config.marketStatusChannel,
  };
}

/** The V1 HMAC settings: signing (publisher) and verifying (ingestor) use the same names. */
export const HMAC_FIELDS = defineFields([
  {
    key: 'hmacSecret',
    env: 'FXCM_HMAC_SECRET',
    type: 'string',
    secret: true,
    description: 'HMAC secret of the `sig` on fxcm:ohlcv; unset = unsigned.',
  },
  {
    key: 'hmacAlgo',
    env: 'FXCM_HMAC_ALGO',
    type: 'enum',
    values: ['sha256', 'sha384', 'sha512', 'sha1'],
    default: 'sha256',
    description: 'HMAC digest (V1: any hashlib name; these are the ones both sides support).',
  },
] as const);

/**
 * The V1 stream targets (`FXCM_STREAM_CONFIG`, or `stream.config` in runtime_settings.json):
 * which (symbol, tf) the suite serves. The gateway streams their symbols; the scheduler accepts
 * commands only for them.
 */
export const TARGET_FIELDS = defineFields([
  {
    key: 'streamTargets',
    env: 'FXCM_STREAM_CONFIG',
    setting: 'stream.config',
    type: 'list',
    default: ['XAU/USD:m1', 'EUR/USD:m1'],
    min: 1,
    description: 'V1 stream targets, SYMBOL:tf comma-separated (XAU/USD:m1,EUR/USD:m5).',
  },
] as const);

/**
 * The V1 history priority targets: the scheduler enqueues their history jobs first (BullMQ
 * priority) and the gateway's history quota keeps a reserve for them.
 */
export const HISTORY_PRIORITY_FIELDS = defineFields([
  {
    key: 'historyPriorityTargets',
    env: 'FXCM_HISTORY_PRIORITY_TARGETS',
    setting: 'stream.history_priority_targets',
    type: 'list',
    default: ['XAU/USD:m1'],
    description:
      'History priority targets, SYMBOL:tf comma-separated: their history jobs go first and the quota keeps a reserve for them (V1 history_priority_targets).',
  },
] as const);

/**
 * Which trading calendar a service runs on (docs/calendar.md, "The calendar in force"): the
 * services that build a calendar (gateway, bar builder, scheduler) spread these into their spec
 * and load it with `loadServiceCalendar`.
 */
export const CALENDAR_FIELDS = defineFields([
  {
    key: 'calendarFile',
    env: 'FXCM_CALENDAR_FILE',
    type: 'string',
    description:
      'Calendar file loaded at start: project format, V1 calendar_overrides.json or a V2 profile array; unset = the shipped calendar.',
  },
  {
    key: 'calendarSymbols',
    env: 'FXCM_CALENDAR_SYMBOLS',
    type: 'list',
    default: [],
    description:
      'SYMBOL=profile choices, comma-separated (XAU/USD=oanda_metals); without any, a V1/V2 file applies to every symbol.',
  },
] as const);

/** The calendar part of a service's config. */
export type CalendarConfig = ConfigOfFields<typeof CALENDAR_FIELDS>;

/**
 * Where the deployment's quotes come from: the gateway builds its provider from these, and the
 * gate runner reads them to skip the gates that cannot apply (a replay has no broker history).
 */
export const PROVIDER_FIELDS = defineFields([
  {
    key: 'provider',
    env: 'FXCM_PROVIDER',
    type: 'enum',
    values: ['auto', 'sim', 'replay', 'fxcm-rest'],
    default: 'auto',
    description:
      'Where quotes come from: fxcm-rest (FXCM Socket REST API), sim (deterministic simulator), replay (recorded tick files); auto = replay when FXCM_REPLAY_FILES is set, else sim.',
  },
  {
    key: 'replayFiles',
    env: 'FXCM_REPLAY_FILES',
    type: 'list',
    default: [],
    description:
      'Tick-archive files (SYMBOL_….csv.gz) or folders of them, comma-separated; several symbols are merged by time.',
  },
] as const);

/** The provider part of a config. */
export type ProviderConfig = ConfigOfFields<typeof PROVIDER_FIELDS>;

/** A provider of quotes, `auto` resolved. */
export type ProviderKind = 'sim' | 'replay' | 'fxcm-rest';

/** The provider `FXCM_PROVIDER` names, with `auto` resolved. */
export function resolveProvider(config: ProviderConfig): ProviderKind {
  if (config.provider !== 'auto') return config.provider;
  return config.replayFiles.length > 0 ? 'replay' : 'sim';
}

/** The price snapshot cadence: the publisher sends at it, the scheduler's heartbeat reports it. */
export const PRICE_SNAP_FIELDS = defineFields([
  {
    key: 'priceSnapIntervalSeconds',
    env: 'FXCM_PRICE_SNAP_INTERVAL_SECONDS',
    setting: 'stream.price_snap_interval_seconds',
    type: 'number',
    min: 0,
    default: 3,
    description:
      'fxcm:price_tik cadence: the last quote of every symbol, re-sent even when unchanged (V1: 3 s); 0 = off.',
  },
] as const);
