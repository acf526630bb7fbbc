import type { StreamTarget, Timeframe } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { ServiceStatusRecord } from '@fxcm/service-runtime';
import type { ActiveUniverse } from '../active-universe';
import type { CommandDecision } from '../commands/command-rules';
import type { ControlBus } from '../control-bus';
import {
  coverageFromRecords,
  decideStartWarmup,
  targetKey,
  type StartWarmupDecision,
} from './start-warmup-plan';

/** How a target ended: warmed (history job and republish requested), or why not. */
export type StartWarmupResult = 'warmed' | 'skipped' | 'unanswered' | 'failed';
const RESULTS: readonly StartWarmupResult[] = ['warmed', 'skipped', 'unanswered', 'failed'];

/** The status snapshot's `warmup_on_start` block. */
export interface StartWarmupBlock {
  state: 'waiting' | 'done';
  req_id: string;
  bars: number;
  started_ts: number;
  finished_ts: number | null;
  /** Per target `SYMBOL:tf`: stored and wanted bars of the span, and the result. */
  targets: Record<string, { stored: number | null; wanted: number | null; result: string }>;
}

/** Options of {@link StartWarmup}. */
export interface StartWarmupOptions {
  control: ControlBus;
  universe: ActiveUniverse;
  /** N = `cache.warmup_bars`. */
  bars: number;
  /** The span of a warmup of `bars` bars (the fxcm_warmup window). */
  window: (
    symbol: string,
    tf: Timeframe,
    bars: number,
    now: number,
  ) => { from: number; to: number };
  /** The live status records (the bar builders answer in theirs). */
  records: () => readonly ServiceStatusRecord[];
  /** Runs the fxcm_warmup path for one target. */
  warm: (symbol: string, tf: Timeframe, bars: number) => Promise<CommandDecision>;
  logger: Logger;
  metrics: Metrics;
  /** The question is sent again this often until every target is answered, ms. */
  resendMs?: number;
  /** Targets still unanswered this long after start are left alone, ms. */
  giveUpMs?: number;
  now?: () => number;
}

const POLL_MS = 250;

/**
 * The warmup on start. Asks the bar builders (which own the store) how many bars of each
 * active target they hold within the span of the last N bars (`store_coverage` on
 * `{ns}:x:control`, sent again until every target is answered: a bar builder that is still
 * restoring reads control only once its store is open), then runs an `fxcm_warmup` for every
 * target below N and skips the others. One log line per target, a counter per result, and the
 * snapshot's `warmup_on_start` block.
 */
export class StartWarmup {
  private block: StartWarmupBlock | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly results;

  constructor(private readonly opts: StartWarmupOptions) {
    this.results = opts.metrics.counter(
      'fxcm_warmup_on_start_targets_total',
      'Targets the warmup on start warmed (store coverage below cache.warmup_bars) or left, by result',
      ['result'],
    );
    for (const result of RESULTS) this.results.inc({ result }, 0);
  }

  start(): void {
    this.running ??= this.run().catch((err: unknown) => {
      this.opts.metrics.errors.inc({ type: 'redis' });
      this.opts.logger.warn('the warmup on start failed', { err });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** The `warmup_on_start` block, once the run began. */
  snapshot(): StartWarmupBlock | undefined {
    return this.block;
  }

  private async run(): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    const reqId = `warmup_on_start:${now}`;
    const targets = [...this.opts.universe.active()];
    const asks = targets.map((t) => ({
      ...t,
      ...this.opts.window(t.symbol, t.tf, this.opts.bars, now),
    }));
    this.block = {
      state: 'waiting',
      req_id: reqId,
      bars: this.opts.bars,
      started_ts: now,
      finished_ts: null,
      targets: {},
    };
    const coverage = await this.ask(reqId, asks, now);
    if (this.stopped) return;
    const decisions = decideStartWarmup(targets, this.opts.bars, coverage);
    for (const decision of decisions) {
      if (this.stopped) return;
      const result = await this.apply(decision);
      this.results.inc({ result });
      this.block.targets[targetKey(decision)] = {
        stored: decision.stored,
        wanted: decision.wanted,
        result,
      };
    }
    this.block = { ...this.block, state: 'done', finished_ts: (this.opts.now ?? Date.now)() };
  }

  /** Sends the question until every target is answered or the wait is over. */
  private async ask(
    reqId: string,
    asks: readonly (StreamTarget & { from: number; to: number })[],
    startedAt: number,
  ): Promise<Map<string, { stored: number; expected: number }>> {
    const resendMs = this.opts.resendMs ?? 5_000;
    const deadline = startedAt + (this.opts.giveUpMs ?? 300_000);
    let sentAt = -Infinity;
    for (;;) {
      const coverage = coverageFromRecords(this.opts.records(), reqId);
      const now = (this.opts.now ?? Date.now)();
      if (this.stopped || asks.every((a) => coverage.has(targetKey(a))) || now > deadline) {
        return coverage;
      }
      if (now - sentAt >= resendMs) {
        sentAt = now;
        await this.opts.control
          .send('store_coverage', 'bar-builder', { targets: asks }, reqId, now)
          .catch((err: unknown) => {
            this.opts.metrics.errors.inc({ type: 'redis' });
            this.opts.logger.warn('could not ask the store coverage', { err });
          });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async apply(decision: StartWarmupDecision): Promise<StartWarmupResult> {
    const { symbol, tf, stored, wanted } = decision;
    const facts = { symbol, tf, stored, wanted, bars: this.opts.bars };
    if (decision.action === 'skip') {
      this.opts.logger.info('warmup on start: skipped, the store covers the target', facts);
      return 'skipped';
    }
    if (decision.action === 'unanswered') {
      this.opts.logger.warn('warmup on start: no bar builder reported the target', facts);
      return 'unanswered';
    }
    const outcome = await this.opts.warm(symbol, tf, this.opts.bars);
    if (outcome.result === 'accepted') {
      this.opts.logger.info('warmup on start: warming the target', {
        ...facts,
        req_id: outcome.reqId,
        jobs: outcome.jobs.map(({ job }) => ({ from: job.from, to: job.to })),
      });
      return 'warmed';
    }
    this.opts.logger.warn('warmup on start: the warmup was not run', {
      ...facts,
      code: outcome.code,
      detail: outcome.detail,
    });
    return 'failed';
  }
}
