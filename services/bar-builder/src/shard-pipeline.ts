import type { PreviewGate } from './preview-gate';
import {
  ContractError,
  decodeStreamEntry,
  encodeStreamEntry,
  type ErrorCode,
} from '@fxcm/contracts';
import { boundedLabel } from '@fxcm/metrics';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import {
  interruptibleSleep,
  type EntryRejection,
  type HandlerContext,
  type StreamEntry,
  type StreamProducer,
} from '@fxcm/redis-streams';
import type { StatusReporter, TargetSet } from '@fxcm/service-runtime';
import {
  isBarEngineError,
  type Bar,
  type BarEngine,
  type BarEvent,
  type PreviewEvent,
} from './domain';
import { minuteOf } from './domain/bar';
import { admitEntry, type InputRole } from './input-admission';
import { applyInput } from './input-application';
import { WarmupRequests, type WarmupNeed } from './warmup-requests';
import { HeldTicks } from './held-ticks';
import { ReleasedAcks } from './release-acks';
import { isStoreError, type BarStore, type StoredBar } from './store';

/** Distinct symbols a shard gives their own metric series (the rest count as `other`). */
const MAX_SYMBOL_SERIES = 64;
/**
 * How long released ticks wait before they are acknowledged: past the moments a minute's finals
 * are published, so acknowledging 300,000 of them does not hold Redis up then.
 */
const RELEASE_ACK_DELAY_MS = 2_000;
/** Released ticks acknowledged per batch handled (or per idle call), one XACK per stream. */
const RELEASE_ACK_CHUNK = 10_000;
/** A watermark this close to the clock is a live feed's (ms): see `storeDelayMs`. */
const LIVE_WITHIN_MS = 5 * 60_000;
/**
 * Bars of one watermark written before the rest are encoded: at a minute's end (a final per
 * symbol) the publisher reads the first ones while the builder encodes the others.
 */
const EARLY_WRITE = 128;

/** Options of {@link ShardPipeline}. */
export interface ShardPipelineOptions {
  engine: BarEngine;
  store: BarStore;
  producer: StreamProducer;
  /** `{ns}:x:bars:{shard}`. */
  barsStream: string;
  /** The shard's input streams and what each carries: `{ticks: '{ns}:x:ticks:{n}', history: …}`. */
  inputs: Readonly<Record<InputRole, string>>;
  /**
   * How far ahead of the wall clock a tick, watermark, history bar or status record may be dated
   * (ms); later ones are rejected `STREAM_ENTRY_FUTURE`. 0 turns the rail off.
   */
  futureToleranceMs: number;
  /** The wall clock (default `Date.now`): the one thing the rail compares entry times with. */
  now?: () => number;
  /**
   * Enqueues a history job for a warm-up span (cold start); without it the held windows wait
   * for history someone else asks for.
   */
  requestHistory?: (need: WarmupNeed) => void;
  /** Where the watermark of the last durable batch is kept (beside the store). */
  checkpoint: { read(): number | undefined; write(watermark: number): void };
  /** Acknowledges entries of the shard's input streams once their effects are durable. */
  ack: (stream: string, ids: string[]) => Promise<unknown>;
  /** Sheds previews while the builder is behind its tick stream (and counts them). */
  previewGate?: PreviewGate;
  /** How long released ticks wait before they are acknowledged, ms (default 2,000). */
  releaseAckDelayMs?: number;
  /**
   * While the feed is live, how long after a batch's finals are on the bars stream their store
   * appends start, ms (default 0: at once, the input waiting for them). The publisher signs and
   * sends those finals in that moment, and a minute's appends (one fdatasync per symbol) would
   * take the cores from it. The input is read meanwhile; the acknowledgements, the checkpoint
   * and the release of the minute's ticks wait for the appends, so a crash loses nothing.
   */
  storeDelayMs?: number;
  /**
   * The (symbol, tf) targets on the wire (`stream.config`, then `set_universe`): previews of
   * anything else would only be read and dropped by the publisher, so they are not written.
   * Unset: every preview is written.
   */
  previewTargets?: () => TargetSet;
  metrics: Metrics;
  status: StatusReporter;
  logger: Logger;
}

/**
 * One shard's path from input entries to durable bars. The delivery rule that makes a crash
 * harmless: an input entry is acknowledged only after everything it contributed to is durable —
 * a tick once its minute's final bar is in the bars stream and the store, a watermark or
 * history bar once the bars it finalised are. After a SIGKILL the consumer replays its pending
 * entries, the engine (restored from the store) rebuilds the open minutes, and bars already
 * emitted are emitted again with identical content, which the publisher's idempotency key drops.
 */
export class ShardPipeline {
  /** Applied ticks of open minutes: a redelivered entry still held is not applied again. */
  private readonly held = new HeldTicks();
  private readonly released: ReleasedAcks;
  private readonly roles = new Map<string, InputRole>();
  private readonly now: () => number;
  /** Minute of the last watermark written to the checkpoint. */
  private checkpointed = -Infinity;
  private lastFinalClose: number | undefined;
  /** The queued store steps (live feed): their last one, or undefined when none is queued. */
  private storing: Promise<void> | undefined;
  /** A store step's failure that was not the store's, for the next batch to rethrow. */
  private storeFailure: unknown;
  /** The wait before a store step; {@link drain} cuts it short. */
  private readonly storeDelay = interruptibleSleep();
  private lastPreviewAt: number | undefined;
  private readonly entries;
  private readonly bars;
  private readonly rejected;
  private readonly future;
  private readonly warmup: WarmupRequests;
  /** Watermark minute and symbol count the warm-up needs were last looked at with. */
  private needsSeenAt = '';
  // The shard's symbols come from the tick stream, not from configuration: cap their series.
  private readonly symbolLabel = boundedLabel({ extra: MAX_SYMBOL_SERIES });
  private readonly partialUnrepaired;

  constructor(private readonly opts: ShardPipelineOptions) {
    const { metrics } = opts;
    this.entries = metrics.tally(
      'fxcm_bar_builder_ticks_total',
      'Ticks by symbol and what became of them',
      ['symbol', 'disposition'],
    );
    this.bars = metrics.counter('fxcm_bar_builder_bars_total', 'Bars emitted, by tf and kind', [
      'tf',
      'kind',
    ]);
    this.rejected = metrics.counter(
      'fxcm_bar_builder_rejected_total',
      'Input entries rejected, by reason',
      ['reason'],
    );
    this.future = metrics.counter(
      'fxcm_bar_builder_future_entries_total',
      'Input entries dated beyond the future tolerance, by entry type',
      ['type'],
    );
    for (const role of ['ticks', 'history'] as const) this.roles.set(opts.inputs[role], role);
    this.now = opts.now ?? Date.now;
    this.released = new ReleasedAcks(opts.releaseAckDelayMs ?? RELEASE_ACK_DELAY_MS);
    const warmups = metrics.counter(
      'fxcm_bar_builder_warmup_requests_total',
      'History jobs enqueued to cover windows begun before the builder started',
    );
    this.partialUnrepaired = metrics.counter(
      'fxcm_bar_builder_partial_unrepaired_total',
      'Minutes seen only in part published from their ticks: no history bar within the wait',
    );
    const request = opts.requestHistory;
    this.warmup = new WarmupRequests((need) => {
      warmups.inc();
      opts.logger.info('warm-up history requested', { ...need });
      request?.(need);
    });
  }

  /** Seeds the engine from the store: recent final 1m bars of every stored symbol. */
  async restore(): Promise<{ symbols: number; bars: number }> {
    const { engine, store } = this.opts;
    let bars = 0;
    const symbols = store.series().filter((s) => s.tf === '1m' && s.lastOpenTime !== undefined);
    for (const { symbol, lastOpenTime } of symbols) {
      const from = engine.restoreStart(symbol, lastOpenTime!);
      const finals = await store.read(symbol, '1m', { fromOpenTime: from });
      const watermark = this.opts.checkpoint.read();
      engine.restore(symbol, finals, watermark === undefined ? {} : { watermark });
      bars += finals.length;
      const last = finals[finals.length - 1];
      if (last) this.lastFinalClose = Math.max(this.lastFinalClose ?? 0, last.close_time);
    }
    return { symbols: symbols.length, bars };
  }

  /**
   * Handles one batch of entries of one input stream (called by the consumer, in order).
   * Rejected entries go to the dead-letter stream (when the consumer gives a context).
   */
  async handle(batch: StreamEntry[], ctx?: HandlerContext): Promise<void> {
    if (this.storeFailure !== undefined) throw this.storeFailure;
    const { engine } = this.opts;
    const rejected: EntryRejection[] = [];
    /** The 1m finals the batch made, by symbol: for the store once they are on the stream. */
    const finals1m = new Map<string, StoredBar[]>();
    let madeBars = false;
    const ackNow: StreamEntry[] = [];
    const ackAfterDurable: StreamEntry[] = [];
    /** A history bar, history range or feed gap was applied: coverage may have moved. */
    let coverageInput = false;
    if (batch.length > 0 && this.roles.get(batch[0]!.stream) === 'ticks') {
      this.opts.previewGate?.observeBatch(batch.length);
    }
    for (const entry of batch) {
      // Redelivered while this process still holds it (a batch retried after a Redis error): the
      // engine already has the tick, and acking it now would release it before its minute is final.
      if (this.held.has(entry.stream, entry.id)) continue;
      let decoded;
      try {
        decoded = decodeStreamEntry(entry.fields);
      } catch (err) {
        if (!(err instanceof ContractError)) throw err;
        rejected.push(this.reject(entry, err.code, err.message));
        continue;
      }
      const refused = admitEntry(
        this.roles.get(entry.stream),
        decoded,
        this.now(),
        this.opts.futureToleranceMs,
      );
      if (refused !== undefined) {
        // Never reaches the engine, so never the checkpoint or the store.
        if (refused.code === 'STREAM_ENTRY_FUTURE') this.future.inc({ type: decoded.type });
        rejected.push(this.reject(entry, refused.code, refused.message));
        continue;
      }
      try {
        const applied = applyInput(engine, decoded);
        if (applied.kind === 'tick') {
          const { symbol, disposition } = applied;
          this.entries.inc(this.symbolLabel(symbol), disposition);
        }
        if (
          applied.kind === 'partial' ||
          (applied.kind === 'events' && decoded.type !== 'watermark')
        )
          coverageInput = true;
        if (applied.kind === 'events') {
          madeBars = this.sendBars(applied.events, finals1m) || madeBars;
          ackAfterDurable.push(entry);
        } else if (applied.kind === 'tick' && applied.disposition !== 'applied') {
          ackNow.push(entry);
        } else {
          // An applied tick, or a feed gap: held until the minutes it touches are final, so a
          // restart reads it again.
          this.held.add(entry.stream, entry.id, applied.minute);
        }
      } catch (err) {
        // Poison input the contract could not see (e.g. a calendar failure for that minute):
        // the engine left its state unchanged; reject the entry and go on.
        if (!isBarEngineError(err)) throw err;
        rejected.push(this.reject(entry, err.code, err.message));
      }
    }
    // Dead letters first: they are acked with it. Without a context (tests), acked plainly.
    if (ctx) await ctx.deadLetter(rejected);
    else ackNow.push(...rejected.map((r) => r.entry));
    const { watermark, symbols } = engine.status();
    const frontier = watermark === null ? -Infinity : minuteOf(watermark);
    const settle = (acks: readonly StreamEntry[]): void => this.settle(watermark, frontier, acks);
    // One store step queued at most: a second batch with bars waits for it, so the input is held
    // back when the store cannot keep up, as without the delay.
    if (madeBars && this.storing) {
      await this.drainQueued();
      if (this.storeFailure !== undefined) throw this.storeFailure;
    }
    // Past the bound above, a batch with bars finds no step queued: the store delay is its own.
    const later = madeBars && this.storesLater(watermark);
    if (later || this.storing) {
      // Input goes on; what waits for the store (acks, checkpoint, released ticks) waits with it.
      if (later) await this.opts.producer.flush();
      this.afterStore(later ? finals1m : undefined, () => settle(ackAfterDurable));
      await this.ackAll(ackNow);
    } else {
      if (madeBars) await this.makeDurable(finals1m);
      await this.ackAll([...ackNow, ...ackAfterDurable]);
      settle([]);
    }
    await this.ackReleased();
    // Warm-up needs move only when a symbol appears, history or a feed gap arrives, or the
    // watermark enters a new minute (windows close, memory moves): looked at then, not after
    // every batch of ticks (a walk over every symbol's windows).
    const seenAt = `${frontier}/${symbols}`;
    if (coverageInput || seenAt !== this.needsSeenAt) {
      this.needsSeenAt = seenAt;
      this.warmup.request(engine.warmupNeeds());
    }
  }

  /**
   * Acknowledges up to {@link RELEASE_ACK_CHUNK} due released ticks: called after every batch
   * and, while the input is idle, on a timer. Throws on Redis failure; the chunk stays queued.
   */
  async ackReleased(): Promise<void> {
    let budget = RELEASE_ACK_CHUNK;
    for (let chunk; budget > 0 && (chunk = this.released.take(this.now(), budget));) {
      try {
        await this.opts.ack(chunk.stream, chunk.ids);
      } catch (err) {
        this.released.putBack(chunk);
        throw err;
      }
      budget -= chunk.ids.length;
    }
  }

  /**
   * Queues the previews of every (symbol, tf) that changed; while the builder is behind its tick
   * stream they are dropped (and counted) instead, and the producer drops them first when its
   * queue is full. Finals never are.
   */
  flushPreviews(now: number): number {
    const targets = this.opts.previewTargets?.();
    // only the targets' previews are built: the others would go nowhere
    const previews: PreviewEvent[] = this.opts.engine.previews(
      targets && ((symbol, tf) => targets.has(symbol, tf)),
    );
    const gate = this.opts.previewGate;
    if (gate?.backlogged) {
      gate.drop('backlog', previews.length);
      return 0;
    }
    for (const p of previews) {
      this.opts.producer.add(this.opts.barsStream, this.barEntry(p.symbol, p.bar), {
        droppable: true,
      });
      this.bars.inc({ tf: p.tf, kind: 'preview' });
    }
    if (previews.length > 0) this.lastPreviewAt = now;
    return previews.length;
  }

  /** What the status record reports about this shard. */
  detail(): Record<string, unknown> {
    const status = this.opts.engine.status();
    return {
      watermark: status.watermark,
      feed: status.feed,
      open_bars: status.openBars,
      held_ticks: this.held.size,
      released_unacked: this.released.size,
      warming: this.warmup.pending(),
      last_final_close: this.lastFinalClose,
      last_preview_at: this.lastPreviewAt,
      input_backlog: this.opts.previewGate?.backlogged ?? false,
      previews_dropped: this.opts.previewGate?.totals(),
      store: this.opts.store.state,
    };
  }

  /**
   * Queues bar events on the bars stream and starts writing them at once: a watermark's finals
   * leave as soon as it has made them (the first {@link EARLY_WRITE} before the others are
   * encoded), while the rest of its batch (ticks of the next minute, up to a read's worth) is
   * applied. The 1m finals are collected for the store. True when there was any event.
   */
  private sendBars(events: readonly BarEvent[], finals1m: Map<string, StoredBar[]>): boolean {
    if (events.length === 0) return false;
    for (const [i, event] of events.entries()) {
      const revision = event.kind === 'revised' ? event.revision : undefined;
      this.opts.producer.add(
        this.opts.barsStream,
        this.barEntry(event.symbol, event.bar, revision),
      );
      this.bars.inc({ tf: event.tf, kind: event.kind });
      if (event.kind === 'final' && event.unrepaired) this.unrepaired(event.symbol, event.bar);
      if (event.kind === 'revised' && event.tf === '1m') this.opts.status.recover(UNREPAIRED);
      if (event.tf === '1m' && event.kind === 'final') {
        const bars = finals1m.get(event.symbol);
        if (bars) bars.push(event.bar);
        else finals1m.set(event.symbol, [event.bar]);
        this.lastFinalClose = Math.max(this.lastFinalClose ?? 0, event.bar.close_time);
      }
      // The first bars of a minute's end go out while the rest are being encoded.
      if (i + 1 === EARLY_WRITE) void this.opts.producer.flush();
    }
    void this.opts.producer.flush();
    return true;
  }

  /**
   * The batch's bars on the stream first (replayable), then its 1m finals in the store (the
   * restore point).
   */
  private async makeDurable(finals1m: ReadonlyMap<string, StoredBar[]>): Promise<void> {
    await this.opts.producer.flush();
    await this.storeAll(finals1m);
  }

  private async storeAll(finals1m: ReadonlyMap<string, StoredBar[]>): Promise<void> {
    // One after another on purpose: side by side is faster but takes every core just as the
    // publisher signs these finals (docs/store.md, "How a write happens").
    for (const [symbol, bars] of finals1m) await this.store(symbol, bars);
  }

  /**
   * What a batch's effects being durable allows: the checkpoint moves to its watermark, and the
   * ticks of the minutes it closed and `acks` (the entries that made its bars, when not
   * acknowledged already) are queued for acknowledgement.
   */
  private settle(watermark: number | null, frontier: number, acks: readonly StreamEntry[]): void {
    if (watermark !== null && frontier > this.checkpointed) {
      this.opts.checkpoint.write(watermark);
      this.checkpointed = frontier;
    }
    const now = this.now();
    if (acks.length > 0) this.released.add(idsByStream(acks), now);
    if (frontier > this.held.oldestMinute()) {
      this.released.add(this.held.releaseBefore(frontier), now);
    }
  }

  /**
   * True when a batch's 1m finals go to the store {@link ShardPipelineOptions.storeDelayMs}
   * after they are on the bars stream instead of at once: while the feed is live (the
   * watermark within {@link LIVE_WITHIN_MS} of the clock). A replay or a catch-up writes them at
   * once and waits for them, so the store holds its input back when it cannot keep up.
   */
  private storesLater(watermark: number | null): boolean {
    const delay = this.opts.storeDelayMs ?? 0;
    return delay > 0 && watermark !== null && this.now() - watermark <= LIVE_WITHIN_MS;
  }

  /**
   * Queues a store step (after the steps already queued): the finals are appended after the
   * store delay, then `settle` runs. Without finals only `settle` is queued, behind the appends
   * of an earlier batch. A failure that is not the store's (a programmer error) is rethrown by
   * the next {@link handle}.
   */
  private afterStore(
    finals1m: ReadonlyMap<string, StoredBar[]> | undefined,
    settle: () => void,
  ): void {
    const step = (this.storing ?? Promise.resolve()).then(async () => {
      if (finals1m) {
        await this.storeDelay.sleep(this.opts.storeDelayMs ?? 0);
        await this.storeAll(finals1m);
      }
      settle();
    });
    const tail = step.then(
      () => {
        if (this.storing === tail) this.storing = undefined;
      },
      (err: unknown) => {
        // not the fault of the batch that finds it: a bug, for the consumer to crash on
        this.storeFailure ??= Object.assign(
          new Error(`a store step failed: ${(err as Error)?.message ?? String(err)}`, {
            cause: err,
          }),
          { failureClass: 'programmer' as const },
        );
        if (this.storing === tail) this.storing = undefined;
      },
    );
    this.storing = tail;
  }

  /**
   * Resolves once every queued store step is done, their delays cut short (before the store is
   * closed). Rethrows a step's failure that was not the store's.
   */
  async drain(): Promise<void> {
    this.storeDelay.interrupt();
    await this.drainQueued();
    if (this.storeFailure !== undefined) throw this.storeFailure;
  }

  private async drainQueued(): Promise<void> {
    while (this.storing) await this.storing;
  }

  private async store(symbol: string, bars: StoredBar[]): Promise<void> {
    if (this.opts.store.state === 'read_only') return;
    try {
      const result = await this.opts.store.append(symbol, '1m', bars);
      for (const c of result.conflicts) {
        this.opts.status.error(
          'STORE_CONFLICT',
          `${symbol} 1m ${c.open_time}: kept the stored bar`,
          { severity: 'warning' },
        );
      }
    } catch (err) {
      if (!isStoreError(err)) throw err;
      // The store turned read-only: bars keep flowing, restarts lose their restore point. Loud.
      this.opts.metrics.errors.inc({ type: 'cache_io' });
      this.opts.status.degrade('cache_read_only');
      this.opts.status.error(err.code, err.message, { severity: 'critical' });
      this.opts.logger.error('final-bar store failed; continuing without it', { err });
    }
  }

  /** The loud fallback: a partial minute published from its ticks, history did not come. */
  private unrepaired(symbol: string, bar: Bar): void {
    this.partialUnrepaired.inc();
    this.opts.status.degrade(UNREPAIRED);
    this.opts.status.error(
      'PARTIAL_MINUTE_UNREPAIRED',
      `${symbol} 1m ${new Date(bar.open_time).toISOString()}: seen only in part, no history bar in time; published from its ticks`,
      { severity: 'warning' },
    );
    this.opts.logger.warn('partial minute published from its ticks', {
      symbol,
      open_time: bar.open_time,
    });
  }

  private barEntry(symbol: string, bar: Bar, revision?: number): string[] {
    return encodeStreamEntry('bar', { symbol, tf: bar.tf, bar, ...(revision ? { revision } : {}) });
  }

  private reject(entry: StreamEntry, reason: ErrorCode, message: string): EntryRejection {
    this.rejected.inc({ reason });
    this.opts.metrics.errors.inc({ type: 'contract' });
    this.opts.status.error(reason, message, { severity: 'warning' });
    this.opts.logger.warn('rejected input entry', {
      id: entry.id,
      stream: entry.stream,
      reason,
      message,
    });
    return { entry, code: reason, message };
  }

  private async ackAll(entries: readonly { stream: string; id: string }[]): Promise<void> {
    for (const [stream, ids] of idsByStream(entries)) await this.opts.ack(stream, ids);
  }
}

/** Entry ids grouped by stream, in their order. */
function idsByStream(entries: readonly { stream: string; id: string }[]): Map<string, string[]> {
  const byStream = new Map<string, string[]>();
  for (const e of entries) {
    const ids = byStream.get(e.stream);
    if (ids) ids.push(e.id);
    else byStream.set(e.stream, [e.id]);
  }
  return byStream;
}

/** Status `degraded[]` flag while a partial minute went out from its ticks and awaits revision. */
const UNREPAIRED = 'partial_minute_unrepaired';
