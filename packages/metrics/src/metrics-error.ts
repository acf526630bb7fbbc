/**
 * Stable codes of every error thrown by `@fxcm/metrics`:
 * - `METRIC_CONFLICT`: a metric name is asked for again with another kind or other labels.
 * - `METRIC_INVALID`: prom-client refused the metric (bad name or label name), or a tally was
 *   asked for with other than one or two labels.
 * - `HEALTH_SERVER_OPTIONS_INVALID`: `port` is not an integer in [0, 65535].
 * - `HEALTH_SERVER_LISTEN_FAILED`: the port could not be bound (in use, no permission).
 */
export type MetricsErrorCode =
  | 'METRIC_CONFLICT'
  | 'METRIC_INVALID'
  | 'HEALTH_SERVER_OPTIONS_INVALID'
  | 'HEALTH_SERVER_LISTEN_FAILED';

/** The error type of `@fxcm/metrics`, with a stable `code`. */
export class MetricsError extends Error {
  /** Stable machine-readable code. */
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}
