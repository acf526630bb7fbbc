/**
 * `@fxcm/logging`: winston JSON-line logs with secrets redacted, and a rate limiter for
 * repeated lines.
 *
 * @packageDocumentation
 */
export {
  createLogger,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogMeta,
} from './logger';
export {
  createRateLimitedLog,
  type RateLimitedLog,
  type RateLimitOptions,
} from './rate-limited-log';
export { createRedactor, REDACTED, SECRET_KEY_PATTERN, type Redactor } from './redaction';
export { LoggingError, type LoggingErrorCode } from './logging-error';
