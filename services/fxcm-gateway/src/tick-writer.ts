import { encodeStreamEntry, encodeTickEntry, shardOf, streamNames } from '@fxcm/contracts';
import type { StreamProducer } from '@fxcm/redis-streams';
import type { CleanTick } from './tick-rails';

/** Options of {@link TickWriter}. */
export interface TickWriterOptions {
  producer: StreamProducer;
  namespace: string;
  shardCount: number;
  source: 'fxcm-rest' | 'sim' | 'replay' | 'bridge';
  /** Queue depth at which `tick()` starts returning a promise the provider must await. */
  highWater?: number;
  /**
   * Queue depth under which that promise resolves (default half the high-water mark): the feed
   * goes on while Redis still has entries to take, instead of both waiting for each other.
   */
  resumeAt?: number;
  /** The feed waited `ms` for the queue to drain (Redis took the entries slower than they came). */
  onWait?: (ms: number) => void;
}

/**
 * Writes clean ticks to the tick stream of their symbol's shard and fans watermarks out to
 * every shard, so each bar-builder shard sees the gateway's event clock.
 */
export class TickWriter {
  private readonly streams: string[];
  private readonly shardBySymbol = new Map<string, string>();
  private readonly highWater: number;
  private readonly resumeAt: number;
  /** Watermarks go ahead of newer queued ticks (live feeds only). */
  private readonly ahead: boolean;

  constructor(private readonly opts: TickWriterOptions) {
    const names = streamNames(opts.namespace);
    this.streams = Array.from({ length: opts.shardCount }, (_, shard) => names.ticks(shard));
    this.highWater = opts.highWater ?? 20_000;
    this.resumeAt = opts.resumeAt ?? Math.ceil(this.highWater / 2);
    if (!(
      Number.isInteger(this.resumeAt) &&
      this.resumeAt >= 1 &&
      this.resumeAt <= this.highWater
    )) {
      // A feed told to wait for a depth the queue never goes under would wait for good.
      throw new RangeError(
        `TickWriter: resumeAt must be an integer in [1, highWater ${this.highWater}], got ${this.resumeAt}`,
      );
    }
    this.ahead = opts.source !== 'replay';
  }

  /** Queues a tick; the returned promise (when any) is backpressure. */
  tick(tick: CleanTick): void | Promise<void> {
    const { symbol, ts, bid, ask, recv_ts } = tick;
    this.opts.producer.add(
      this.streamOf(symbol),
      encodeTickEntry({ symbol, ts, bid, ask, recv_ts, source: this.opts.source }),
      { eventTime: ts },
    );
    return this.backpressure();
  }

  /**
   * Queues a watermark on every shard's tick stream and starts writing at once (no linger): the
   * one that closes a minute releases its final bars. A live feed's watermark also goes ahead of
   * the queued ticks it does not need before it (event time at or after it: they belong to
   * minutes it leaves open), so it waits only for the write under way, not for the last pulse's
   * ticks behind it. A replay keeps the recording's order, so its bars are the same at any speed.
   */
  watermark(ts: number, feed: 'alive' | 'dead'): void | Promise<void> {
    const fields = encodeStreamEntry('watermark', { ts, feed, source: this.opts.source });
    for (const stream of this.streams) {
      if (this.ahead) this.opts.producer.addAhead(stream, fields, ts);
      else this.opts.producer.add(stream, fields);
    }
    void this.opts.producer.flush();
    return this.backpressure();
  }

  /** Queues a `feed_gap` (the feed was not observed in `[from, to)`) on every shard. */
  unobserved(from: number, to: number): void | Promise<void> {
    const fields = encodeStreamEntry('feed_gap', { from, to, source: this.opts.source });
    for (const stream of this.streams) this.opts.producer.add(stream, fields);
    return this.backpressure();
  }

  private streamOf(symbol: string): string {
    let stream = this.shardBySymbol.get(symbol);
    if (!stream) {
      stream = this.streams[shardOf(symbol, this.opts.shardCount)]!;
      this.shardBySymbol.set(symbol, stream);
    }
    return stream;
  }

  private backpressure(): void | Promise<void> {
    if (this.opts.producer.depth < this.highWater) return undefined;
    const started = performance.now();
    return this.opts.producer
      .below(this.resumeAt)
      .then(() => this.opts.onWait?.(performance.now() - started));
  }
}
