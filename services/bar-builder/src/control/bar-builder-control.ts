import {
  encodeStreamEntry,
  isTimeframe,
  normalizeSymbol,
  parseStreamTargets,
  type StreamControl,
  type Timeframe,
} from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StreamProducer } from '@fxcm/redis-streams';
import {
  ControlReader,
  controlErrorReporter,
  TargetSet,
  universeOf,
  type StatusReporter,
} from '@fxcm/service-runtime';
import type { Redis } from 'ioredis';
import type { SessionCalendar } from '../domain/session-calendar';
import type { BarStore } from '../store';
import { chunks, minutesToRead, republishBars } from './republish-plan';
import { countCoverage, type CoverageAsk, type CoverageCount } from './store-coverage';
import type { TailGuard, TailGuardArgs } from './tail-guard';

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
  /** True for the symbols of this shard (a `store_coverage` answer covers only those). */
  ownsSymbol: (symbol: string) => boolean;
  /** The targets on the wire at start (`stream.config`), until a `set_universe`. */
  baseTargets: readonly string[];
  /** Runs `tail_guard` instructions (audit, repair, republish of the repaired minutes). */
  tailGuard?: TailGuard;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
}

/** Why a republish or tail_guard instruction was not carried out. */
class RepublishRefused extends Error {}

/**
 * The bar builder's side of `{ns}:x:control`. `republish {symbol, tf, bars}`: when this shard's
 * store holds the symbol, the last `bars` final bars of `tf` (HTF built from the stored 1m
 * bars) go to the bars stream as `bar_batch` entries of at most 5,000 bars, which the publisher
 * sends as `fxcm:ohlcv` messages with `source="history_s3"`. `set_universe` is recorded in the
 * status and becomes {@link universe}, the targets whose previews are written (the builder keeps
 * building every timeframe of every symbol it receives: a 5m target needs the 1m bars). `tail_guard {symbols?, window_hours, end_ms?, repair, republish}`: the
 * {@link TailGuard} audits (and repairs) this shard's symbols in the background.
 * `store_coverage {targets: [{symbol, tf, from, to}]}`: how many bars of each target of this
 * shard the store holds in its span, reported in the status detail `store_coverage` (the
 * scheduler's warmup on start reads it there).
 */
export class BarBuilderControl {
  /** The (symbol, tf) targets on the wire: `stream.config`, then the last `set_universe`. */
  universe: TargetSet;
  private readonly reader: ControlReader;
  private readonly republished;
  private shown: {
    universe?: string[];
    last_republish?: Record<string, unknown>;
    store_coverage?: { req_id: string; ts: number; targets: CoverageCount[] };
  } = {};

  constructor(private readonly opts: BarBuilderControlOptions) {
    this.universe = new TargetSet(parseStreamTargets(opts.baseTargets));
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

  async close(): Promise<void> {
    await this.reader.close();
    await this.opts.tailGuard?.close();
  }

  /** What the status detail shows of the control side: universe, last republish, tail guard. */
  detail(): Record<string, unknown> {
    const tailGuard = this.opts.tailGuard?.detail();
    return { ...this.shown, ...(tailGuard ? { tail_guard: tailGuard } : {}) };
  }

  /** Applies one instruction addressed to the bar builder. */
  async apply(control: StreamControl): Promise<void> {
    if (control.cmd === 'set_universe') {
      this.universe = new TargetSet(universeOf(control));
      const targets = this.universe.targets.map((t) => `${t.symbol}:${t.tf}`);
      this.shown = { ...this.shown, universe: targets };
      return;
    }
    if (control.cmd === 'tail_guard') {
      // In the background: a repair waits for history, other instructions must not.
      void this.opts.tailGuard?.request(tailGuardArgsOf(control), control.req_id);
      return;
    }
    if (control.cmd === 'store_coverage') {
      await this.reportCoverage(control);
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
    this.shown = { ...this.shown, last_republish: summary };
    this.opts.logger.info('republished from the store', summary);
  }

  /** Counts the coverage of this shard's targets; an unopened store answers nothing yet. */
  private async reportCoverage(control: StreamControl): Promise<void> {
    const store = this.opts.store();
    if (!store) return;
    const targets: CoverageCount[] = [];
    for (const ask of coverageAsksOf(control)) {
      if (!this.opts.ownsSymbol(ask.symbol)) continue;
      const minutes = store.symbols().includes(ask.symbol)
        ? await store.read(ask.symbol, '1m', { fromOpenTime: ask.from, toOpenTime: ask.to - 1 })
        : [];
      targets.push(countCoverage(minutes, ask, this.opts.calendarFor(ask.symbol)));
    }
    this.shown = {
      ...this.shown,
      store_coverage: { req_id: control.req_id, ts: Date.now(), targets },
    };
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

/** The arguments of a `tail_guard` instruction; throws (reported, not applied) when unusable. */
export function tailGuardArgsOf(control: StreamControl): TailGuardArgs {
  const a = control.args as Record<string, unknown>;
  const symbols = a.symbols ?? [];
  if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) {
    throw new RepublishRefused('tail_guard: args.symbols must be a list of symbols');
  }
  const hours = a.window_hours;
  if (typeof hours !== 'number' || !(hours > 0) || hours > 24 * 366) {
    throw new RepublishRefused('tail_guard: args.window_hours must be a positive number of hours');
  }
  const end = a.end_ms;
  if (end !== undefined && !(typeof end === 'number' && Number.isSafeInteger(end) && end > 0)) {
    throw new RepublishRefused('tail_guard: args.end_ms must be epoch ms');
  }
  return {
    symbols: symbols.map((s: string) => normalizeSymbol(s)),
    windowHours: hours,
    ...(end !== undefined ? { endMs: end } : {}),
    repair: a.repair === true,
    republish: a.republish !== false,
  };
}

/** Longest span a `store_coverage` target may name (the store's retention is weeks, not more). */
const MAX_COVERAGE_SPAN_MS = 62 * 24 * 3_600_000;

/** The targets of a `store_coverage` instruction; throws (reported, not applied) when unusable. */
export function coverageAsksOf(control: StreamControl): CoverageAsk[] {
  const targets = (control.args as { targets?: unknown }).targets;
  if (!Array.isArray(targets) || targets.length > 1_000) {
    throw new RepublishRefused('store_coverage: args.targets must be a list of targets');
  }
  return targets.map((t: unknown) => {
    const { symbol, tf, from, to } = (t ?? {}) as Record<string, unknown>;
    const span =
      Number.isSafeInteger(from) && Number.isSafeInteger(to)
        ? (to as number) - (from as number)
        : -1;
    if (
      typeof symbol !== 'string' ||
      !isTimeframe(tf) ||
      !(span >= 0 && span <= MAX_COVERAGE_SPAN_MS)
    ) {
      throw new RepublishRefused('store_coverage: a target is {symbol, tf, from, to} (epoch ms)');
    }
    return { symbol: normalizeSymbol(symbol), tf, from: from as number, to: to as number };
  });
}
