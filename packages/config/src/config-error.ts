/**
 * Stable codes of every error thrown by `@fxcm/config`.
 *
 * - `CONFIG_INVALID`: a configuration value (env var or runtime setting) is missing or wrong.
 * - `CONFIG_ENV_FILE_MISSING`: the profile named by `AI_ONE_ENV_FILE` does not exist.
 * - `CONFIG_ENV_FILE_INVALID`: a `.env`/profile line cannot be parsed.
 * - `CONFIG_SECRETS_FILE_EXPOSED`: the file named by `FXCM_SECRETS_FILE` is accessible to other users.
 * - `CONFIG_SETTINGS_UNREADABLE`: `runtime_settings.json` exists but cannot be read or is not JSON.
 * - `CONFIG_SETTINGS_INVALID`: `runtime_settings.json` breaks its JSON Schema (wrong type or range).
 * - `CONFIG_SPEC_INVALID`: a service declared an impossible field list (a programmer error).
 */
export type ConfigErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_ENV_FILE_MISSING'
  | 'CONFIG_ENV_FILE_INVALID'
  | 'CONFIG_SECRETS_FILE_EXPOSED'
  | 'CONFIG_SETTINGS_UNREADABLE'
  | 'CONFIG_SETTINGS_INVALID'
  | 'CONFIG_SPEC_INVALID';

/** One problem found while loading configuration; a {@link ConfigError} lists all of them. */
export interface ConfigIssue {
  /** Env var name, settings path (`stream.poll_seconds`), file path or field key the issue is about. */
  readonly name: string;
  /** Why it is wrong, already phrased for a person (`must be an integer in [0, 65535], got "abc"`). */
  readonly message: string;
}

/**
 * The single error type of `@fxcm/config`. Its `message` is every issue joined by `; `,
 * so a service that refuses to start shows all bad keys at once.
 */
export class ConfigError extends Error {
  /** Stable machine-readable code. */
  readonly code: ConfigErrorCode;
  /** Every problem found, in declaration order. */
  readonly issues: readonly ConfigIssue[];

  constructor(code: ConfigErrorCode, issues: readonly ConfigIssue[], message?: string) {
    super(message ?? issues.map((issue) => issue.message).join('; '));
    this.name = 'ConfigError';
    this.code = code;
    this.issues = issues;
  }
}

/** True when `err` is a {@link ConfigError} (optionally with the given code). */
export function isConfigError(err: unknown, code?: ConfigErrorCode): err is ConfigError {
  return err instanceof ConfigError && (code === undefined || err.code === code);
}
