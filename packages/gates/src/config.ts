import { defineConfig, type ConfigOf } from '@fxcm/config';
import { CHANNEL_FIELDS, COMMON_FIELDS, HMAC_FIELDS, TARGET_FIELDS } from '@fxcm/service-runtime';

/**
 * The gate runner reads the deployment's own configuration (the same env, `.env`, profile,
 * secrets file and `runtime_settings.json`), so it checks what the services actually run with.
 */
export const configSpec = defineConfig([
  ...COMMON_FIELDS,
  ...CHANNEL_FIELDS,
  ...HMAC_FIELDS,
  ...TARGET_FIELDS,
] as const);

/** The validated configuration object. */
export type GatesConfig = ConfigOf<typeof configSpec>;
