import {
  encodeStreamEntry,
  isTimeframe,
  normalizeSymbol,
  type StreamControl,
  type Timeframe,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StreamProducer } from '@fxcm/redis-streams';
import {
  ControlReader,
  controlErrorReporter,
  universeOf,
  type StatusReporter,
} from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import type { SessionCalendar } from '../domain/session-calendar';
import type { BarStore } from '../store';
import { chunks, minutesToRead, republishBars } from './republish-plan';

/** What {@link BarBuilderControl} works with. */
export interface BarBuilderControlOptions {
  redis: Redis;
  /** `{ns}:x:control`. */
  controlStream: string;
  /** This shard's `{ns}:x:bars:{shard}`. */
  barsStream: string;
  /** The store, once open. */
  store: () => BarStore | undefined;
  producer: StreamProducer;
  calendarFor: (symbol: string) => SessionCalendar;
  /** Most 1m bars one republish reads (the store's retention). */
  maxBars: number;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
}

/** Why a republish instruction was not carried out. */
class RepublishRefused extends Error {}

/**
 * The bar builder's side of `{ns}:x:control`. `republish {symbol, tf, bars}`: when this shard's
 * store holds the symbol, the last `bars` final bars of `tf` (HTF built from the stored 1m
 * bars) go to the bars stream as `bar_batch` entries of at most 5,000 bars, which the publisher
 * sends as `fxcm:ohlcv` messages with `source="history_s3"`. `set_universe` is recorded in the
 * status (the builder keeps building every timeframe of every symbol it receives: a 5m target
 * needs the 1m bars).
 */
export class BarBuilderControl {
  private readonly reader: ControlReader;
  private readonly republished;

  constructor(private readonly opts: BarBuilderControlOptions) {
    this.republished = opts.metrics.counter(
      'fxcm_bar_builder_republished_bars_total',
      'Final bars republished from the store on request, by tf',
      ['tf'],
    );
    this.reader = new ControlReader({
      redis: opts.redis,
      stream: opts.controlStream,
      service: 'bar-builder',
      onControl: (control) => this.apply(control),
      onError: controlErrorReporter(opts),
    });
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  close(): Promise<void> {
    return this.reader.close();
  }

  /** Applies one instruction addressed to the bar builder. */
  async apply(control: StreamControl): Promise<void> {
    if (control.cmd === 'set_universe') {
      const targets = universeOf(control).map((t) => `${t.symbol}:${t.tf}`);
      this.opts.status.setDetail({ universe: targets });
      return;
    }
    if (control.cmd !== 'republish') return;
    const { symbol, tf, bars } = this.argsOf(control);
    const store = this.opts.store();
    if (!store || !store.symbols().includes(symbol)) return; // another shard's symbol
    const limit = minutesToRead(tf, bars, this.opts.maxBars);
    const minutes = await store.read(symbol, '1m', { limit });
    const out = republishBars(
      minutes,
      tf,
      bars,
      this.opts.calendarFor(symbol),
      symbol,
      minutes.length === limit,
    );
    chunks(out).forEach((part, index) => {
      this.opts.producer.add(
        this.opts.barsStream,
        encodeStreamEntry('bar_batch', {
          symbol,
          tf,
          source: 'history_s3',
          req_id: control.req_id,
          part: index,
          bars: part as [(typeof part)[0], ...typeof part],
        }),
      );
    });
    await this.opts.producer.flush();
    this.republished.inc({ tf }, out.length);
    const summary = {
      req_id: control.req_id,
      symbol,
      tf,
      asked: bars,
      sent: out.length,
      first_open_time: out[0]?.open_time ?? null,
      last_open_time: out[out.length - 1]?.open_time ?? null,
      ts: Date.now(),
    };
    this.opts.status.setDetail({ last_republish: summary });
    this.opts.logger.info('republished from the store', summary);
  }

  private argsOf(control: StreamControl): { symbol: string; tf: Timeframe; bars: number } {
    const args = control.args as { symbol?: unknown; tf?: unknown; bars?: unknown };
    if (typeof args.symbol !== 'string') throw new RepublishRefused('republish: args.symbol');
    const symbol = normalizeSymbol(args.symbol);
    if (!isTimeframe(args.tf)) throw new RepublishRefused('republish: args.tf');
    const bars = args.bars;
    if (typeof bars !== 'number' || !Number.isSafeInteger(bars) || bars < 1) {
      throw new RepublishRefused('republish: args.bars must be a positive integer');
    }
    return { symbol, tf: args.tf, bars: Math.min(bars, this.opts.maxBars) };
  }
}
