import { ENGINE_FIELDS } from '@fxcm/bar-builder';
import { defineConfig, type ConfigOf } from '@fxcm/config';
import {
  CALENDAR_FIELDS,
  CHANNEL_FIELDS,
  COMMON_FIELDS,
  HMAC_FIELDS,
  PROVIDER_FIELDS,
  TARGET_FIELDS,
} from '@fxcm/service-runtime';

/**
 * The gate runner reads the deployment's own configuration (the same env, `.env`, profile,
 * secrets file, `runtime_settings.json`, calendar file, provider and the bar builder's engine
 * settings), so it checks what the services actually run with.
 */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CHANNEL_FIELDS,
  ...HMAC_FIELDS,
  ...TARGET_FIELDS,
  ...CALENDAR_FIELDS,
  ...PROVIDER_FIELDS,
  ...ENGINE_FIELDS,
] as const);

/** The validated configuration object. */
export type GatesConfig = ConfigOf<typeof configSpec>;
