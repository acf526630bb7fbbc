/**
 * `@fxcm/config`: one way to configure every service with the V1 names: `FXCM_*` environment
 * variables, `.env` plus the `AI_ONE_ENV_FILE` profile, and `config/runtime_settings.json`,
 * validated by JSON Schema at start.
 *
 * @packageDocumentation
 */
export { ConfigError, isConfigError, type ConfigErrorCode, type ConfigIssue } from './config-error';
export {
  loadEnvFiles,
  loadEnvLayers,
  parseEnvFile,
  PROFILE_ENV_VAR,
  type Env,
  type EnvLayers,
  type LoadEnvFilesOptions,
} from './env-file';
export { assertPrivateSecretsFile, SECRETS_ENV_VAR } from './secrets-file';
export {
  isRuntimeSettings,
  loadRuntimeSettings,
  parseRuntimeSettings,
  parseStreamTargets,
  runtimeSettingsSchema,
  type BackoffSettings,
  type CacheSettings,
  type RuntimeSettings,
  type RuntimeSettingsValues,
  type StreamBackoffSettings,
  type StreamSettings,
  type StreamTarget,
  type StreamTargets,
  type ViewerSettings,
} from './runtime-settings';
export {
  buildConfig,
  defineConfig,
  defineFields,
  describeConfig,
  fieldExpectation,
  redactConfig,
  renderConfigTable,
  type BoolField,
  type BuildConfigInput,
  type ConfigField,
  type ConfigOf,
  type ConfigOfFields,
  type ConfigRow,
  type ConfigSpec,
  type EnumField,
  type FieldCommon,
  type FieldType,
  type FieldValue,
  type ListField,
  type NumberField,
  type StringField,
} from './config-spec';
export {
  DEFAULT_SETTINGS_PATH,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load-config';
export { describeExpectation, type JsonSchema } from './json-schema';
