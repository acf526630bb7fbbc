import { encodeStreamEntry, normalizeSymbol, type HistoryJob } from '@fxcm/contracts';
import type { Logger } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import type { StreamProducer } from '@fxcm/redis-streams';
import type { StatusReporter } from '@fxcm/service-runtime';
import type { BarStore } from '../store';
import { chunks, wireBarOf } from './republish-plan';
import {
  auditTail,
  filledMinutes,
  tailWindow,
  type AuditCalendar,
  type TailAudit,
  type TailHole,
} from './tail-audit';

const MINUTE = 60_000;
/** Holes closer than this are asked as one history job. */
const JOB_MERGE_GAP_MS = 60 * MINUTE;
/** More jobs than this per symbol and run become one job over the whole span. */
const MAX_JOBS_PER_SYMBOL = 24;
/** Holes listed per symbol in the status (all are counted). */
const HOLES_SHOWN = 5;

/** A `tail_guard` control entry's arguments, checked. */
export interface TailGuardArgs {
  /** Symbols to audit; empty = every symbol of this shard's store. */
  symbols: string[];
  windowHours: number;
  /** End of the audited range, epoch ms; default now − 2 min. */
  endMs?: number;
  repair: boolean;
  /** After a repair, publish the filled minutes again from the store (`history_s3`). */
  republish: boolean;
}

/** What {@link TailGuard} works with. */
export interface TailGuardOptions {
  store: () => BarStore | undefined;
  calendarFor: (symbol: string) => AuditCalendar;
  /** Adds a history job (the gateway's queue); resolves when queued. */
  enqueue: (job: HistoryJob, jobId: string) => Promise<void>;
  /** The state of a queued job (`completed`, `failed`, `unknown`, …). */
  jobState: (jobId: string) => Promise<string>;
  producer: StreamProducer;
  barsStream: string;
  /** How long a repair waits for its history jobs, ms. */
  historyWaitMs: number;
  /** After the jobs, how long to wait for their bars to reach the store, ms. */
  settleMs: number;
  /** Longest audited range, ms (the store's retention bounds it anyway). */
  maxSpanMs: number;
  logger: Logger;
  metrics: Metrics;
  status: StatusReporter;
  now?: () => number;
}

/** One symbol's findings, as the status shows them: the range and counts as audited now. */
export interface TailGuardFinding extends Omit<TailAudit, 'holes'> {
  /** Open minutes without a bar the audit found (before any repair). */
  found_missing: number;
  /** The holes the audit found: how many, and the first few. */
  holes_total: number;
  holes: TailHole[];
  /** Minutes a repair filled (0 without repair). */
  repaired: number;
  /** Bars republished from the store after the repair. */
  republished: number;
  /** `ok` nothing missing; `missing` holes found (no repair); `repaired` all filled; `partial` some left. */
  status: 'ok' | 'missing' | 'repaired' | 'partial';
}

/** The `tail_guard` block of the bar builder's status detail. */
export interface TailGuardReport {
  req_id: string;
  last_audit_ts_ms: number;
  window_hours: number;
  repair: boolean;
  state: 'running' | 'done';
  symbols: Record<string, TailGuardFinding>;
}

/** Groups holes into history job spans: near ones together, at most a bounded number. */
export function jobSpans(holes: readonly TailHole[]): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  for (const h of holes) {
    const last = spans[spans.length - 1];
    if (last && h.from - last.to <= JOB_MERGE_GAP_MS) last.to = h.to;
    else spans.push({ from: h.from, to: h.to });
  }
  if (spans.length > MAX_JOBS_PER_SYMBOL)
    return [{ from: spans[0]!.from, to: spans[spans.length - 1]!.to }];
  return spans;
}

/**
 * The bar builder's tail guard: audits the last `window_hours` of final 1m bars of its store
 * against the calendar's open minutes (tail-audit.ts), and with `repair` asks history for the
 * holes through the gateway's history queue, waits for the jobs and for their bars to reach
 * the store, then publishes the filled minutes once more from the store (`bar_batch`,
 * `source="history_s3"`). Findings go to the status detail `tail_guard` and to
 * `fxcm_bar_builder_tail_missing_minutes`. One run at a time; runs queue behind each other.
 */
export class TailGuard {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private report: TailGuardReport | undefined;
  private readonly missingGauge;
  private readonly repairedTotal;

  constructor(private readonly opts: TailGuardOptions) {
    this.missingGauge = opts.metrics.gauge(
      'fxcm_bar_builder_tail_missing_minutes',
      'Open minutes without a final 1m bar in the last tail-guard window, all symbols of the shard',
    );
    this.repairedTotal = opts.metrics.counter(
      'fxcm_bar_builder_tail_repaired_minutes_total',
      'Minutes a tail-guard repair filled from history',
    );
  }

  /** The latest run's report (the status detail `tail_guard`). */
  detail(): TailGuardReport | undefined {
    return this.report;
  }

  /** Queues a run; resolves when it is done (never rejects: failures are reported). */
  request(args: TailGuardArgs, reqId: string): Promise<void> {
    const run = this.chain.then(() => (this.stopped ? undefined : this.run(args, reqId)));
    this.chain = run.catch((err: unknown) => {
      this.opts.metrics.errors.inc({ type: 'control' });
      this.opts.status.error('TAIL_GUARD_FAILED', String((err as Error)?.message ?? err), {
        severity: 'warning',
      });
      this.opts.logger.warn('tail guard failed', { req_id: reqId, err });
    });
    return this.chain;
  }

  /** Stops waiting; resolves once the run in hand is over. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }

  private async run(args: TailGuardArgs, reqId: string): Promise<void> {
    const store = this.opts.store();
    if (!store) return;
    const now = (this.opts.now ?? Date.now)();
    const wanted = args.symbols.map((s) => normalizeSymbol(s));
    const symbols = store
      .symbols()
      .filter((s) => wanted.length === 0 || wanted.includes(s))
      .filter((s) => store.series().some((i) => i.symbol === s && i.tf === '1m'));
    if (symbols.length === 0) return; // another shard's symbols
    const end = args.endMs ?? now - 2 * MINUTE;
    const report: TailGuardReport = {
      req_id: reqId,
      last_audit_ts_ms: now,
      window_hours: args.windowHours,
      repair: args.repair,
      state: 'running',
      symbols: {},
    };
    this.report = report;
    const audits = new Map<string, TailAudit>();
    for (const symbol of symbols) {
      const { from, to } = tailWindow(
        this.opts.calendarFor(symbol),
        end,
        args.windowHours,
        this.opts.maxSpanMs,
      );
      const audit = await this.audit(store, symbol, from, to);
      audits.set(symbol, audit);
      report.symbols[symbol] = finding(audit, audit, 0, 0, audit.missing === 0 ? 'ok' : 'missing');
    }
    if (args.repair) await this.repair(store, audits, args, reqId, report);
    report.state = 'done';
    this.report = { ...report };
    const missing = Object.values(report.symbols).reduce((n, f) => n + f.missing, 0);
    this.missingGauge.set(missing);
    this.opts.logger.info('tail guard', { ...report });
  }

  private async audit(
    store: BarStore,
    symbol: string,
    from: number,
    to: number,
  ): Promise<TailAudit> {
    const stored = await store.read(symbol, '1m', { fromOpenTime: from, toOpenTime: to - 1 });
    return auditTail(stored, this.opts.calendarFor(symbol), from, to);
  }

  private async repair(
    store: BarStore,
    audits: Map<string, TailAudit>,
    args: TailGuardArgs,
    reqId: string,
    report: TailGuardReport,
  ): Promise<void> {
    const runTs = report.last_audit_ts_ms;
    const jobIds: string[] = [];
    for (const [symbol, audit] of audits) {
      for (const span of jobSpans(audit.holes)) {
        const jobId = `tail_guard-${symbol}-${span.from}-${span.to}-${runTs}`;
        await this.opts.enqueue(
          { symbol, tf: '1m', from: span.from, to: span.to, reason: 'tail_guard', req_id: reqId },
          jobId,
        );
        jobIds.push(jobId);
      }
    }
    if (jobIds.length === 0) return;
    await this.waitForJobs(jobIds);
    await this.settle(store, audits);
    for (const [symbol, before] of audits) {
      if (before.holes.length === 0) continue;
      const stored = await store.read(symbol, '1m', {
        fromOpenTime: before.from,
        toOpenTime: before.to - 1,
      });
      const filled = new Set(filledMinutes(before.holes, stored));
      const bars = stored.filter((b) => filled.has(b.open_time)).map(wireBarOf);
      if (args.republish && bars.length > 0) {
        chunks(bars).forEach((part, index) => {
          this.opts.producer.add(
            this.opts.barsStream,
            encodeStreamEntry('bar_batch', {
              symbol,
              tf: '1m',
              source: 'history_s3',
              req_id: reqId,
              part: index,
              bars: part as [(typeof part)[0], ...typeof part],
            }),
          );
        });
        await this.opts.producer.flush();
      }
      this.repairedTotal.inc(filled.size);
      const after = auditTail(stored, this.opts.calendarFor(symbol), before.from, before.to);
      report.symbols[symbol] = finding(
        before,
        after,
        filled.size,
        args.republish ? bars.length : 0,
        after.missing === 0 ? 'repaired' : 'partial',
      );
    }
  }

  private async waitForJobs(ids: string[]): Promise<void> {
    const deadline = Date.now() + this.opts.historyWaitMs;
    for (const id of ids) {
      for (;;) {
        if (this.stopped || Date.now() > deadline) return;
        const state = await this.opts.jobState(id);
        if (state === 'completed' || state === 'failed' || state === 'unknown') break;
        await sleep(250);
      }
    }
  }

  // The jobs are done once their bars are on the history stream; the builder stores them
  // shortly after. Wait until every hole is filled or nothing has changed for two seconds.
  private async settle(store: BarStore, audits: Map<string, TailAudit>): Promise<void> {
    const deadline = Date.now() + this.opts.settleMs;
    let last = -1;
    let stableSince = Date.now();
    while (!this.stopped && Date.now() < deadline) {
      let open = 0;
      for (const [symbol, a] of audits) {
        if (a.holes.length === 0) continue;
        open += (await this.audit(store, symbol, a.from, a.to)).missing;
      }
      if (open === 0) return;
      if (open !== last) {
        last = open;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= 2_000) return;
      await sleep(250);
    }
  }
}

function finding(
  found: TailAudit,
  now: TailAudit,
  repaired: number,
  republished: number,
  status: TailGuardFinding['status'],
): TailGuardFinding {
  return {
    from: now.from,
    to: now.to,
    expected: now.expected,
    present: now.present,
    synthetic: now.synthetic,
    missing: now.missing,
    found_missing: found.missing,
    holes_total: found.holes.length,
    holes: found.holes.slice(0, HOLES_SHOWN),
    repaired,
    republished,
    status,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
