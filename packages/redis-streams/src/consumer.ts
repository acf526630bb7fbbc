import type { Redis } from 'ioredis';
import { duplicateRedis, reconnectDelay, type ReconnectPolicy } from './client';
import type { StreamCode } from './codes';
import { deadLetterFields, deadLetterStreamOf, type DeadLetter } from './dead-letter';
import { classifyFailure, type FailureClass } from './failure-class';
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

/** An entry the handler refuses on sight (it fails its contract): dead-lettered at once. */
export interface EntryRejection {
  entry: StreamEntry;
  /** Registry code of the rejection (e.g. the contract's `STREAM_ENTRY_INVALID`). */
  code: string;
  message: string;
}

/** What a handler may do beyond returning: give up entries as poison. */
export interface HandlerContext {
  /**
   * Moves rejected entries to the dead-letter stream and acknowledges them. Await it before
   * acknowledging anything else of the batch, so a crash cannot lose a rejected entry.
   */
  deadLetter(rejections: readonly EntryRejection[]): Promise<void>;
}

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
   * after the handler resolves; the XACK goes out beside the next read instead of a round trip
   * ahead of it, and is settled before the next batch is handled (a failed one is reported like
   * a failed read, and its entries come back through the pending walk). Entries it refuses on
   * sight go to `context.deadLetter`. When it throws, the failure is classified
   * ({@link FailureClass}): transport → the batch is retried after a backoff; poison → the batch
   * is handled again entry by entry to find the failing entry, which is redelivered until its
   * PEL delivery count reaches `maxDeliveries` and then dead-lettered; programmer → the consumer
   * ends through `onFatal` at once (a single entry that reached `maxDeliveries` is dead-lettered
   * first), and a restarted consumer replays pending entries one at a time once they reached
   * `maxDeliveries`. Handlers must therefore be idempotent per entry (they already are: delivery
   * is at least once).
   */
  handler: (entries: StreamEntry[], context: HandlerContext) => Promise<void>;
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
  /** Called once for every failure, with its class (log it and count it). */
  onError?: (err: unknown, context: ConsumerErrorContext, failureClass: FailureClass) => void;
  /** Deliveries after which a failing entry is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Approximate length of each dead-letter stream (`XADD … MAXLEN ~`, default 10,000). */
  deadLetterMaxLen?: number;
  /** An entry moved to the dead-letter stream (count it and report it in the status). */
  onDeadLetter?: (letter: Omit<DeadLetter, 'dlqId'>) => void;
  /** Failure classification (default {@link classifyFailure}). */
  classify?: (err: unknown) => FailureClass;
  /**
   * A programmer error ended the consumer. Default: rethrown outside any promise, so the
   * process's `uncaughtException` handler logs it and exits for the orchestrator to restart.
   */
  onFatal?: (err: unknown) => void;
}

/** A failure already reported once; the read loop backs off without reporting it again. */
class ReportedFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('stream handler failure (reported)');
  }
}

/** A programmer error: the loop stops and hands it to `onFatal`. */
class FatalFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('stream handler programmer error');
  }
}

const rethrowOutside = (err: unknown): void => {
  setImmediate(() => {
    throw err;
  });
};

/** Entry ids per XACK of {@link StreamConsumer.ack}. */
export const ACK_CHUNK = 10_000;

const DEFAULT_RETRY: ReconnectPolicy = { baseMs: 100, maxMs: 5_000, jitter: 0.2 };

type XReadGroupReply = [string, [string, string[]][]][] | null;

/**
 * A consumer-group reader: blocking XREADGROUP on its own connection in a `while (!closing)`
 * loop, own pending entries replayed first, stale entries of dead consumers reclaimed with
 * XAUTOCLAIM, ack after the side effect, and a `close()` that is safe to call twice.
 */
export class StreamConsumer {
  private readonly opts: Required<
    Omit<StreamConsumerOptions, 'onError' | 'claim' | 'onDeadLetter'>
  > &
    Pick<StreamConsumerOptions, 'onError' | 'claim' | 'onDeadLetter'>;
  private reader: Redis | undefined;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly sleeper: Sleeper = interruptibleSleep();
  private lastClaimAt = 0;
  /** Times the reader's connection closed (each drop may have lost a reply). */
  private readerDrops = 0;
  private stopped = false;
  /** Per stream, where the replay of our own pending entries has got to (`0` = from the start). */
  private pendingCursor = new Map<string, string>();
  /** The auto-ack of the last handled batch, while out: resolves with its error, if any. */
  private ackInFlight: Promise<unknown> | undefined;

  constructor(options: StreamConsumerOptions) {
    this.opts = {
      autoAck: true,
      batchSize: 256,
      blockMs: 1_000,
      startId: '0',
      retry: DEFAULT_RETRY,
      maxDeliveries: 5,
      deadLetterMaxLen: 10_000,
      classify: classifyFailure,
      onFatal: rethrowOutside,
      ...options,
    };
  }

  /** Creates the group(s) if missing and starts the read loop. */
  async start(): Promise<void> {
    if (this.loop) return;
    for (const stream of this.opts.streams) await this.ensureGroup(stream);
    this.reader = duplicateRedis(this.opts.redis, {
      name: `${this.opts.group}:${this.opts.consumer}:reader`,
      blocking: true,
    });
    this.reader.on('close', () => (this.readerDrops += 1));
    // The reader reconnects on its own; its connection errors are reported, not left unhandled.
    this.reader.on('error', (err: Error) => this.opts.onError?.(err, 'connection', 'transport'));
    this.loop = this.run();
  }

  /**
   * Acknowledges entries of `stream` (when `autoAck` is off), {@link ACK_CHUNK} ids per XACK: a
   * minute going final can release hundreds of thousands of held entries, more than one call's
   * arguments can carry.
   */
  async ack(stream: string, ids: readonly string[]): Promise<number> {
    let acked = 0;
    for (let at = 0; at < ids.length; at += ACK_CHUNK)
      acked += await this.opts.redis.xack(
        stream,
        this.opts.group,
        ...ids.slice(at, at + ACK_CHUNK),
      );
    return acked;
  }

  /** Stops reading, waits for the batch in progress, disconnects the reader. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.sleeper.interrupt();
      // Disconnecting aborts a pending BLOCK read; the loop sees `stopped` and exits.
      this.reader?.disconnect();
      await this.loop;
      // The last batch's ack: if it failed, its entries are replayed after a restart.
      const err = await this.takeAck();
      if (err !== undefined) this.opts.onError?.(err, 'read', this.opts.classify(err));
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
        if (got === undefined) {
          pending = true;
          this.resetPendingCursors();
        } else if (pending && got === 0) pending = false;
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof FatalFailure) {
          this.stopped = true;
          this.opts.onFatal(err.cause);
          break;
        }
        if (String((err as Error).message).startsWith('NOGROUP')) {
          await this.recreateGroups();
        } else if (!(err instanceof ReportedFailure)) {
          this.opts.onError?.(err, 'read', this.opts.classify(err));
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
      this.opts.onError?.(err, 'group', this.opts.classify(err));
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
    // An ack still out would let the walk hand back entries already handled.
    await this.settleAck();
    const streams = [...this.pendingCursor.keys()];
    if (streams.length === 0) return 0;
    const suspect = await this.nextPendingIsSuspect(streams);
    const reply = (await this.reader!.xreadgroup(
      'GROUP',
      this.opts.group,
      this.opts.consumer,
      'COUNT',
      suspect ? 1 : this.opts.batchSize,
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

  /**
   * Whether the next own pending entry of any stream was delivered `maxDeliveries` times
   * already (e.g. it crashed the process that often): then pending entries are replayed one at
   * a time, so the failing one is found and dead-lettered instead of crashing a whole batch.
   */
  private async nextPendingIsSuspect(streams: readonly string[]): Promise<boolean> {
    for (const stream of streams) {
      const cursor = this.pendingCursor.get(stream) ?? '0';
      const rows = (await this.opts.redis.xpending(
        stream,
        this.opts.group,
        cursor === '0' ? '-' : `(${cursor}`,
        '+',
        1,
        this.opts.consumer,
      )) as [string, string, number, number][];
      if ((rows[0]?.[3] ?? 0) >= this.opts.maxDeliveries) return true;
    }
    return false;
  }

  /**
   * Reads and handles new entries; returns how many were read, or undefined when the connection
   * dropped while the read was out. Its reply is then left alone for the pending walk: ioredis
   * resends an unanswered command, and Redis may have served the first one before it died,
   * moving the group past entries that now sit in our pending list, unseen, ahead of the ones the
   * resent read returns. The pending walk reads both, in order.
   */
  private async readNew(): Promise<number | undefined> {
    const drops = this.readerDrops;
    const read = this.reader!.xreadgroup(
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
    ) as Promise<XReadGroupReply>;
    // Its failure is taken below, once the ack in flight is settled (not unhandled meanwhile).
    read.catch(() => undefined);
    const ackError = await this.takeAck();
    const reply = await read;
    // Entries this read delivered are in our pending list: the walk after the failure has them.
    if (ackError !== undefined) throw ackError;
    if (this.readerDrops !== drops) return undefined;
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
    const failure = await this.attempt(stream, entries);
    if (failure === undefined) return;
    const failureClass = this.opts.classify(failure.err);
    // A bug leaves the handler's state unknown: no more handling in this process. After the
    // restart the pending replay goes one entry at a time once the entries look suspect.
    if (failureClass === 'transport' || failureClass === 'programmer' || entries.length === 1) {
      return this.settle(stream, entries[0]!, failure.err, failureClass, entries.length === 1);
    }
    // Poison somewhere in the batch: find the entry by handling them one at a time, in order;
    // the first one that fails on its own stops the batch (order is kept).
    for (const entry of entries) {
      const alone = await this.attempt(stream, [entry]);
      if (alone) await this.settle(stream, entry, alone.err, this.opts.classify(alone.err), true);
    }
  }

  /**
   * Runs the handler and sends its auto-ack (settled before the next batch); returns the
   * handler's failure instead of throwing it.
   */
  private async attempt(
    stream: string,
    entries: StreamEntry[],
  ): Promise<{ err: unknown } | undefined> {
    await this.settleAck();
    try {
      await this.opts.handler(entries, {
        deadLetter: (rejections) => this.deadLetterRejections(stream, rejections),
      });
    } catch (err) {
      return { err };
    }
    if (this.opts.autoAck) {
      this.ackInFlight = this.ack(
        stream,
        entries.map((e) => e.id),
      ).then(
        () => undefined,
        (err: unknown) => err,
      );
    }
    return undefined;
  }

  /** Waits for the auto-ack in flight, if any; resolves with its error (undefined when none). */
  private async takeAck(): Promise<unknown> {
    const out = this.ackInFlight;
    this.ackInFlight = undefined;
    return out === undefined ? undefined : await out;
  }

  /** Waits for the auto-ack in flight, if any; throws its error. */
  private async settleAck(): Promise<void> {
    const err = await this.takeAck();
    if (err !== undefined) throw err;
  }

  /**
   * Reports a failure once and decides: a transport failure is retried; an entry that failed
   * on its own is dead-lettered once its delivery count reached `maxDeliveries`, else retried;
   * a programmer error then ends the consumer. Throws to hand the backoff to the read loop.
   */
  private async settle(
    stream: string,
    entry: StreamEntry,
    err: unknown,
    failureClass: FailureClass,
    isolated: boolean,
  ): Promise<void> {
    this.opts.onError?.(err, 'handler', failureClass);
    if (failureClass !== 'transport' && isolated) {
      const deliveries = await this.deliveries(stream, entry.id);
      if (deliveries >= this.opts.maxDeliveries) {
        const code: StreamCode =
          failureClass === 'programmer' ? 'STREAM_HANDLER_BUG' : 'STREAM_HANDLER_FAILED';
        await this.writeDeadLetters(stream, [
          { entry, failureClass, code, error: messageOf(err), deliveries },
        ]);
        if (failureClass === 'poison') return;
      }
    }
    if (failureClass === 'programmer') throw new FatalFailure(err);
    throw new ReportedFailure(err);
  }

  /** The PEL delivery counter of one entry (0 if it is no longer pending). */
  private async deliveries(stream: string, id: string): Promise<number> {
    const rows = (await this.opts.redis.xpending(stream, this.opts.group, id, id, 1)) as [
      string,
      string,
      number,
      number,
    ][];
    return rows[0]?.[3] ?? 0;
  }

  private deadLetterRejections(stream: string, rejections: readonly EntryRejection[]) {
    return this.writeDeadLetters(
      stream,
      rejections.map(({ entry, code, message }) => ({
        entry,
        failureClass: 'poison' as const,
        code,
        error: message,
        deliveries: 0,
      })),
    );
  }

  /** Appends to the dead-letter stream, then acks: a crash in between repeats, never loses. */
  private async writeDeadLetters(
    stream: string,
    items: readonly {
      entry: StreamEntry;
      failureClass: FailureClass;
      code: string;
      error: string;
      deliveries: number;
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const dlq = deadLetterStreamOf(stream);
    const letters = items.map((item) => ({
      stream,
      id: item.entry.id,
      group: this.opts.group,
      consumer: this.opts.consumer,
      deliveries: item.deliveries,
      class: item.failureClass,
      code: item.code,
      error: item.error,
      failedAt: Date.now(),
      fields: item.entry.fields,
    }));
    const pipeline = this.opts.redis.pipeline();
    for (const letter of letters) {
      pipeline.xadd(
        dlq,
        'MAXLEN',
        '~',
        this.opts.deadLetterMaxLen,
        '*',
        ...deadLetterFields(letter),
      );
    }
    for (const [failed] of (await pipeline.exec()) ?? []) if (failed) throw failed;
    await this.ack(
      stream,
      letters.map((l) => l.id),
    );
    for (const letter of letters) this.opts.onDeadLetter?.(letter);
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

function messageOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
