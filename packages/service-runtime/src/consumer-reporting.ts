import type { ErrorType } from '@fxcm/contracts';
import { createRateLimitedLog, type Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { FailureClass, StreamConsumerOptions } from '@fxcm/redis-streams';
import type { StatusReporter } from './status-reporter';

/** `fxcm_connector_errors_total{type}` of a stream failure, by its class. */
const ERROR_TYPE: Record<FailureClass, ErrorType> = {
  transport: 'redis',
  poison: 'stream_poison',
  programmer: 'stream_bug',
};

/**
 * How a service's stream consumers report: every failure once, by class, in
 * `fxcm_connector_errors_total{type}` (`redis`, `stream_poison`, `stream_bug`) and a log line
 * (transport lines at most once per 10 s per input); every dead letter in
 * `fxcm_stream_dead_lettered_total{class,code}`, and — when the consumer gave it up, rather than
 * the handler rejecting it with its own report — in the status record too.
 */
export function consumerReporting(
  deps: { logger: Logger; metrics: Metrics; status: StatusReporter },
  input: string,
): Pick<StreamConsumerOptions, 'onError' | 'onDeadLetter'> {
  const { logger, metrics, status } = deps;
  const log = createRateLimitedLog(logger, { intervalMs: 10_000 });
  const deadLettered = metrics.counter(
    'fxcm_stream_dead_lettered_total',
    'Stream entries moved to a dead-letter stream, by failure class and code',
    ['class', 'code'],
  );
  return {
    onError: (err, where, failureClass) => {
      metrics.errors.inc({ type: ERROR_TYPE[failureClass] });
      const meta = { input, where, class: failureClass, err };
      if (failureClass === 'transport') {
        log(`stream:${input}:${where}`, 'warn', 'stream transport error; retrying', meta);
      } else if (failureClass === 'poison') {
        logger.warn('stream entry failed; it is redelivered until maxDeliveries', meta);
      } else {
        logger.error('stream handler programmer error; exiting', meta);
      }
    },
    onDeadLetter: (letter) => {
      deadLettered.inc({ class: letter.class, code: letter.code });
      if (letter.deliveries === 0) return; // a rejection: the handler has reported it
      status.error(
        'STREAM_ENTRY_DEAD_LETTERED',
        `${letter.stream} ${letter.id}: ${letter.code} after ${letter.deliveries} deliveries`,
        { severity: 'error', context: { stream: letter.stream, id: letter.id } },
      );
      logger.error('stream entry moved to the dead-letter stream', {
        input,
        stream: letter.stream,
        id: letter.id,
        code: letter.code,
        deliveries: letter.deliveries,
        error: letter.error,
      });
    },
  };
}
