import type { HistoryJobProgress, StreamHistoryBar } from '@fxcm/contracts';
import { chunkRange, toHistoryBar } from '../providers/fxcm-rest/candles';
import type { CandleSource } from './candle-source';
import type { HistoryBackoff } from './history-backoff';

/** Why a history run stopped early. Progress is kept either way, so a retry resumes. */
export type HistoryErrorCode =
  'HISTORY_BUDGET_EXHAUSTED' | 'HISTORY_FETCH_FAILED' | 'HISTORY_BAD_JOB';

/** A failed history run: `progress` says how far it got (already saved). */
export class HistoryJobError extends Error {
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
    readonly progress: HistoryJobProgress,
  ) {
    super(message);
    this.name = 'HistoryJobError';
  }
}

/** Why a call may not go out now (the quota's V1 reasons, or the shared history backoff). */
export type DeferReason =
  'minute_quota' | 'hour_quota' | 'min_interval' | 'priority_reserve' | 'backoff';

/** The quota's answer for the next call. */
export type GateDecision =
  { allowed: true } | { allowed: false; reason: DeferReason; waitMs: number };

/**
 * A run stopped before a call its gate refused: not a failure. `progress` is saved; the job
 * goes back to the queue (BullMQ rate limit or delay) and resumes at `next_from`.
 */
export class HistoryDeferred extends Error {
  constructor(
    readonly reason: DeferReason,
    readonly waitMs: number,
    readonly progress: HistoryJobProgress,
  ) {
    super(`history call deferred ${waitMs} ms: ${reason}`);
    this.name = 'HistoryDeferred';
  }
}

/** Per-run limits (a run is one BullMQ attempt). */
export interface HistoryBudget {
  /** FXCM requests, retries included. */
  maxRequests: number;
  /** Wall time, ms. */
  maxMs: number;
}

/** Retry of transient errors inside a run: capped exponential with jitter. */
export interface HistoryRetry {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

/** After V1's history backoff: 6 s doubling to 120 s, ±30 %. */
export const DEFAULT_HISTORY_RETRY: HistoryRetry = { baseMs: 6_000, maxMs: 120_000, jitter: 0.3 };

/** Options of {@link runHistoryJob}. */
export interface HistoryRunOptions {
  jobId: string;
  symbol: string;
  fromMs: number;
  toMs: number;
  /** Progress of an earlier attempt: the run resumes at `next_from`. */
  resume?: HistoryJobProgress;
  source: CandleSource;
  /** Writes one chunk's bars (to the history stream); resolves once they are durable. */
  write: (bars: StreamHistoryBar[]) => Promise<void>;
  /** Records progress after every chunk (BullMQ job progress). */
  saveProgress: (progress: HistoryJobProgress) => Promise<void>;
  budget: HistoryBudget;
  retry?: HistoryRetry;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Chunk length in minutes (default: the source's per-request cap). */
  chunkMinutes?: number;
  /**
   * Asked before every FXCM call (retries included): a refusal ends the run with
   * {@link HistoryDeferred}. Without a gate every call goes out.
   */
  gate?: () => GateDecision;
  /**
   * The gateway's shared history backoff: it picks the wait after a transient error (instead of
   * `retry`) and is reset by a success, so every job sees the same storm.
   */
  backoff?: HistoryBackoff;
  /** A transient failure that will be retried (for logs and metrics). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

const MINUTE = 60_000;

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return `${code}${typeof e?.message === 'string' ? e.message : String(err)}`.slice(0, 512);
}

/**
 * Fetches `[fromMs, toMs)` of 1m history in chunks, in time order, writing each chunk before
 * saving progress past it. Transient errors (not ready, 5xx, 403 quota, network) are retried
 * with backoff within the budget; a permanent error or an exhausted budget fails the run loudly
 * with the progress kept. The same range always gives the same chunks and the same bars.
 */
export async function runHistoryJob(opts: HistoryRunOptions): Promise<HistoryJobProgress> {
  const from = Math.floor(opts.fromMs / MINUTE) * MINUTE;
  const to = Math.ceil(opts.toMs / MINUTE) * MINUTE;
  const progress: HistoryJobProgress = {
    next_from: Math.max(from, opts.resume?.next_from ?? from),
    bars: opts.resume?.bars ?? 0,
    requests: opts.resume?.requests ?? 0,
    chunks_done: opts.resume?.chunks_done ?? 0,
  };
  if (!(to > from)) {
    throw new HistoryJobError(
      'HISTORY_BAD_JOB',
      `${opts.symbol}: empty range [${opts.fromMs}, ${opts.toMs})`,
      progress,
    );
  }
  const retry = opts.retry ?? DEFAULT_HISTORY_RETRY;
  const random = opts.random ?? Math.random;
  const started = opts.now();
  let requests = 0;
  const perChunk = opts.chunkMinutes ?? opts.source.maxCandlesPerRequest;

  const fail = async (code: HistoryErrorCode, reason: string): Promise<never> => {
    // An exhausted budget names the transient error that used it up.
    const message =
      code === 'HISTORY_BUDGET_EXHAUSTED' && progress.last_error
        ? `${reason}; last error: ${progress.last_error}`
        : reason;
    progress.last_error = message.slice(0, 512);
    await opts.saveProgress({ ...progress });
    throw new HistoryJobError(code, message, { ...progress });
  };

  for (const window of chunkRange(progress.next_from, to, MINUTE, perChunk)) {
    let attempt = 0;
    for (;;) {
      if (requests >= opts.budget.maxRequests) {
        await fail(
          'HISTORY_BUDGET_EXHAUSTED',
          `${opts.symbol}: request budget ${opts.budget.maxRequests} spent at ${new Date(progress.next_from).toISOString()}`,
        );
      }
      if (opts.now() - started >= opts.budget.maxMs) {
        await fail(
          'HISTORY_BUDGET_EXHAUSTED',
          `${opts.symbol}: time budget ${opts.budget.maxMs} ms spent at ${new Date(progress.next_from).toISOString()}`,
        );
      }
      const decision = opts.gate?.() ?? { allowed: true };
      if (!decision.allowed) {
        await opts.saveProgress({ ...progress });
        throw new HistoryDeferred(decision.reason, decision.waitMs, { ...progress });
      }
      requests += 1;
      progress.requests += 1;
      try {
        const candles = await opts.source.fetchM1(opts.symbol, window.fromMs, window.toMs);
        opts.backoff?.success();
        const bars = candles.map((c) => toHistoryBar(opts.symbol, c, opts.jobId));
        if (bars.length > 0) await opts.write(bars);
        progress.bars += bars.length;
        break;
      } catch (err) {
        const transient = (err as { transient?: unknown })?.transient === true;
        if (!transient) await fail('HISTORY_FETCH_FAILED', `${opts.symbol}: ${describe(err)}`);
        attempt += 1;
        const exp = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
        const code = (err as { code?: unknown }).code;
        const delay = opts.backoff
          ? opts.backoff.failure(
              typeof code === 'string' ? code : 'HISTORY_FETCH_FAILED',
              describe(err),
              opts.now(),
            )
          : Math.max(1, Math.round(exp * (1 + retry.jitter * (2 * random() - 1))));
        progress.last_error = describe(err);
        opts.onRetry?.(err, attempt, delay);
        // Never sleep past the time budget: fail at the next check instead.
        await opts.sleep(Math.min(delay, Math.max(0, opts.budget.maxMs - (opts.now() - started))));
      }
    }
    progress.next_from = window.toMs;
    progress.chunks_done += 1;
    await opts.saveProgress({ ...progress });
  }
  return { ...progress };
}
