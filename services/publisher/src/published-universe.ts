import { parseStreamTargets } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import {
  ControlReader,
  controlErrorReporter,
  TargetSet,
  universeOf,
  type StatusReporter,
} from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';

/** What {@link PublishedUniverse} reads and reports through. */
export interface PublishedUniverseDeps {
  redis: Redis;
  /** `{ns}:x:control`. */
  stream: string;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
}

/**
 * The (symbol, tf) targets the publisher puts on `fxcm:ohlcv`: `stream.config` at start, then
 * whatever `set_universe` on `{ns}:x:control` says (the scheduler has already intersected it with
 * the base targets). Shown as `detail.universe` in the publisher's status record.
 */
export class PublishedUniverse {
  active: TargetSet;
  private readonly reader: ControlReader;

  constructor(base: readonly string[], deps: PublishedUniverseDeps) {
    this.active = new TargetSet(parseStreamTargets(base));
    this.show(deps.status);
    this.reader = new ControlReader({
      redis: deps.redis,
      stream: deps.stream,
      service: 'publisher',
      onControl: (control) => {
        if (control.cmd !== 'set_universe') return;
        this.active = new TargetSet(universeOf(control));
        this.show(deps.status);
        deps.logger.info('universe changed', {
          targets: this.active.targets,
          req_id: control.req_id,
        });
      },
      onError: controlErrorReporter(deps),
    });
  }

  private show(status: StatusReporter): void {
    status.setDetail({ universe: this.active.targets.map((t) => `${t.symbol}:${t.tf}`) });
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
