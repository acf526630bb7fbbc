import type { Redis } from 'ioredis';
import { reconnectDelay, type ReconnectPolicy } from './client';
import { interruptibleSleep, type Sleeper } from './sleep';

/** One entry read from a stream: its stream key, id and raw field list. */
export interface StreamEntry {
  stream: string;
  id: string;
  /** Flat `[field, value, field, value, …]` as Redis returns it. */
  fields: string[];
}

/** Why the consumer reports an error; transport failures are retried, never thrown. */
export type ConsumerErrorContext = 'read' | 'handler' | 'ack' | 'claim' | 'group' | 'connection';

/** Options of {@link StreamConsumer}. */
export interface StreamConsumerOptions {
  /** Command connection: group creation, acks, claims. */
  redis: Redis;
  /**
   * Streams read together in one XREADGROUP. On Redis Cluster they must share a slot
   * (the suite's per-shard keys carry the same hash tag).
   */
  streams: string[];
  group: string;
  /** Stable consumer name: a restarted consumer with the same name first replays its own pending entries. */
  consumer: string;
  /**
   * Processes a batch (entries of one stream, in id order). With `autoAck` the batch is acked
   * after the handler resolves; a handler that throws leaves the batch pending, and it is
   * redelivered after a backoff. Poison entries must be rejected inside the handler (count,
   * report, and let them be acked), or they would be retried forever.
   */
  handler: (entries: StreamEntry[]) => Promise<void>;
  /** Ack each batch after the handler resolves (default true). Off: call {@link StreamConsumer.ack}. */
  autoAck?: boolean;
  /** XREADGROUP COUNT (default 256). */
  batchSize?: number;
  /** XREADGROUP BLOCK in ms (default 1000); bounds how long `close()` waits for a read. */
  blockMs?: number;
  /**
   * Reclaim entries left pending by dead consumers of the group (XAUTOCLAIM) once they are idle
   * this long. `false` disables claiming (a single-owner consumer such as a shard's bar builder
   * recovers its own pending entries by name instead).
   */
  claim?: { idleMs: number; everyMs: number } | false;
  /** Group start id when the group is created (default `0`: the whole stream). */
  startId?: string;
  /** Backoff after a failed read or handler (default 100 ms doubling to 5 s). */
  retry?: ReconnectPolicy;
  /** Called for every transport or handler failure (log it and count it). */
  onError?: (err: unknown, context: ConsumerErrorContext) => void;
}

const DEFAULT_RETRY: ReconnectPolicy = { baseMs: 100, maxMs: 5_000, jitter: 0.2 };

type XReadGroupReply = [string, [string, string[]][]][] | null;

/**
 * A consumer-group reader: blocking XREADGROUP on its own connection in a `while (!closing)`
 * loop, own pending entries replayed first, stale entries of dead consumers reclaimed with
 * XAUTOCLAIM, ack after the side effect, and a `close()` that is safe to call twice.
 */
export class StreamConsumer {
  private readonly opts: Required<Omit<StreamConsumerOptions, 'onError' | 'claim'>> &
    Pick<StreamConsumerOptions, 'onError' | 'claim'>;
  private reader: Redis | undefined;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly sleeper: Sleeper = interruptibleSleep();
  private lastClaimAt = 0;
  private stopped = false;
  /** Per stream, where the replay of our own pending entries has got to (`0` = from the start). */
  private pendingCursor = new Map<string, string>();

  constructor(options: StreamConsumerOptions) {
    this.opts = {
      autoAck: true,
      batchSize: 256,
      blockMs: 1_000,
      startId: '0',
      retry: DEFAULT_RETRY,
      ...options,
    };
  }

  /** Creates the group(s) if missing and starts the read loop. */
  async start(): Promise<void> {
    if (this.loop) return;
    for (const stream of this.opts.streams) await this.ensureGroup(stream);
    this.reader = this.opts.redis.duplicate({
      connectionName: `${this.opts.group}:${this.opts.consumer}:reader`,
      maxRetriesPerRequest: null,
    });
    // The reader reconnects on its own; its connection errors are reported, not left unhandled.
    this.reader.on('error', (err: Error) => this.opts.onError?.(err, 'connection'));
    this.loop = this.run();
  }

  /** Acknowledges entries of `stream` (when `autoAck` is off). */
  async ack(stream: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.opts.redis.xack(stream, this.opts.group, ...ids);
  }

  /** Stops reading, waits for the batch in progress, disconnects the reader. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.sleeper.interrupt();
      // Disconnecting aborts a pending BLOCK read; the loop sees `stopped` and exits.
      this.reader?.disconnect();
      await this.loop;
    })();
    return this.closing;
  }

  private async ensureGroup(stream: string): Promise<void> {
    try {
      await this.opts.redis.xgroup(
        'CREATE',
        stream,
        this.opts.group,
        this.opts.startId,
        'MKSTREAM',
      );
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  private async run(): Promise<void> {
    let pending = true; // replay our own pending entries first (after a restart or a failure)
    let failures = 0;
    this.resetPendingCursors();
    while (!this.stopped) {
      try {
        if (this.opts.claim && Date.now() - this.lastClaimAt >= this.opts.claim.everyMs) {
          this.lastClaimAt = Date.now();
          await this.claimStale(this.opts.claim.idleMs);
        }
        const got = pending ? await this.readPending() : await this.readNew();
        if (pending && got === 0) pending = false;
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (String((err as Error).message).startsWith('NOGROUP')) {
          await this.recreateGroups();
        } else {
          this.opts.onError?.(err, 'read');
        }
        failures += 1;
        pending = true;
        this.resetPendingCursors();
        await this.sleeper.sleep(reconnectDelay(failures, this.opts.retry));
      }
    }
  }

  private async recreateGroups(): Promise<void> {
    try {
      for (const stream of this.opts.streams) await this.ensureGroup(stream);
    } catch (err) {
      this.opts.onError?.(err, 'group');
    }
  }

  private resetPendingCursors(): void {
    this.pendingCursor = new Map(this.opts.streams.map((s) => [s, '0']));
  }

  /**
   * Reads and handles the next batch of our own pending entries; returns how many were read
   * (0 once every stream's pending list has been walked). The cursor advances past entries
   * that stay pending on purpose (`autoAck: false`), so they are replayed once, not forever.
   */
  private async readPending(): Promise<number> {
    const streams = [...this.pendingCursor.keys()];
    if (streams.length === 0) return 0;
    const reply = (await this.reader!.xreadgroup(
      'GROUP',
      this.opts.group,
      this.opts.consumer,
      'COUNT',
      this.opts.batchSize,
      'STREAMS',
      ...streams,
      ...streams.map((s) => this.pendingCursor.get(s) ?? '0'),
    )) as XReadGroupReply;
    for (const [stream, rows] of reply ?? []) {
      const last = rows[rows.length - 1];
      if (last) this.pendingCursor.set(stream, last[0]);
      else this.pendingCursor.delete(stream);
    }
    return this.handleReply(reply);
  }

  private async readNew(): Promise<number> {
    const reply = (await this.reader!.xreadgroup(
      'GROUP',
      this.opts.group,
      this.opts.consumer,
      'COUNT',
      this.opts.batchSize,
      'BLOCK',
      this.opts.blockMs,
      'STREAMS',
      ...this.opts.streams,
      ...this.opts.streams.map(() => '>'),
    )) as XReadGroupReply;
    return this.handleReply(reply);
  }

  private async handleReply(reply: XReadGroupReply): Promise<number> {
    let count = 0;
    for (const [stream, rows] of reply ?? []) {
      // A pending entry deleted by MAXLEN comes back with nil fields: ack it away.
      const gone = rows.filter(([, fields]) => fields === null).map(([id]) => id);
      if (gone.length > 0) await this.ack(stream, gone);
      const entries = rows
        .filter(([, fields]) => fields !== null)
        .map(([id, fields]) => ({ stream, id, fields }));
      count += rows.length;
      if (entries.length > 0) await this.process(stream, entries);
    }
    return count;
  }

  private async process(stream: string, entries: StreamEntry[]): Promise<void> {
    try {
      await this.opts.handler(entries);
    } catch (err) {
      this.opts.onError?.(err, 'handler');
      throw err;
    }
    if (this.opts.autoAck) {
      await this.ack(
        stream,
        entries.map((e) => e.id),
      );
    }
  }

  private async claimStale(idleMs: number): Promise<void> {
    for (const stream of this.opts.streams) {
      let cursor = '0-0';
      do {
        const [next, rows, deleted] = (await this.opts.redis.xautoclaim(
          stream,
          this.opts.group,
          this.opts.consumer,
          idleMs,
          cursor,
          'COUNT',
          this.opts.batchSize,
        )) as [string, [string, string[]][], string[]?];
        if (deleted && deleted.length > 0) await this.ack(stream, deleted);
        const entries = rows
          .filter(([, fields]) => fields !== null)
          .map(([id, fields]) => ({ stream, id, fields }));
        if (entries.length > 0) await this.process(stream, entries);
        cursor = next;
      } while (cursor !== '0-0' && !this.stopped);
    }
  }
}
