import { errorCodeOf, historyJobPriority, normalizeSymbol } from '@fxcm/contracts';
import type { RateLimitedLog } from '@fxcm/logging';
import type { Metrics } from '@fxcm/metrics';
import { interruptibleSleep, StreamProducer } from '@fxcm/redis-streams';
import type { StatusReporter } from '@fxcm/service-runtime';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CandleSource } from './candle-source';
import { HistoryBackoff, V1_HISTORY_BACKOFF, type BackoffSettings } from './history-backoff';
import { HistoryQuota, V1_HISTORY_QUOTA, type HistoryQuotaSettings } from './history-quota';
import { HistoryJobError } from './history-runner';
import { HISTORY_QUEUE, queuePrefix } from '@fxcm/contracts';
import { startHistoryWorker } from './history-worker';
import { HistoryWriter } from './history-writer';

/** Options of {@link createHistoryService}. */
export interface HistoryServiceOptions {
  /** Opens the service's Redis connections (named, errors reported). */
  connect: (role: string, options?: { blocking?: boolean }) => Redis;
  instance: string;
  namespace: string;
  shardCount: number;
  maxLen: number;
  source: CandleSource;
  budget: { maxRequests: number; maxMs: number };
  /** The V1 history quota every FXCM history call goes through (default: V1's). */
  quota?: HistoryQuotaSettings;
  /** The V1 `history_backoff` after transient FXCM errors (default: V1's). */
  backoff?: BackoffSettings;
  metrics: Metrics;
  status: StatusReporter;
  log: RateLimitedLog;
}

/** Wait after the last minute of a gap ends before asking history for it (ms). */
const BACKFILL_SETTLE_MS = 5_000;

/** The gateway's history side: the BullMQ worker and the gap backfill requests it enqueues. */
export interface HistoryService {
  /** Enqueues the missing minutes of every symbol (job id deduplicates repeats). */
  backfill(symbols: readonly string[], fromMs: number, toMs: number): void;
  /**
   * The status detail of the history side at `now`: `history` (the V1 heartbeat
   * `context.history`: quota windows, throttle state, skips, `active_warmups` = jobs queued or
   * running) and `history_backoff` (V1 `context.diag.backoff.fxcm_history`).
   */
  detail(now: number): Record<string, unknown>;
  close(): Promise<void>;
}

/** How often the queue's job counts are read for the status, ms. */
const COUNTS_EVERY_MS = 1_000;

/**
 * The seed's history metrics, registered whether or not the provider serves history (a replay
 * does not), so dashboards and alerts always find them.
 */
export function historyMetrics(metrics: Metrics) {
  return {
    notReady: metrics.counter(
      'fxcm_pricehistory_not_ready_total',
      'FXCM answered "PriceHistoryCommunicator is not ready" to a history request',
    ),
    retries: metrics.counter(
      'fxcm_gateway_history_retries_total',
      'Transient history errors retried, by code',
      ['code'],
    ),
    active: metrics.gauge(
      'fxcm_history_jobs_active',
      'History jobs (warmup, backfill, gap repair) running now',
    ),
  };
}

/**
 * Runs history jobs off the queue "history" into `{ns}:x:history:{shard}`, and turns the
 * connection machine's gap reports into jobs on the same queue, so backfills share the budget,
 * retries and one-at-a-time pacing of every other history request.
 */
export function createHistoryService(opts: HistoryServiceOptions): HistoryService {
  const conn = (role: string): Redis => opts.connect(role, { blocking: true });
  const writerConn = opts.connect('history');
  const workerConn = conn('history-worker');
  const queueConn = conn('history-queue');
  const sleeper = interruptibleSleep();
  const jobs = opts.metrics.counter(
    'fxcm_gateway_history_jobs_total',
    'History jobs run, by result',
    ['result'],
  );
  const bars = opts.metrics.counter('fxcm_gateway_history_bars_total', 'History bars written');
  const backfills = opts.metrics.counter(
    'fxcm_gateway_backfills_total',
    'Gap backfill jobs enqueued',
  );
  const { notReady, active, retries } = historyMetrics(opts.metrics);
  const quotaSettings = opts.quota ?? V1_HISTORY_QUOTA;
  const quota = new HistoryQuota(quotaSettings);
  const backoff = new HistoryBackoff(opts.backoff ?? V1_HISTORY_BACKOFF);
  const deferred = opts.metrics.counter(
    'fxcm_history_deferred_total',
    'History calls held back by the quota or the backoff, by V1 reason',
    ['reason'],
  );
  const producer = new StreamProducer({
    redis: writerConn,
    maxLen: opts.maxLen,
    onError: (err) => {
      opts.metrics.errors.inc({ type: 'redis' });
      opts.log('history_write', 'warn', 'history stream write failed; retrying', { err });
    },
  });
  const queue = new Queue(HISTORY_QUEUE, {
    connection: queueConn,
    prefix: queuePrefix(opts.namespace),
  });
  // Without a listener BullMQ writes its errors raw to stderr; count them and log them as JSON.
  queue.on('error', (err) => {
    opts.metrics.errors.inc({ type: 'queue' });
    opts.log('history_queue', 'error', 'history queue error', { code: 'QUEUE_ERROR', err });
  });
  const worker = startHistoryWorker({
    connection: workerConn,
    namespace: opts.namespace,
    source: opts.source,
    writer: new HistoryWriter(producer, opts.namespace, opts.shardCount),
    budget: opts.budget,
    sleep: (ms) => sleeper.sleep(ms),
    quota,
    backoff,
    onDeferred: (job, reason, waitMs) => {
      active.dec();
      deferred.inc({ reason });
      opts.log(`history_deferred:${reason}`, 'info', 'history call deferred', {
        job,
        reason,
        wait_ms: waitMs,
      });
    },
    onRetry: (job, err, attempt, delayMs) => {
      const code = errorCodeOf((err as { code?: unknown }).code, 'HISTORY_FETCH_FAILED');
      retries.inc({ code });
      // The storm shows while it lasts: degraded now, the error with its code, cleared once
      // the backoff is over (see detail()).
      opts.status.error(
        code,
        `history backoff ${delayMs} ms after: ${String((err as Error).message)}`,
        {
          severity: 'warning',
        },
      );
      opts.status.degrade('history_backoff');
      if (code === 'FXCM_NOT_READY') {
        notReady.inc();
        opts.metrics.errors.inc({ type: 'pricehistory_not_ready' });
      }
      opts.log(`history_retry:${code}`, 'warn', 'history request failed; retrying', {
        job,
        code,
        attempt,
        delay_ms: delayMs,
      });
    },
  });
  worker.on('active', () => active.inc());
  worker.on('completed', (job, result) => {
    active.dec();
    jobs.inc({ result: 'completed' });
    bars.inc(result.bars);
    opts.log('history_done', 'info', 'history job done', { job: job.id, ...result });
  });
  worker.on('failed', (job, err) => {
    active.dec();
    jobs.inc({ result: 'failed' });
    const code = err instanceof HistoryJobError ? err.code : 'HISTORY_FETCH_FAILED';
    opts.status.error(code, err.message, { severity: 'warning' });
    opts.log(`history_failed:${code}`, 'error', 'history job failed', {
      job: job?.id,
      code,
      error: err.message,
    });
  });
  worker.on('error', (err) => {
    opts.metrics.errors.inc({ type: 'history_worker' });
    opts.log('history_worker', 'error', 'history worker error', { code: 'QUEUE_ERROR', err });
  });

  let queued = 0;
  const readCounts = setInterval(() => {
    queue
      .getJobCounts('active', 'wait', 'prioritized', 'delayed')
      .then((c) => {
        queued = Object.values(c).reduce((a, b) => a + b, 0);
      })
      .catch(() => undefined); // the queue's error listener reports Redis trouble
  }, COUNTS_EVERY_MS);
  readCounts.unref();

  let closing: Promise<void> | undefined;
  return {
    detail(now) {
      const fxcmHistory = backoff.snapshot(now);
      if (!fxcmHistory.active) opts.status.recover('history_backoff');
      return {
        history: { ...quota.snapshot(now), active_warmups: queued },
        history_backoff: fxcmHistory,
      };
    },
    backfill(symbols, fromMs, toMs) {
      for (const symbol of symbols) {
        const key = normalizeSymbol(symbol);
        backfills.inc();
        queue
          .add(
            'gap',
            { symbol: key, from: fromMs, to: toMs, reason: 'gap_repair' },
            {
              jobId: `gap-${key}-${fromMs}-${toMs}`,
              priority: historyJobPriority(quotaSettings.priorityTargets, key, '1m'),
              // FXCM returns the current minute unfinished: ask once the last one is over.
              delay: Math.max(0, toMs + BACKFILL_SETTLE_MS - Date.now()),
              attempts: 5,
              backoff: { type: 'exponential', delay: 30_000 },
            },
          )
          .catch((err: unknown) =>
            opts.log('backfill_enqueue', 'error', 'cannot enqueue backfill', { err }),
          );
      }
      opts.log('backfill', 'info', 'gap backfill requested', { symbols, from: fromMs, to: toMs });
    },
    close() {
      closing ??= (async () => {
        clearInterval(readCounts);
        sleeper.interrupt();
        await worker.close();
        await queue.close();
        await producer.close();
        await Promise.all([workerConn.quit(), queueConn.quit(), writerConn.quit()]);
      })();
      return closing;
    },
  };
}
