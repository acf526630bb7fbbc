import { streamNames } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import {
  ControlReader,
  controlErrorReporter,
  universeOf,
  type StatusReporter,
} from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import type { QuoteProvider } from '../providers/provider';

/** What {@link GatewayUniverse} works with. */
export interface GatewayUniverseOptions {
  redis: Redis;
  namespace: string;
  provider: QuoteProvider;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  /** Where the applied universe goes (the gateway's status `detail`, beside the feed's state). */
  onApplied: (detail: { universe_symbols: string[]; universe_live: boolean }) => void;
}

/**
 * The gateway's side of the dynamic universe: a `set_universe` on `{ns}:x:control` becomes the
 * provider's symbol list (subscribe/unsubscribe in place, no restart, no duplicate
 * subscription; the replay provider filters its recording the same way). A provider without
 * `setSymbols` (the simulator) keeps its symbols; the instruction is then only recorded, and the
 * publisher still filters what goes out.
 */
export class GatewayUniverse {
  private readonly reader: ControlReader;

  constructor(opts: GatewayUniverseOptions) {
    this.reader = new ControlReader({
      redis: opts.redis,
      stream: streamNames(opts.namespace).control,
      service: 'fxcm-gateway',
      onControl: async (control) => {
        if (control.cmd !== 'set_universe') return;
        const symbols = [...new Set(universeOf(control).map((t) => t.symbol))];
        const live = typeof opts.provider.setSymbols === 'function';
        if (live) await opts.provider.setSymbols!(symbols);
        opts.onApplied({ universe_symbols: symbols, universe_live: live });
        opts.logger.info('universe changed', { symbols, applied_to_provider: live });
      },
      onError: controlErrorReporter(opts),
    });
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
