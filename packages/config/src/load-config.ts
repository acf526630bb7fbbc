import { resolve } from 'node:path';
import { buildConfig, type ConfigField, type ConfigOfFields, type ConfigSpec } from './config-spec';
import { type Env, loadEnvLayers } from './env-file';
import { loadRuntimeSettings, type RuntimeSettings } from './runtime-settings';

/** Default location of the runtime settings file, relative to the service's working directory. */
export const DEFAULT_SETTINGS_PATH = 'config/runtime_settings.json';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Working directory: holds `.env`, the profile and (by default) `config/runtime_settings.json`. */
  readonly cwd: string;
  /** The real environment (usually `process.env`). */
  readonly env: Env;
  /** Settings file, absolute or relative to `cwd`; default {@link DEFAULT_SETTINGS_PATH}. */
  readonly settingsPath?: string;
}

/** Everything {@link loadConfig} learned, for the service's startup log line. */
export interface LoadedConfig<C> {
  /** The typed, validated configuration. */
  readonly config: C;
  /** The runtime settings that were read (`found: false` when the file is absent). */
  readonly settings: RuntimeSettings;
  /** Env files read, in layering order. */
  readonly envFiles: readonly string[];
  /** Lines to log at warn level (unknown keys in the settings file). */
  readonly warnings: readonly string[];
}

/**
 * The whole start-up sequence in one call: `.env` + profile + real env, then
 * `runtime_settings.json`, then {@link buildConfig}. Throws the first stage's `ConfigError`.
 *
 * @example
 * const { config, warnings } = loadConfig(configSpec, { cwd: process.cwd(), env: process.env });
 */
export function loadConfig<F extends readonly ConfigField[]>(
  spec: ConfigSpec<F>,
  options: LoadConfigOptions,
): LoadedConfig<ConfigOfFields<F>> {
  const layers = loadEnvLayers({ cwd: options.cwd, env: options.env });
  const settings = loadRuntimeSettings(
    resolve(options.cwd, options.settingsPath ?? DEFAULT_SETTINGS_PATH),
  );
  const config = buildConfig(spec, { env: layers.env, settings });
  return { config, settings, envFiles: layers.files, warnings: settings.warnings };
}
