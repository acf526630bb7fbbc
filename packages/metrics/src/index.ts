/**
 * `@fxcm/metrics`: one prom-client registry per service and an HTTP server for
 * `/metrics`, `/healthz` and `/readyz`.
 *
 * @packageDocumentation
 */
export {
  createMetrics,
  ERRORS_METRIC,
  type ErrorsCounter,
  type Metrics,
  type MetricsOptions,
} from './metrics';
export {
  startHealthServer,
  type HealthServer,
  type HealthServerOptions,
  type Readiness,
} from './health-server';
export { Tally } from './tally';
export { MetricsError, type MetricsErrorCode } from './metrics-error';
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';
export { boundedLabel, OTHER_LABEL, type BoundedLabelOptions } from './bounded-label';
