import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';
import {
  createAjv,
  dottedPath,
  type JsonSchema,
  reduceErrors,
  SCHEMA_DIALECT,
  showValue,
} from './json-schema';

/** One stream target: V1 FXCM spelling (`XAU/USD`, `m1`). */
export interface StreamTarget {
  readonly symbol: string;
  readonly tf: string;
}

/** V1 stream targets: `"XAU/USD:m1,EUR/USD:m5"` or an array of `{symbol, tf}` (or of `"SYMBOL:tf"`). */
export type StreamTargets = string | ReadonlyArray<StreamTarget | string>;

/** Capped exponential backoff of the V1 `stream.history_backoff` / `stream.redis_backoff` shape. */
export interface StreamBackoffSettings {
  readonly base_seconds?: number;
  readonly max_seconds?: number;
  readonly multiplier?: number;
  readonly jitter?: number;
}

/** Backoff of the V1 `backoff.*` shape (seconds). */
export interface BackoffSettings {
  readonly base_delay?: number;
  readonly factor?: number;
  readonly max_delay?: number;
}

/** `cache` section of `runtime_settings.json`. */
export interface CacheSettings {
  readonly dir?: string;
  readonly max_bars?: number;
  readonly warmup_bars?: number;
}

/** `stream` section of `runtime_settings.json` (V1 keys). */
export interface StreamSettings {
  /** 0 = one warmup pass, 1 = endless stream. */
  readonly mode?: 0 | 1;
  readonly async_supervisor?: boolean;
  readonly poll_seconds?: number;
  readonly fetch_interval_seconds?: number;
  readonly publish_interval_seconds?: number;
  readonly lookback_minutes?: number;
  readonly config?: StreamTargets;
  readonly price_snap_channel?: string;
  readonly price_snap_interval_seconds?: number;
  readonly status_channel?: string;
  readonly commands_channel?: string;
  readonly heartbeat_channel?: string;
  readonly ohlcv_channel?: string;
  readonly dynamic_universe_enabled?: boolean;
  readonly dynamic_universe_default_targets?: StreamTargets;
  readonly dynamic_universe_max_targets?: number;
  readonly backfill_min_minutes?: number;
  readonly backfill_max_minutes?: number;
  readonly tick_aggregation_enabled?: boolean;
  readonly tick_aggregation_max_synth_gap_minutes?: number;
  readonly tick_aggregation_live_publish_interval_seconds?: number;
  readonly telemetry_min_publish_interval_seconds?: number;
  readonly history_max_calls_per_min?: number;
  readonly history_max_calls_per_hour?: number;
  readonly history_min_interval_seconds_m1?: number;
  readonly history_min_interval_seconds_m5?: number;
  readonly history_priority_targets?: StreamTargets;
  readonly history_priority_reserve_per_min?: number;
  readonly history_priority_reserve_per_hour?: number;
  readonly history_load_thresholds?: {
    readonly min_interval?: number;
    readonly warn?: number;
    readonly reserve?: number;
    readonly critical?: number;
  };
  readonly history_backoff?: StreamBackoffSettings;
  readonly redis_backoff?: StreamBackoffSettings;
}

/** `viewer` section of `runtime_settings.json` (V1 console viewer; kept for compatibility). */
export interface ViewerSettings {
  readonly heartbeat_channel?: string;
  readonly market_status_channel?: string;
  readonly ohlcv_channel?: string;
  readonly redis_health_interval?: number;
  readonly lag_spike_threshold?: number;
  readonly heartbeat_alert_seconds?: number;
  readonly ohlcv_msg_idle_warn_seconds?: number;
  readonly ohlcv_msg_idle_error_seconds?: number;
  readonly ohlcv_lag_warn_seconds?: number;
  readonly ohlcv_lag_error_seconds?: number;
  readonly timeline_matrix_rows?: number;
  readonly timeline_max_columns?: number;
  readonly timeline_history_max?: number;
  readonly timeline_focus_minutes?: number;
}

/** Contents of `config/runtime_settings.json`; every key optional (defaults apply). */
export interface RuntimeSettingsValues {
  readonly cache?: CacheSettings;
  readonly stream?: StreamSettings;
  readonly backoff?: {
    readonly fxcm_login?: BackoffSettings;
    readonly fxcm_stream?: BackoffSettings;
    readonly redis_stream?: BackoffSettings;
  };
  readonly viewer?: ViewerSettings;
  readonly sample_request?: {
    readonly symbol?: string;
    readonly timeframe?: string;
    readonly hours?: number;
  };
}

const RUNTIME_SETTINGS_BRAND: unique symbol = Symbol.for('@fxcm/config.RuntimeSettings');

/** What {@link loadRuntimeSettings} returns: the validated values plus what to tell the operator. */
export interface RuntimeSettings {
  /** The file's contents (unknown keys kept as they were); `{}` when the file is missing. */
  readonly values: RuntimeSettingsValues;
  /** One line per unknown key (`stream.foo: unknown key, ignored`); the service logs them. */
  readonly warnings: readonly string[];
  /** The path that was read. */
  readonly path: string;
  /** False when the file did not exist (defaults apply). */
  readonly found: boolean;
  /** Marks objects made by this package, so `buildConfig` can tell them from plain values. */
  readonly [RUNTIME_SETTINGS_BRAND]: true;
}

/** True when `value` was returned by {@link loadRuntimeSettings} or {@link parseRuntimeSettings}. */
export function isRuntimeSettings(value: unknown): value is RuntimeSettings {
  return typeof value === 'object' && value !== null && RUNTIME_SETTINGS_BRAND in value;
}

// Schema builders keep the large V1 schema readable.
const num = (minimum = 0, maximum?: number): JsonSchema =>
  maximum === undefined ? { type: 'number', minimum } : { type: 'number', minimum, maximum };
const int = (minimum = 0): JsonSchema => ({ type: 'integer', minimum });
const str: JsonSchema = { type: 'string', minLength: 1 };
const bool: JsonSchema = { type: 'boolean' };
const section = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties,
  additionalProperties: false,
});
const targetObject: JsonSchema = {
  type: 'object',
  properties: { symbol: str, tf: str },
  required: ['symbol', 'tf'],
};
const targets: JsonSchema = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [str, targetObject] } }],
};
const streamBackoff = section({
  base_seconds: num(),
  max_seconds: num(),
  multiplier: num(1),
  jitter: num(0, 1),
});
const backoff = section({ base_delay: num(), factor: num(1), max_delay: num() });
const ratio = num(0, 1);

/**
 * JSON Schema (draft 2020-12) of `config/runtime_settings.json` with the V1 keys. Unknown keys
 * are marked `additionalProperties: false` so they surface, but the loader turns them into warnings.
 */
export const runtimeSettingsSchema: JsonSchema = {
  $schema: SCHEMA_DIALECT,
  title: 'runtime_settings.json',
  ...section({
    cache: section({ dir: str, max_bars: int(1), warmup_bars: int() }),
    stream: section({
      mode: { enum: [0, 1] },
      async_supervisor: bool,
      poll_seconds: num(),
      fetch_interval_seconds: num(),
      publish_interval_seconds: num(),
      lookback_minutes: num(),
      config: targets,
      price_snap_channel: str,
      price_snap_interval_seconds: num(),
      status_channel: str,
      commands_channel: str,
      heartbeat_channel: str,
      ohlcv_channel: str,
      dynamic_universe_enabled: bool,
      dynamic_universe_default_targets: targets,
      dynamic_universe_max_targets: int(1),
      backfill_min_minutes: num(),
      backfill_max_minutes: num(),
      tick_aggregation_enabled: bool,
      tick_aggregation_max_synth_gap_minutes: num(),
      tick_aggregation_live_publish_interval_seconds: num(),
      telemetry_min_publish_interval_seconds: num(),
      history_max_calls_per_min: int(),
      history_max_calls_per_hour: int(),
      history_min_interval_seconds_m1: num(),
      history_min_interval_seconds_m5: num(),
      history_priority_targets: targets,
      history_priority_reserve_per_min: int(),
      history_priority_reserve_per_hour: int(),
      history_load_thresholds: section({
        min_interval: ratio,
        warn: ratio,
        reserve: ratio,
        critical: ratio,
      }),
      history_backoff: streamBackoff,
      redis_backoff: streamBackoff,
    }),
    backoff: section({ fxcm_login: backoff, fxcm_stream: backoff, redis_stream: backoff }),
    viewer: section({
      heartbeat_channel: str,
      market_status_channel: str,
      ohlcv_channel: str,
      redis_health_interval: num(),
      lag_spike_threshold: num(),
      heartbeat_alert_seconds: num(),
      ohlcv_msg_idle_warn_seconds: num(),
      ohlcv_msg_idle_error_seconds: num(),
      ohlcv_lag_warn_seconds: num(),
      ohlcv_lag_error_seconds: num(),
      timeline_matrix_rows: int(1),
      timeline_max_columns: int(1),
      timeline_history_max: int(1),
      timeline_focus_minutes: num(),
    }),
    sample_request: section({ symbol: str, timeframe: str, hours: num() }),
  }),
};

let validator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/**
 * Validates already-parsed settings against {@link runtimeSettingsSchema}.
 *
 * @param data - the parsed JSON
 * @param path - file name used in messages
 * @throws ConfigError `CONFIG_SETTINGS_INVALID` listing every wrong key with its JSON path and why
 */
export function parseRuntimeSettings(
  data: unknown,
  path = 'runtime_settings.json',
): RuntimeSettings {
  validator ??= createAjv().compile(runtimeSettingsSchema);
  const valid = validator(data);
  const { unknownKeys, failures } = valid
    ? { unknownKeys: [], failures: [] }
    : reduceErrors(validator.errors ?? []);
  if (failures.length > 0) {
    throw new ConfigError(
      'CONFIG_SETTINGS_INVALID',
      failures.map((f) => {
        const name = dottedPath(f.instancePath) || path;
        return { name, message: `${name}: must be ${f.expected} (got ${showValue(f.value)})` };
      }),
    );
  }
  return {
    values: data as RuntimeSettingsValues,
    warnings: unknownKeys.map((key) => `${dottedPath(key)}: unknown key in ${path}, ignored`),
    path,
    found: true,
    [RUNTIME_SETTINGS_BRAND]: true,
  };
}

/**
 * Reads and validates `config/runtime_settings.json`. A missing file gives empty settings
 * (defaults apply); unknown keys are accepted and listed in `warnings`.
 *
 * @example
 * const settings = loadRuntimeSettings('config/runtime_settings.json');
 * for (const line of settings.warnings) logger.warn(line);
 * @throws ConfigError `CONFIG_SETTINGS_UNREADABLE` (not JSON, unreadable) |
 *   `CONFIG_SETTINGS_INVALID` (wrong types or ranges, e.g.
 *   `stream.poll_seconds: must be a number >= 0 (got "5s")`)
 */
export function loadRuntimeSettings(path: string): RuntimeSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { values: {}, warnings: [], path, found: false, [RUNTIME_SETTINGS_BRAND]: true };
    }
    throw unreadable(path, `cannot be read (${(err as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw unreadable(path, `is not valid JSON (${(err as Error).message})`);
  }
  return parseRuntimeSettings(data, path);
}

function unreadable(path: string, why: string): ConfigError {
  return new ConfigError('CONFIG_SETTINGS_UNREADABLE', [{ name: path, message: `${path} ${why}` }]);
}

/**
 * Normalises V1 stream targets (`"XAU/USD:m1, EUR/USD:m5"`, `[{symbol, tf}]` or `["XAU/USD:m1"]`)
 * into a list of `{symbol, tf}` keeping the FXCM spelling; a target without `:tf` means `m1`.
 * Empty entries are skipped.
 */
export function parseStreamTargets(value: StreamTargets): StreamTarget[] {
  const items = typeof value === 'string' ? value.split(',') : value;
  const out: StreamTarget[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      out.push({ symbol: item.symbol.trim(), tf: item.tf.trim() });
      continue;
    }
    const text = item.trim();
    if (text === '') continue;
    const colon = text.lastIndexOf(':');
    out.push(
      colon < 0
        ? { symbol: text, tf: 'm1' }
        : { symbol: text.slice(0, colon).trim(), tf: text.slice(colon + 1).trim() || 'm1' },
    );
  }
  return out;
}
