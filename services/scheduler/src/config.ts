import { defineConfig, type ConfigOf } from '@fxcm/config';
import {
  CALENDAR_FIELDS,
  CHANNEL_FIELDS,
  COMMON_FIELDS,
  HISTORY_PRIORITY_FIELDS,
  HMAC_FIELDS,
  PRICE_SNAP_FIELDS,
  TARGET_FIELDS,
} from '@fxcm/service-runtime';

/** The scheduler's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CALENDAR_FIELDS,
  ...CHANNEL_FIELDS,
  ...TARGET_FIELDS,
  ...HMAC_FIELDS,
  ...HISTORY_PRIORITY_FIELDS,
  {
    key: 'commandAuth',
    env: 'FXCM_COMMAND_AUTH',
    type: 'enum',
    values: ['auto', 'off', 'verify', 'required'],
    default: 'auto',
    description:
      'V2 command envelopes: auto = required when FXCM_HMAC_SECRET is set, else verify; verify = check auth when present; required; off (HMAC-SHA256 with FXCM_HMAC_SECRET under key id FXCM_HMAC_KID).',
  },
  {
    key: 'hmacKid',
    env: 'FXCM_HMAC_KID',
    type: 'string',
    default: 'default',
    description: 'Key id of FXCM_HMAC_SECRET for command envelopes (auth.kid).',
  },
  {
    key: 'commandsEnabled',
    env: 'FXCM_COMMANDS_ENABLED',
    type: 'bool',
    default: true,
    description:
      'Listen to SMC commands on fxcm:commands (fxcm_warmup, fxcm_backfill → history jobs).',
  },
  {
    key: 'backfillMinMinutes',
    env: 'FXCM_BACKFILL_MIN_MINUTES',
    setting: 'stream.backfill_min_minutes',
    type: 'int',
    min: 1,
    default: 10,
    description: 'Smallest fxcm_backfill lookback, minutes (V1 clamp).',
  },
  {
    key: 'backfillMaxMinutes',
    env: 'FXCM_BACKFILL_MAX_MINUTES',
    setting: 'stream.backfill_max_minutes',
    type: 'int',
    min: 1,
    default: 360,
    description: 'Largest fxcm_backfill lookback, minutes (V1 clamp).',
  },
  {
    key: 'warmupBars',
    env: 'FXCM_WARMUP_BARS',
    setting: 'cache.warmup_bars',
    type: 'int',
    min: 1,
    default: 1_600,
    description:
      'Bars of history an fxcm_warmup asks for when the command names no depth (V1 cache.warmup_bars).',
  },
  {
    key: 'warmupOnStart',
    env: 'FXCM_WARMUP_ON_START',
    type: 'bool',
    default: true,
    description:
      'At start, run an fxcm_warmup (history job, then the republish from the store) for every active target whose store holds fewer than FXCM_WARMUP_BARS final bars of the span of the last FXCM_WARMUP_BARS bars (needs FXCM_COMMANDS_ENABLED).',
  },
  {
    key: 'dynamicUniverseEnabled',
    env: 'FXCM_DYNAMIC_UNIVERSE_ENABLED',
    setting: 'stream.dynamic_universe_enabled',
    type: 'bool',
    default: false,
    description:
      'Apply fxcm_set_universe: the active targets become its targets ∩ FXCM_STREAM_CONFIG (V1 default off).',
  },
  {
    key: 'dynamicUniverseMaxTargets',
    env: 'FXCM_DYNAMIC_UNIVERSE_MAX_TARGETS',
    setting: 'stream.dynamic_universe_max_targets',
    type: 'int',
    min: 1,
    default: 20,
    description: 'Most targets fxcm_set_universe may activate (V1 dynamic_universe_max_targets).',
  },
  {
    key: 'warmupHistoryWaitSeconds',
    env: 'FXCM_WARMUP_HISTORY_WAIT_SECONDS',
    type: 'number',
    min: 0,
    default: 60,
    description:
      'How long a warmup waits for its history jobs before republishing from the store anyway, seconds.',
  },
  {
    key: 'tailGuardStartDelaySeconds',
    env: 'FXCM_TAIL_GUARD_START_DELAY_SECONDS',
    type: 'number',
    min: 0,
    default: 60,
    description:
      'The tail guard on start runs this long after the scheduler starts (the bar builders have restored their stores by then).',
  },
  {
    key: 'tailGuardIntervalMinutes',
    env: 'FXCM_TAIL_GUARD_INTERVAL_MINUTES',
    type: 'number',
    min: 0,
    default: 60,
    description:
      'The tail guard runs again every this many minutes over the active symbols; 0 = on start only.',
  },
  {
    key: 'tailGuardScheduled',
    env: 'FXCM_TAIL_GUARD_SCHEDULED',
    type: 'bool',
    default: true,
    description:
      'Run the tail guard by itself: once on start, then on its interval (off: only fxcm_tail_guard and fxcm_bootstrap run it).',
  },
  {
    key: 'tailGuardWindowHours',
    env: 'FXCM_TAIL_GUARD_WINDOW_HOURS',
    type: 'number',
    min: 1,
    max: 744,
    default: 48,
    description:
      'Open hours of final 1m bars the scheduled tail guard audits (V2 window_hours), counted on the calendar.',
  },
  {
    key: 'tailGuardRepair',
    env: 'FXCM_TAIL_GUARD_REPAIR',
    type: 'bool',
    default: false,
    description:
      'The scheduled tail guard also repairs: history jobs for the holes, then the filled minutes republished once (V2 repair; off = audit only).',
  },
  {
    key: 'telemetryIntervalSeconds',
    env: 'FXCM_TELEMETRY_INTERVAL_SECONDS',
    setting: 'stream.telemetry_min_publish_interval_seconds',
    type: 'number',
    min: 0.2,
    default: 5,
    description:
      'How often fxcm:status is published, seconds (V1 telemetry_min_publish_interval_seconds).',
  },
  {
    key: 'marketSymbol',
    env: 'FXCM_MARKET_SYMBOL',
    type: 'string',
    default: 'XAUUSD',
    description:
      'Symbol whose calendar gives the public market state (V1 reported the metals session).',
  },
  {
    key: 'marketStatusRepeatSeconds',
    env: 'FXCM_MARKET_STATUS_REPEAT_SECONDS',
    type: 'number',
    min: 1,
    default: 30,
    description:
      'fxcm:market_status is sent on every change and re-sent this often when unchanged (V1: 30).',
  },
  ...PRICE_SNAP_FIELDS,
  {
    key: 'historyLookbackMinutes',
    env: 'FXCM_LOOKBACK_MINUTES',
    setting: 'stream.lookback_minutes',
    type: 'int',
    min: 1,
    default: 5,
    description: 'History lookback reported in the heartbeat lookback_minutes (V1: 5).',
  },
  {
    key: 'recordMaxAgeSeconds',
    env: 'FXCM_STATUS_RECORD_MAX_AGE_SECONDS',
    type: 'number',
    min: 1,
    default: 30,
    description: 'A service whose last status record is older than this counts as gone, seconds.',
  },
] as const);

/** The validated configuration object. */
export type SchedulerConfig = ConfigOf<typeof configSpec>;
