import {
  ContractError,
  decodeStreamEntry,
  encodeOhlcvMessage,
  keys,
  type HmacAlgo,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StreamEntry } from '@fxcm/redis-streams';
import type { StatusReporter } from '@fxcm/service-runtime';
import { EntryRejections } from './entry-rejections';
import { createPublisherMetrics } from './publisher-metrics';
import type { RedisWithPublishOnce } from './publish-once';

/** Options of {@link BarPublisher}. */
export interface BarPublisherOptions {
  redis: RedisWithPublishOnce;
  namespace: string;
  channel: string;
  hmac?: { secret: string; algo: HmacAlgo };
  /** Lifetime of a final bar's publish-once mark, ms. */
  markTtlMs: number;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
}

/**
 * Turns bar entries of `{ns}:x:bars:{shard}` into V1 `fxcm:ohlcv` messages: validated against
 * the contract, signed, and published — final bars exactly once per (symbol, tf, open_time),
 * previews as they come. A bad entry is rejected, counted and reported; the rest go on.
 */
export class BarPublisher {
  private readonly published;
  private readonly rejections: EntryRejections;
  private readonly seed;

  constructor(private readonly opts: BarPublisherOptions) {
    this.seed = createPublisherMetrics(opts.metrics);
    this.published = opts.metrics.counter(
      'fxcm_publisher_bars_total',
      'Bars handled by the publisher, by tf and outcome (published, duplicate)',
      ['tf', 'kind', 'outcome'],
    );
    this.rejections = new EntryRejections('bar', opts);
  }

  /** Handles one batch; throws only on Redis failure (the batch is then redelivered). */
  async handle(entries: StreamEntry[]): Promise<void> {
    const pipeline = this.opts.redis.pipeline() as unknown as {
      publishOnce(k: string, c: string, m: string, ttl: number): void;
      publish(c: string, m: string): void;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    const sent: { symbol: string; tf: string; kind: 'final' | 'preview'; closeTime: number }[] = [];
    for (const entry of entries) {
      const message = this.encode(entry);
      if (!message) continue;
      if (message.final) {
        pipeline.publishOnce(message.markKey, this.opts.channel, message.text, this.opts.markTtlMs);
      } else {
        pipeline.publish(this.opts.channel, message.text);
      }
      sent.push({
        symbol: message.symbol,
        tf: message.tf,
        kind: message.final ? 'final' : 'preview',
        closeTime: message.closeTime,
      });
    }
    if (sent.length === 0) return;
    const results = await pipeline.exec();
    if (!results) throw new Error('publish pipeline returned no result');
    const now = Date.now();
    results.forEach(([err, reply], i) => {
      if (err) throw err;
      const { symbol, tf, kind, closeTime } = sent[i]!;
      const duplicate = reply === -1;
      this.published.inc({ tf, kind, outcome: duplicate ? 'duplicate' : 'published' });
      if (!duplicate) this.seed.published(symbol, tf, kind === 'final', closeTime, now);
    });
  }

  private encode(entry: StreamEntry):
    | {
        text: string;
        final: boolean;
        markKey: string;
        symbol: string;
        tf: string;
        closeTime: number;
      }
    | undefined {
    let decodedData: { symbol?: string; tf?: string } | undefined;
    try {
      const decoded = decodeStreamEntry(entry.fields);
      if (decoded.type !== 'bar') {
        throw new ContractError(
          'STREAM_ENTRY_INVALID',
          `bars stream: unexpected entry type ${decoded.type}`,
        );
      }
      decodedData = decoded.data;
      const { symbol, tf, bar, revision } = decoded.data;
      const text = encodeOhlcvMessage(
        { symbol, tf, bars: [bar], source: bar.source },
        this.opts.hmac ? { secret: this.opts.hmac.secret, algo: this.opts.hmac.algo } : {},
      );
      return {
        text,
        final: bar.complete === true,
        // A revision (an HTF bar rebuilt after a history fill) is a new message of the same key.
        markKey: `${keys(this.opts.namespace).published(symbol, tf, bar.open_time)}${revision ? `:r${revision}` : ''}`,
        symbol,
        tf,
        closeTime: bar.close_time,
      };
    } catch (err) {
      this.rejections.reject(entry, err);
      this.seed.dropped(decodedData?.symbol, decodedData?.tf);
      return undefined;
    }
  }
}
