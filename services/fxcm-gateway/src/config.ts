import { ConfigError, defineConfig, type ConfigOf } from '@fxcm/config';
import { historyPriorityKeys } from '@fxcm/contracts';
import type { BackoffSettings } from './history/history-backoff';
import type { HistoryQuotaSettings } from './history/history-quota';
import {
  CALENDAR_FIELDS,
  COMMON_FIELDS,
  HISTORY_PRIORITY_FIELDS,
  PROVIDER_FIELDS,
  TARGET_FIELDS,
} from '@fxcm/service-runtime';

/** The gateway's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CALENDAR_FIELDS,
  ...PROVIDER_FIELDS,
  ...TARGET_FIELDS,
  {
    key: 'accessToken',
    env: 'FXCM_ACCESS_TOKEN',
    type: 'string',
    secret: true,
    description:
      'FXCM REST persistent access token (Trading Station Web → Token Management); fxcm-rest only.',
  },
  {
    key: 'restUrl',
    env: 'FXCM_REST_URL',
    type: 'url',
    default: 'https://api-demo.fxcm.com:443',
    description:
      'FXCM REST host: https://api-demo.fxcm.com:443 (demo) or https://api.fxcm.com:443 (real).',
  },
  {
    key: 'socketIdSource',
    env: 'FXCM_SOCKET_ID_SOURCE',
    type: 'enum',
    values: ['socket', 'engine'],
    default: 'socket',
    description:
      'Id in the bearer Bearer <id><token>: socket.io socket.id or the engine.io id (tried once on a 401 either way).',
  },
  {
    key: 'simSeed',
    env: 'FXCM_SIM_SEED',
    type: 'int',
    min: 0,
    max: 4_294_967_295,
    default: 1,
    description: 'Seed of the simulator: the same seed gives the same quotes and history.',
  },
  {
    key: 'simTicksPerSecond',
    env: 'FXCM_SIM_TICKS_PER_SECOND',
    type: 'number',
    min: 0,
    max: 1_000,
    default: 0,
    description:
      'Simulator only: quotes per second per symbol while its calendar is open (a load test, e.g. 20); 0 = the session rates of real EUR/USD (12–60 a minute).',
  },
  {
    key: 'simStart',
    env: 'FXCM_SIM_START',
    type: 'string',
    default: '',
    description:
      'Simulator only: ISO instant its clock starts at (e.g. a Wednesday 10:00Z for a live-looking session on a weekend); empty = now.',
  },
  {
    key: 'staleSeconds',
    env: 'FXCM_STALE_SECONDS',
    type: 'int',
    min: 5,
    max: 3_600,
    description:
      'No tick for this long while the calendar is open ⇒ stale: resubscribe once, then reconnect. Unset = per session from the real tick gaps: 90 s 06–16 UTC, 180 s 16–21 and 00–06 UTC, 360 s 21–24 UTC.',
  },
  {
    key: 'watermarkGraceMs',
    env: 'FXCM_WATERMARK_GRACE_MS',
    type: 'int',
    min: 0,
    max: 60_000,
    default: 1_000,
    description:
      'Live providers write a watermark now − grace every 100 ms, and one exactly when a minute ends plus grace; a quote later than that is late.',
  },
  {
    key: 'historyWorker',
    env: 'FXCM_HISTORY_WORKER',
    type: 'bool',
    default: true,
    description:
      'Run history jobs from the BullMQ queue "history" and backfill gaps (fxcm-rest and sim; replay with FXCM_REPLAY_HISTORY).',
  },
  {
    key: 'historyMaxRequests',
    env: 'FXCM_HISTORY_MAX_REQUESTS',
    type: 'int',
    min: 1,
    default: 50,
    description:
      'Per-run request budget of a history job without its own max_requests (retries included).',
  },
  {
    key: 'historyMaxSeconds',
    env: 'FXCM_HISTORY_MAX_SECONDS',
    type: 'int',
    min: 1,
    default: 600,
    description: 'Per-run time budget of a history job without its own max_seconds.',
  },
  ...HISTORY_PRIORITY_FIELDS,
  {
    key: 'historyMaxCallsPerMin',
    env: 'FXCM_HISTORY_MAX_CALLS_PER_MIN',
    setting: 'stream.history_max_calls_per_min',
    type: 'int',
    min: 1,
    default: 360,
    description:
      'History quota: most FXCM history calls in any 60 s (V1 history_max_calls_per_min).',
  },
  {
    key: 'historyMaxCallsPerHour',
    env: 'FXCM_HISTORY_MAX_CALLS_PER_HOUR',
    setting: 'stream.history_max_calls_per_hour',
    type: 'int',
    min: 1,
    default: 7_200,
    description:
      'History quota: most FXCM history calls in any 3600 s (V1 history_max_calls_per_hour).',
  },
  {
    key: 'historyMinIntervalSecondsM1',
    env: 'FXCM_HISTORY_MIN_INTERVAL_SECONDS_M1',
    setting: 'stream.history_min_interval_seconds_m1',
    type: 'number',
    min: 0,
    default: 2,
    description:
      'Least time between two history calls of one non-priority 1m target once the load reaches the min_interval threshold, seconds.',
  },
  {
    key: 'historyMinIntervalSecondsM5',
    env: 'FXCM_HISTORY_MIN_INTERVAL_SECONDS_M5',
    setting: 'stream.history_min_interval_seconds_m5',
    type: 'number',
    min: 0,
    default: 6,
    description: 'The same for 5m targets, seconds.',
  },
  {
    key: 'historyPriorityReservePerMin',
    env: 'FXCM_HISTORY_PRIORITY_RESERVE_PER_MIN',
    setting: 'stream.history_priority_reserve_per_min',
    type: 'int',
    min: 0,
    default: 108,
    description:
      'Calls of each minute kept for the priority targets once the load reaches the reserve threshold.',
  },
  {
    key: 'historyPriorityReservePerHour',
    env: 'FXCM_HISTORY_PRIORITY_RESERVE_PER_HOUR',
    setting: 'stream.history_priority_reserve_per_hour',
    type: 'int',
    min: 0,
    default: 2_160,
    description: 'Calls of each hour kept for the priority targets (same threshold).',
  },
  {
    key: 'historyLoadMinInterval',
    env: 'FXCM_HISTORY_LOAD_MIN_INTERVAL',
    setting: 'stream.history_load_thresholds.min_interval',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.7,
    description:
      'Load (calls / limit of the fuller window) from which the per-tf minimum intervals apply.',
  },
  {
    key: 'historyLoadReserve',
    env: 'FXCM_HISTORY_LOAD_RESERVE',
    setting: 'stream.history_load_thresholds.reserve',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.9,
    description: 'Load from which the priority reserve is kept from non-priority targets.',
  },
  {
    key: 'historyLoadWarn',
    env: 'FXCM_HISTORY_LOAD_WARN',
    setting: 'stream.history_load_thresholds.warn',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.85,
    description:
      'Load from which throttle_state is warn (also warn for 15 s after a quota denial).',
  },
  {
    key: 'historyLoadCritical',
    env: 'FXCM_HISTORY_LOAD_CRITICAL',
    setting: 'stream.history_load_thresholds.critical',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.95,
    description:
      'Load from which throttle_state is critical, with a quota denial in the last 15 s.',
  },
  {
    key: 'historyBackoffBaseSeconds',
    env: 'FXCM_HISTORY_BACKOFF_BASE_SECONDS',
    setting: 'stream.history_backoff.base_seconds',
    type: 'number',
    min: 0.001,
    default: 6,
    description:
      'history_backoff after a transient FXCM error (403 quota, 429, 5xx, not ready, network): first wait, seconds.',
  },
  {
    key: 'historyBackoffMaxSeconds',
    env: 'FXCM_HISTORY_BACKOFF_MAX_SECONDS',
    setting: 'stream.history_backoff.max_seconds',
    type: 'number',
    min: 0.001,
    default: 120,
    description: 'history_backoff: longest wait, seconds.',
  },
  {
    key: 'historyBackoffMultiplier',
    env: 'FXCM_HISTORY_BACKOFF_MULTIPLIER',
    setting: 'stream.history_backoff.multiplier',
    type: 'number',
    min: 1,
    default: 2,
    description: 'history_backoff: factor between two waits.',
  },
  {
    key: 'historyBackoffJitter',
    env: 'FXCM_HISTORY_BACKOFF_JITTER',
    setting: 'stream.history_backoff.jitter',
    type: 'number',
    min: 0,
    max: 1,
    default: 0.3,
    description: 'history_backoff: ± fraction of random spread on each wait.',
  },
  {
    key: 'historyMaxLen',
    env: 'FXCM_HISTORY_STREAM_MAXLEN',
    type: 'int',
    min: 1_000,
    default: 1_000_000,
    description: 'Approximate retention of each history stream (XADD MAXLEN ~).',
  },
  {
    key: 'replayShift',
    env: 'FXCM_REPLAY_SHIFT',
    type: 'enum',
    values: ['none', 'now', 'weeks'],
    default: 'none',
    description:
      'Replay time shift, by whole minutes: now = the first tick lands in the current minute; weeks = by whole weeks, keeping weekday and time (stays inside the sessions); none = as recorded.',
  },
  {
    key: 'replayHistory',
    env: 'FXCM_REPLAY_HISTORY',
    type: 'bool',
    default: false,
    description:
      'With the replay provider, answer history jobs from the recording itself (m1 candles of its ticks, shifted like the replay), e.g. to repair holes a tail guard finds.',
  },
  {
    key: 'replaySpeed',
    env: 'FXCM_REPLAY_SPEED',
    type: 'string',
    default: '1',
    description: 'Replay speed: a factor of real time (1, 60, 600) or "max".',
  },
  {
    key: 'recordDir',
    env: 'FXCM_RECORD_DIR',
    type: 'string',
    default: '',
    description:
      'Record every quote the provider delivers (before the rails) to tick-archive files in this folder, readable by the replay provider; empty = off.',
  },
  {
    key: 'maxCrossedRatio',
    env: 'FXCM_MAX_CROSSED_RATIO',
    type: 'number',
    min: 0,
    max: 0.1,
    default: 5e-4,
    description:
      'Largest accepted (bid − ask) / mid of a crossed quote; real FXCM feeds cross briefly, wider is a bad tick.',
  },
  {
    key: 'tickMaxLen',
    env: 'FXCM_TICK_STREAM_MAXLEN',
    type: 'int',
    min: 1_000,
    default: 1_000_000,
    description: 'Approximate retention of each tick stream (XADD MAXLEN ~).',
  },
] as const);

/** The validated configuration object. */
export type GatewayConfig = ConfigOf<typeof configSpec>;

/** `FXCM_REPLAY_SPEED` as the replay provider takes it; throws a message naming the variable. */
export function parseReplaySpeed(text: string): number | 'max' {
  if (text.trim().toLowerCase() === 'max') return 'max';
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        name: 'FXCM_REPLAY_SPEED',
        message: `FXCM_REPLAY_SPEED must be a positive number or "max", got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return factor;
}

/** The V1 HistoryQuota settings of the configuration. */
export function historyQuotaOf(config: GatewayConfig): HistoryQuotaSettings {
  return {
    maxCallsPerMin: config.historyMaxCallsPerMin,
    maxCallsPerHour: config.historyMaxCallsPerHour,
    minIntervalMs: {
      '1m': config.historyMinIntervalSecondsM1 * 1_000,
      '5m': config.historyMinIntervalSecondsM5 * 1_000,
    },
    priorityTargets: historyPriorityKeys(config.historyPriorityTargets),
    priorityReservePerMin: config.historyPriorityReservePerMin,
    priorityReservePerHour: config.historyPriorityReservePerHour,
    loadThresholds: {
      minInterval: config.historyLoadMinInterval,
      reserve: config.historyLoadReserve,
      warn: config.historyLoadWarn,
      critical: config.historyLoadCritical,
    },
  };
}

/** The V1 `history_backoff` of the configuration. */
export function historyBackoffOf(config: GatewayConfig): BackoffSettings {
  return {
    baseMs: config.historyBackoffBaseSeconds * 1_000,
    maxMs: config.historyBackoffMaxSeconds * 1_000,
    multiplier: config.historyBackoffMultiplier,
    jitter: config.historyBackoffJitter,
  };
}

export { resolveProvider } from '@fxcm/service-runtime';

/** The distinct symbols of the V1 stream targets (`XAU/USD:m1,XAU/USD:m5` → `XAU/USD`). */
export function symbolsOf(targets: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const target of targets) {
    const symbol = (target.split(':')[0] ?? '').trim();
    if (symbol === '') continue;
    const key = symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
    if (!seen.has(key)) seen.set(key, symbol);
  }
  return [...seen.values()];
}

/** `FXCM_SIM_START` as epoch ms, undefined when empty; throws a message naming the variable. */
export function parseSimStart(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new ConfigError('CONFIG_INVALID', [
      {
        name: 'FXCM_SIM_START',
        message: `FXCM_SIM_START must be an ISO instant like 2026-11-18T10:00:00Z, got ${JSON.stringify(text)}`,
      },
    ]);
  }
  return ms;
}
