import { defineConfig, type ConfigOf } from '@fxcm/config';
import {
  CALENDAR_FIELDS,
  COMMON_FIELDS,
  HISTORY_PRIORITY_FIELDS,
  TARGET_FIELDS,
} from '@fxcm/service-runtime';
import { ENGINE_FIELDS } from './engine-settings';

/** The bar builder's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CALENDAR_FIELDS,
  ...HISTORY_PRIORITY_FIELDS,
  ...TARGET_FIELDS,
  {
    key: 'shard',
    env: 'FXCM_SHARD',
    type: 'int',
    min: 0,
    description:
      'Shard this replica owns; default: the ordinal at the end of the instance name (StatefulSet pod bar-builder-2 → 2), else 0.',
  },
  ...ENGINE_FIELDS,
  {
    key: 'previewIntervalSeconds',
    env: 'FXCM_PREVIEW_INTERVAL_SECONDS',
    setting: 'stream.tick_aggregation_live_publish_interval_seconds',
    type: 'number',
    min: 0.05,
    default: 0.25,
    description: 'Throttle of preview (complete=false) bars per (symbol, tf), seconds.',
  },
  {
    key: 'previewsEnabled',
    env: 'FXCM_PREVIEWS_ENABLED',
    type: 'bool',
    default: true,
    description: 'Emit preview bars at all.',
  },
  {
    key: 'cacheDir',
    env: 'FXCM_CACHE_DIR',
    setting: 'cache.dir',
    type: 'string',
    default: 'cache',
    description: 'Folder of the final-bar store (the bar builder volume).',
  },
  {
    key: 'cacheMaxBars',
    env: 'FXCM_CACHE_MAX_BARS',
    setting: 'cache.max_bars',
    type: 'int',
    min: 1_440,
    default: 60_000,
    description: 'Final 1m bars kept per symbol (retention).',
  },
  {
    key: 'storeDelayMs',
    env: 'FXCM_STORE_DELAY_MS',
    type: 'int',
    min: 0,
    max: 10_000,
    default: 250,
    description:
      "While the feed is live, how long after a minute's final bars are on the bars stream the store appends them (ms; 0: at once). The input is read meanwhile; its acknowledgements wait for the store.",
  },
  {
    key: 'barsMaxLen',
    env: 'FXCM_BAR_STREAM_MAXLEN',
    type: 'int',
    min: 1_000,
    default: 200_000,
    description: 'Approximate retention of the bars stream (XADD MAXLEN ~).',
  },
  {
    key: 'tailGuardHistoryWaitSeconds',
    env: 'FXCM_TAIL_GUARD_HISTORY_WAIT_SECONDS',
    type: 'int',
    min: 1,
    default: 300,
    description:
      'How long a tail-guard repair waits for its history jobs before republishing what the store then holds.',
  },
] as const);

/** The validated configuration object. */
export type BarBuilderConfig = ConfigOf<typeof configSpec>;

/** The shard a replica owns: FXCM_SHARD, else the instance name's ordinal, else 0. */
export function shardOfInstance(config: Pick<BarBuilderConfig, 'shard'>, instance: string): number {
  if (config.shard !== undefined) return config.shard;
  const ordinal = /-(\d+)$/.exec(instance);
  return ordinal ? Number(ordinal[1]) : 0;
}
