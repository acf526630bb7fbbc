import { ReplyError, type Redis } from 'ioredis';
import { reconnectDelay, slotGroups, type ReconnectPolicy } from './client';
import { interruptibleSleep } from './sleep';
import { streamAppendArgs, withStreamAppend, type RedisWithStreamAppend } from './stream-append';

/** Options of {@link StreamProducer}. */
export interface StreamProducerOptions {
  redis: Redis;
  /** Approximate retention per stream (`XADD … MAXLEN ~ n`). */
  maxLen: number | ((stream: string) => number);
  /** Entries written per round trip, one script call (default 512). */
  batchSize?: number;
  /** How long an entry may wait for companions before a flush, ms (default 2). */
  lingerMs?: number;
  /**
   * Queue length beyond which droppable entries (previews) are dropped instead of queued.
   * Non-droppable entries (final bars, ticks) are always kept.
   */
  maxQueue?: number;
  /** Backoff while Redis rejects writes (default 100 ms doubling to 5 s). */
  retry?: ReconnectPolicy;
  /** A write failed; it is retried. */
  onError?: (err: unknown) => void;
  /** A droppable entry was dropped under backpressure. */
  onDrop?: (stream: string) => void;
}

interface Queued {
  stream: string;
  fields: string[];
  droppable: boolean;
  /** The entry's event time, when it has one: what {@link StreamProducer.addAhead} may pass. */
  eventTime?: number;
}

/** A caller of {@link StreamProducer.below} waiting for the queue to shrink. */
interface DepthWaiter {
  below: number;
  resolve: () => void;
}

/**
 * Batching XADD writer. Entries are written in the order they were added (but for those queued
 * with {@link StreamProducer.addAhead}), in batches of `batchSize` (one script call each, see
 * `stream-append.ts`); a failed batch is retried with backoff and never reordered or lost (unless
 * droppable and the queue is over `maxQueue`).
 */
export class StreamProducer {
  private queue: Queued[] = [];
  /** Entries at the head of the queue in the write under way (they leave it once written). */
  private inFlight = 0;
  /** The next write ends before this index (an entry queued ahead goes out in a short write). */
  private cutAt = 0;
  /** The write loop while it runs: it writes until the queue is empty. */
  private flushing: Promise<void> | undefined;
  private waiters: DepthWaiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly sleeper = interruptibleSleep();
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly maxQueue: number;
  private readonly retry: ReconnectPolicy;
  private readonly redis: RedisWithStreamAppend;
  private readonly maxLenOf: (stream: string) => number;

  constructor(private readonly opts: StreamProducerOptions) {
    this.redis = withStreamAppend(opts.redis);
    const { maxLen } = opts;
    this.maxLenOf = typeof maxLen === 'function' ? maxLen : () => maxLen;
    this.batchSize = opts.batchSize ?? 512;
    this.lingerMs = opts.lingerMs ?? 2;
    this.maxQueue = opts.maxQueue ?? 100_000;
    this.retry = opts.retry ?? { baseMs: 100, maxMs: 5_000, jitter: 0.2 };
  }

  /** Entries waiting to be written. */
  get depth(): number {
    return this.queue.length;
  }

  /**
   * Queues one entry. Returns false when a droppable entry was dropped under backpressure.
   * `eventTime` lets an entry queued later with {@link addAhead} go out before this one.
   */
  add(
    stream: string,
    fields: string[],
    options: { droppable?: boolean; eventTime?: number } = {},
  ): boolean {
    this.refuseIfClosed(stream);
    const droppable = options.droppable ?? false;
    if (droppable && this.queue.length >= this.maxQueue) {
      this.opts.onDrop?.(stream);
      return false;
    }
    this.queue.push({ stream, fields, droppable, eventTime: options.eventTime });
    if (this.queue.length >= this.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.lingerMs);
    return true;
  }

  /**
   * Queues one entry ahead of the waiting entries of its stream that have an event time at or
   * after `passes`; the next write ends with it (call {@link flush} to start that write at once,
   * after queueing every such entry it should carry). It never passes the write under way, an
   * entry of its stream without an event time, or one with an earlier event time, so what a
   * reader of the stream may infer from order still holds (a watermark at `passes` promises
   * that no later entry is older).
   */
  addAhead(stream: string, fields: string[], passes: number): void {
    this.refuseIfClosed(stream);
    let at = this.queue.length;
    while (at > this.inFlight) {
      const before = this.queue[at - 1]!;
      if (
        before.stream === stream &&
        (before.eventTime === undefined || before.eventTime < passes)
      ) {
        break;
      }
      at -= 1;
    }
    this.queue.splice(at, 0, { stream, fields, droppable: false });
    this.cutAt = Math.max(this.cutAt + (at < this.cutAt ? 1 : 0), at + 1);
    this.timer ??= setTimeout(() => this.kick(), this.lingerMs);
  }

  private refuseIfClosed(stream: string): void {
    if (this.closed) throw new Error(`StreamProducer is closed (add to ${stream})`);
  }

  /** Resolves when every entry queued before the call has been written. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  /**
   * Resolves once fewer than `depth` entries wait (at once if they already do, or the queue was
   * abandoned): backpressure that lets a feed go on while the rest is written, where
   * {@link flush} would leave Redis idle until the feed had queued a batch again.
   */
  below(depth: number): Promise<void> {
    if (this.queue.length < depth) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below: depth, resolve }));
  }

  /**
   * Starts the write loop unless it runs (one caller, however many entries come meanwhile: the
   * loop takes them all). Entries queued as it ends start it again.
   */
  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.writeAll().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  /** Wakes the {@link below} callers the queue has shrunk under. */
  private wake(): void {
    if (this.waiters.length === 0) return;
    const depth = this.queue.length;
    const still: DepthWaiter[] = [];
    for (const waiter of this.waiters) {
      if (depth < waiter.below) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  /** Writes what is queued and refuses new entries. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Stops retrying a failing write (entries still queued are abandoned). For shutdown deadlines. */
  abort(): void {
    this.closed = true;
    this.sleeper.interrupt();
    this.queue = [];
    this.cutAt = 0;
    this.wake();
  }

  private async writeAll(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0) {
      const size = this.cutAt > 0 ? Math.min(this.cutAt, this.batchSize) : this.batchSize;
      const batch = this.queue.slice(0, size);
      this.inFlight = batch.length;
      try {
        const { written, error } = await this.write(batch);
        this.inFlight = 0;
        // Only what was written leaves the queue; the rest keeps its order for the retry
        // (an empty queue here was abandoned by abort()). Spliced in place: a copy of the whole
        // queue per batch costs more than the write itself under a flood.
        if (this.queue.length > 0) {
          if (written.size === batch.length) this.queue.splice(0, batch.length);
          else this.queue.splice(0, batch.length, ...batch.filter((entry) => !written.has(entry)));
          this.cutAt = Math.max(0, this.cutAt - written.size);
        }
        this.wake();
        if (error) throw error;
        failures = 0;
      } catch (err) {
        this.inFlight = 0;
        this.opts.onError?.(err);
        failures += 1;
        await this.sleeper.sleep(reconnectDelay(failures, this.retry));
      }
    }
  }

  /**
   * Writes a batch, one script call per slot on a Redis Cluster (a single call otherwise). In
   * each call the entries before the first failure are written (Redis runs them in order); the
   * others are retried, so a stream's entries never overtake each other.
   */
  private async write(batch: Queued[]): Promise<{ written: Set<Queued>; error?: unknown }> {
    const written = new Set<Queued>();
    let error: unknown;
    const groups = slotGroups(this.opts.redis, batch, (entry) => entry.stream);
    await Promise.all(
      groups.map(async (group) => {
        try {
          const [count, failure] = await this.redis.streamAppend(
            streamAppendArgs(group, this.maxLenOf),
          );
          for (const entry of group.slice(0, count)) written.add(entry);
          if (failure !== undefined) error ??= new ReplyError(failure);
        } catch (err) {
          error ??= err;
        }
      }),
    );
    return { written, error };
  }
}
