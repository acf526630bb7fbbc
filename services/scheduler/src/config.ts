import { defineConfig, type ConfigOf } from '@fxcm/config';
import { COMMON_FIELDS } from '@fxcm/service-runtime';

/** The scheduler's configuration; nothing else in the service reads the environment. */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
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
