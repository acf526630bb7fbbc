import type { Logger } from '@fxcm/logging';
import { boundedLabel, type Metrics } from '@fxcm/metrics';

/** Command types that get their own `fxcm_commands_total` series (V1 and V2 names). */
export const KNOWN_COMMAND_TYPES = [
  'fxcm_warmup',
  'fxcm_backfill',
  'fxcm_set_universe',
  'fxcm_tail_guard',
  'fxcm_republish_tail',
  'fxcm_reconcile_tail',
  'fxcm_bootstrap',
] as const;

/** The `type` label of a command: its name when known, else `other` (input never adds series). */
export const commandTypeLabel = boundedLabel({ allowed: KNOWN_COMMAND_TYPES });

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
