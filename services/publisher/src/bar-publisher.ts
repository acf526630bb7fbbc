import {
  ContractError,
  decodeStreamEntry,
  encodeOhlcvMessage,
  keys,
  type HmacAlgo,
  type OhlcvSigning,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import {
  slotGroups,
  type EntryRejection,
  type HandlerContext,
  type StreamEntry,
} from '@fxcm/redis-streams';
import type { StatusReporter, TargetSet } from '@fxcm/service-runtime';
import { EntryRejections } from './entry-rejections';
import { createPublisherMetrics } from './publisher-metrics';
import { publishOnceArgs, type RedisWithPublishOnce } from './publish-once';

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
  /**
   * The active (symbol, tf) targets: live bars of anything else are not published (a 5m target
   * needs 1m bars inside the builder, not on the wire). Republished batches were asked for and
   * always go out. Unset: everything is published.
   */
  universe?: () => TargetSet;
}

type Kind = 'final' | 'preview' | 'batch';

/** Messages per pipeline: sent as soon as they are encoded, while the next ones are. */
const PUBLISH_CHUNK = 64;

/** One message to publish, with its publish-once mark and what the metrics need. */
interface Outgoing {
  text: string;
  kind: Kind;
  markKey: string;
  symbol: string;
  tf: string;
  closeTime: number;
  filtered: boolean;
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
  /** The namespace's keys and the signing options: the same for every message. */
  private readonly keys;
  private readonly sign: OhlcvSigning;

  constructor(private readonly opts: BarPublisherOptions) {
    this.keys = keys(opts.namespace);
    this.sign = opts.hmac ? { secret: opts.hmac.secret, algo: opts.hmac.algo } : {};
    this.seed = createPublisherMetrics(opts.metrics);
    this.published = opts.metrics.counter(
      'fxcm_publisher_bars_total',
      'Bars handled by the publisher, by tf, kind (final, preview, batch) and outcome (published, duplicate, filtered)',
      ['tf', 'kind', 'outcome'],
    );
    this.rejections = new EntryRejections('bar', opts);
  }

  /**
   * Handles one batch; rejected entries go to the dead-letter stream. Throws only on Redis
   * failure (the batch is then redelivered). Messages go out {@link PUBLISH_CHUNK} at a time as
   * they are encoded: Redis publishes the first ones (and subscribers read them) while the rest
   * are being signed, instead of every one waiting for the batch's last.
   */
  async handle(entries: StreamEntry[], ctx?: HandlerContext): Promise<void> {
    const rejected: EntryRejection[] = [];
    const out: Promise<void>[] = [];
    let chunk: Outgoing[] = [];
    for (const entry of entries) {
      const message = this.encode(entry, rejected);
      if (!message) continue;
      if (message.filtered) {
        this.published.inc({ tf: message.tf, kind: message.kind, outcome: 'filtered' });
        continue;
      }
      chunk.push(message);
      if (chunk.length >= PUBLISH_CHUNK) {
        out.push(this.publish(chunk));
        chunk = [];
      }
    }
    if (chunk.length > 0) out.push(this.publish(chunk));
    await Promise.all([ctx?.deadLetter(rejected), ...out]);
  }

  /**
   * Publishes messages in their order: one pipeline per symbol slot on a Redis Cluster (a mark
   * and its message go together), so a symbol's messages keep their order inside its pipeline.
   * Pipelines sent one after another on a connection run in that order too.
   */
  private async publish(sent: readonly Outgoing[]): Promise<void> {
    const groups = slotGroups(this.opts.redis, sent, (message) => message.markKey);
    const replies = await Promise.all(groups.map((group) => this.publishGroup(group)));
    const now = Date.now();
    groups.forEach((group, g) => {
      group.forEach(({ symbol, tf, kind, closeTime }, i) => {
        const duplicate = replies[g]![i] === -1;
        this.published.inc({ tf, kind, outcome: duplicate ? 'duplicate' : 'published' });
        // A warmup batch re-sends history: it is not fresh output of the live pipeline.
        if (!duplicate && kind !== 'batch') {
          this.seed.published(symbol, tf, kind === 'final', closeTime, now);
        }
      });
    });
  }

  /**
   * Publishes messages of one slot in one pipeline, in their order: each run of consecutive
   * finals and batches in one `publishOnce` call (once per mark), previews as plain PUBLISH.
   * Resolves with one reply per message.
   */
  private async publishGroup(group: readonly Outgoing[]): Promise<number[]> {
    const pipeline = this.opts.redis.pipeline() as unknown as {
      publishOnce(args: (string | number)[]): void;
      publish(c: string, m: string): void;
      exec(): Promise<[Error | null, unknown][] | null>;
    };
    const { channel, markTtlMs } = this.opts;
    for (let at = 0; at < group.length;) {
      if (group[at]!.kind === 'preview') {
        pipeline.publish(channel, group[at]!.text);
        at += 1;
        continue;
      }
      let end = at;
      while (end < group.length && group[end]!.kind !== 'preview') end += 1;
      pipeline.publishOnce(publishOnceArgs(group.slice(at, end), channel, markTtlMs));
      at = end;
    }
    const results = await pipeline.exec();
    if (!results) throw new Error('publish pipeline returned no result');
    return results.flatMap(([err, reply]) => {
      if (err) throw err;
      return reply as number | number[];
    });
  }

  private encode(entry: StreamEntry, rejected: EntryRejection[]): Outgoing | undefined {
    let decodedData: { symbol?: string; tf?: string } | undefined;
    try {
      const decoded = decodeStreamEntry(entry.fields);
      if (decoded.type === 'bar_batch') {
        // A warmup's bars from the store: one message, once per (request, part).
        const { symbol, tf, bars, source, req_id, part } = decoded.data;
        return {
          text: encodeOhlcvMessage({ symbol, tf, bars, source }, this.sign),
          kind: 'batch',
          markKey: `${this.keys.published(symbol, tf, bars[0].open_time)}:rp:${req_id}:${part}`,
          symbol,
          tf,
          closeTime: bars[bars.length - 1]!.close_time,
          filtered: false,
        };
      }
      if (decoded.type !== 'bar') {
        throw new ContractError(
          'STREAM_ENTRY_INVALID',
          `bars stream: unexpected entry type ${decoded.type}`,
        );
      }
      decodedData = decoded.data;
      const { symbol, tf, bar, revision } = decoded.data;
      const kind: Kind = bar.complete === true ? 'final' : 'preview';
      if (this.opts.universe && !this.opts.universe().has(symbol, tf)) {
        return {
          text: '',
          kind,
          markKey: '',
          symbol,
          tf,
          closeTime: bar.close_time,
          filtered: true,
        };
      }
      return {
        text: encodeOhlcvMessage({ symbol, tf, bars: [bar], source: bar.source }, this.sign),
        kind,
        // A revision (an HTF bar rebuilt after a history fill) is a new message of the same key.
        markKey: `${this.keys.published(symbol, tf, bar.open_time)}${revision ? `:r${revision}` : ''}`,
        symbol,
        tf,
        closeTime: bar.close_time,
        filtered: false,
      };
    } catch (err) {
      rejected.push(this.rejections.reject(entry, err));
      this.seed.dropped(decodedData?.symbol, decodedData?.tf);
      return undefined;
    }
  }
}
