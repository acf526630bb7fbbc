import {
  normalizeSymbol,
  validatorFor,
  describeErrors,
  type HistoryJob,
  type HistoryJobProgress,
} from '@fxcm/contracts';
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { CandleSource } from './candle-source';
import type { HistoryBackoff } from './history-backoff';
import type { HistoryQuota } from './history-quota';
import {
  HistoryDeferred,
  HistoryJobError,
  runHistoryJob,
  type DeferReason,
  type GateDecision,
  type HistoryBudget,
  type HistoryRetry,
} from './history-runner';
import { HISTORY_QUEUE, queuePrefix } from '@fxcm/contracts';
import type { HistoryWriter } from './history-writer';

/** Options of {@link startHistoryWorker}. */
export interface HistoryWorkerOptions {
  /** A `maxRetriesPerRequest: null` connection (createRedis(url, { blocking: true })). */
  connection: ConnectionOptions;
  namespace: string;
  source: CandleSource;
  writer: HistoryWriter;
  /** Defaults for jobs that carry no budget of their own. */
  budget: HistoryBudget;
  retry?: HistoryRetry;
  sleep: (ms: number) => Promise<void>;
  /** Jobs run one at a time by default: FXCM counts requests per session. */
  concurrency?: number;
  onRetry?: (job: string, err: unknown, attempt: number, delayMs: number) => void;
  /**
   * The V1 history quota every FXCM call asks first (with the shared backoff). A refusal for
   * the whole queue (minute/hour quota, backoff) rate-limits the queue for the wait; one for
   * this job only (min interval, priority reserve) delays the job, so the next one by priority
   * can go. Without a quota every call goes out.
   */
  quota?: HistoryQuota;
  backoff?: HistoryBackoff;
  /** A run deferred by the quota or the backoff (the job is back in the queue). */
  onDeferred?: (job: string, reason: DeferReason, waitMs: number) => void;
}

// Refusals that hold for every job: the queue stops until they pass.
const QUEUE_WIDE: ReadonlySet<DeferReason> = new Set(['minute_quota', 'hour_quota', 'backoff']);

const MINUTE = 60_000;

function isProgress(value: unknown): value is HistoryJobProgress {
  return validatorFor('history-job-progress')(value);
}

/** Parses and checks a job's data; a bad payload fails the job with HISTORY_BAD_JOB. */
export function historyJobOf(data: unknown, id: string): HistoryJob {
  const validate = validatorFor('history-job');
  if (!validate(data)) {
    throw new HistoryJobError('HISTORY_BAD_JOB', `job ${id}: ${describeErrors(validate.errors)}`, {
      next_from: 0,
      bars: 0,
      requests: 0,
      chunks_done: 0,
    });
  }
  return data;
}

/**
 * The gateway's BullMQ worker for history jobs: each job's 1m bars go to the history stream
 * with `source: "history"`; progress is saved after every chunk so a failed job resumes where it
 * stopped on its next attempt (BullMQ `attempts` is the producer's choice).
 */
export function startHistoryWorker(
  opts: HistoryWorkerOptions,
): Worker<HistoryJob, HistoryJobProgress> {
  const { quota, backoff } = opts;
  const worker: Worker<HistoryJob, HistoryJobProgress> = new Worker<HistoryJob, HistoryJobProgress>(
    HISTORY_QUEUE,
    async (job: Job<HistoryJob, HistoryJobProgress>, token?: string) => {
      const id = job.id ?? 'unknown';
      const data = historyJobOf(job.data, id);
      const resume = isProgress(job.progress) ? job.progress : undefined;
      const symbol = normalizeSymbol(data.symbol);
      const tf = data.target_tf ?? '1m';
      const gate = (): GateDecision => {
        const now = Date.now();
        const wait = backoff?.remainingMs(now) ?? 0;
        if (wait > 0) return { allowed: false, reason: 'backoff', waitMs: wait };
        return quota ? quota.request(symbol, tf, now) : { allowed: true };
      };
      let done: HistoryJobProgress;
      try {
        done = await runHistoryJob({
          jobId: id,
          symbol,
          fromMs: data.from,
          toMs: data.to,
          ...(resume ? { resume } : {}),
          source: opts.source,
          write: (bars) => opts.writer.write(bars),
          saveProgress: (p) => job.updateProgress(p),
          budget: {
            maxRequests: data.max_requests ?? opts.budget.maxRequests,
            maxMs: data.max_seconds !== undefined ? data.max_seconds * 1000 : opts.budget.maxMs,
          },
          ...(opts.retry ? { retry: opts.retry } : {}),
          now: Date.now,
          sleep: opts.sleep,
          onRetry: (err, attempt, delay) => opts.onRetry?.(id, err, attempt, delay),
          gate,
          ...(backoff ? { backoff } : {}),
        });
      } catch (err) {
        if (!(err instanceof HistoryDeferred)) throw err;
        opts.onDeferred?.(id, err.reason, err.waitMs);
        if (QUEUE_WIDE.has(err.reason)) {
          // BullMQ's rate limiter: the job goes back to the queue with its priority and no job
          // starts before the wait is over.
          await worker.rateLimit(err.waitMs);
          throw Worker.RateLimitError();
        }
        await job.moveToDelayed(Date.now() + err.waitMs, token);
        throw new DelayedError();
      }
      // Only a whole run says "nothing more for this range": what the bar builder's cold-start
      // warm-up waits for. Same rounding as the run's own range.
      await opts.writer.range({
        symbol,
        from: Math.floor(data.from / MINUTE) * MINUTE,
        to: Math.ceil(data.to / MINUTE) * MINUTE,
        bars: done.bars,
        job_id: id,
      });
      return done;
    },
    {
      connection: opts.connection,
      prefix: queuePrefix(opts.namespace),
      concurrency: opts.concurrency ?? 1,
      // The quota counts the calls and sets the queue's rate limit; a limiter must be declared
      // for BullMQ to honour that limit on every worker of the queue, its own count is not
      // meant to bind (a job start is not a call).
      ...(quota ? { limiter: { max: 1_000_000_000, duration: 60_000 } } : {}),
      autorun: true,
    },
  );
  return worker;
}
