/**
 * Stable codes of every error thrown by `@fxcm/logging` (all programmer errors, raised at setup):
 * - `LOG_LEVEL_INVALID`: `level` is not one of error|warn|info|debug.
 * - `LOG_OPTIONS_INVALID`: another option is out of range (e.g. a negative `intervalMs`).
 */
export type LoggingErrorCode = 'LOG_LEVEL_INVALID' | 'LOG_OPTIONS_INVALID';

/** The error type of `@fxcm/logging`, with a stable `code`. */
export class LoggingError extends Error {
  /** Stable machine-readable code. */
  readonly code: LoggingErrorCode;

  constructor(code: LoggingErrorCode, message: string) {
    super(message);
    this.name = 'LoggingError';
    this.code = code;
  }
}
