import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';

/**
 * Handles a BullMQ queue's `error` events (without a listener BullMQ writes them raw to stderr):
 * counted as `fxcm_connector_errors_total{type="queue"}` and logged as JSON with `QUEUE_ERROR`.
 */
export function watchQueueErrors(
  queue: { on(event: 'error', listener: (err: Error) => void): unknown },
  deps: { metrics: Metrics; logger: Logger },
): void {
  queue.on('error', (err) => {
    deps.metrics.errors.inc({ type: 'queue' });
    deps.logger.error('queue error', { code: 'QUEUE_ERROR', err });
  });
}
