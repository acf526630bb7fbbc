import {
  normalizeSymbol,
  validatorFor,
  describeErrors,
  type HistoryJob,
  type HistoryJobProgress,
} from '@fxcm/contracts';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { CandleSource } from './candle-source';
import {
  HistoryJobError,
  runHistoryJob,
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
}

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
  return new Worker<HistoryJob, HistoryJobProgress>(
    HISTORY_QUEUE,
    async (job: Job<HistoryJob, HistoryJobProgress>) => {
      const id = job.id ?? 'unknown';
      const data = historyJobOf(job.data, id);
      const resume = isProgress(job.progress) ? job.progress : undefined;
      const symbol = normalizeSymbol(data.symbol);
      const done = await runHistoryJob({
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
      });
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
      autorun: true,
    },
  );
}
