import { ContractError } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { EntryRejection, StreamEntry } from '@fxcm/redis-streams';
import type { StatusReporter } from '@fxcm/service-runtime';

/**
 * The publisher's one way to refuse a stream entry the contracts reject: counted by reason,
 * reported in the status record, logged — and then dead-lettered (which acknowledges it), so
 * one bad entry never holds up the ones behind it. Anything that is not a contract error is
 * rethrown.
 */
export class EntryRejections {
  private readonly rejected;

  constructor(
    private readonly what: 'bar' | 'status',
    private readonly deps: { metrics: Metrics; status: StatusReporter; logger: Logger },
  ) {
    this.rejected = deps.metrics.counter(
      'fxcm_publisher_rejected_total',
      'Stream entries the publisher rejected, by entry kind and reason',
      ['entry', 'reason'],
    );
  }

  /**
   * Records the rejection of `entry` for `err` and returns it for the dead-letter stream;
   * rethrows errors that are not contract errors.
   */
  reject(entry: StreamEntry, err: unknown): EntryRejection {
    if (!(err instanceof ContractError)) throw err;
    this.rejected.inc({ entry: this.what, reason: err.code });
    this.deps.metrics.errors.inc({ type: 'contract' });
    this.deps.status.error(err.code, err.message, {
      severity: 'warning',
      context: { id: entry.id },
    });
    this.deps.logger.warn(`rejected ${this.what} entry`, {
      id: entry.id,
      stream: entry.stream,
      error: err.message,
    });
    return { entry, code: err.code, message: err.message };
  }
}
