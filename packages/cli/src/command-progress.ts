import {
  HISTORY_QUEUE,
  keys,
  normalizeSymbol,
  queuePrefix,
  type HistoryJob,
} from '@fxcm/contracts';
import { Queue, type Job } from 'bullmq';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Redis } from 'ioredis';

/** What {@link followCommand} watches after a command was sent. */
export interface FollowOptions {
  /** Plain connection for reads; `subscriber` is put in subscriber mode. */
  redis: Redis;
  subscriber: Redis;
  /** BullMQ connection (`maxRetriesPerRequest: null`). */
  queueConnection: Redis;
  namespace: string;
  ohlcvChannel: string;
  /** The command's type (`fxcm_warmup`, …), to tell its decision from an earlier one's. */
  type: string;
  /** Symbols the command is about (wire spelling). */
  symbols: string[];
  /** When the command was sent, wall ms. */
  sentAt: number;
  /** The channel and the jobs quiet this long means done, ms. */
  settleMs: number;
  timeoutMs: number;
  out: NodeJS.WritableStream;
}

/** How a followed command ended. */
export interface FollowResult {
  outcome: 'done' | 'rejected' | 'timeout' | 'failed';
  /** Distinct history bars (not tick previews, not tick finals) published for the symbols. */
  published: number;
  jobs: number;
  fetched: number;
  detail?: string;
}

interface JobView {
  from: number;
  to: number;
  nextFrom: number;
  bars: number;
  finished: boolean;
  failed?: string;
}

function viewOf(job: Job): JobView {
  const data = job.data as HistoryJob;
  const progress = (typeof job.progress === 'object' ? job.progress : {}) as {
    next_from?: number;
    bars?: number;
  };
  const finished = job.finishedOn !== undefined;
  return {
    from: data.from,
    to: data.to,
    nextFrom: finished && !job.failedReason ? data.to : (progress.next_from ?? data.from),
    bars: progress.bars ?? 0,
    finished,
    failed: job.failedReason || undefined,
  };
}

/** The scheduler's decision about a command sent at `sentAt`, from the status snapshot. */
async function schedulerDecision(
  redis: Redis,
  namespace: string,
  type: string,
  sentAt: number,
): Promise<{ result: string; detail?: string } | undefined> {
  const text = await redis.get(keys(namespace).statusSnapshot);
  if (!text) return undefined;
  let snapshot: {
    last_command?: {
      cmd?: string;
      result?: string;
      code?: string;
      detail?: string;
      finished_ts?: number;
    } | null;
    services?: { service?: string; detail?: Record<string, unknown> }[];
  };
  try {
    snapshot = JSON.parse(text) as typeof snapshot;
  } catch {
    return undefined;
  }
  // The V2 snapshot's `last_command`, with its code of the scheduler's closed set.
  const top = snapshot.last_command;
  if (top?.cmd === type && top.result && (top.finished_ts ?? 0) >= sentAt - 1_000) {
    return { result: top.result, detail: [top.code, top.detail].filter(Boolean).join(': ') };
  }
  for (const record of snapshot.services ?? []) {
    const last = record.detail?.last_command as
      { result?: string; ts?: number; reason?: string; detail?: string } | undefined;
    if (record.service === 'scheduler' && last?.result && (last.ts ?? 0) >= sentAt - 1_000) {
      return { result: last.result, detail: [last.reason, last.detail].filter(Boolean).join(': ') };
    }
  }
  return undefined;
}

/**
 * Follows a command on the wire: the scheduler's decision (its status record's `last_command`),
 * the BullMQ history jobs that appeared for the symbols since it was sent — one progress bar for
 * the minutes they fetched — and the history bars published on `fxcm:ohlcv`. Ends when the jobs
 * are finished and the channel has been quiet `settleMs`, or when the command was refused.
 */
export async function followCommand(opts: FollowOptions): Promise<FollowResult> {
  const symbols = new Set(opts.symbols.map((s) => normalizeSymbol(s)));
  const published = new Set<string>();
  let lastActivity = opts.sentAt;
  opts.subscriber.on('message', (_channel: string, text: string) => {
    let msg: { symbol?: unknown; tf?: unknown; source?: unknown; bars?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.symbol !== 'string' || !symbols.has(msg.symbol) || !Array.isArray(msg.bars))
      return;
    for (const bar of msg.bars as { open_time: number; complete?: boolean; source?: string }[]) {
      const source = bar.source ?? msg.source;
      if (bar.complete === false || source === 'tick_agg') continue;
      published.add(`${String(msg.tf)} ${bar.open_time}`);
      lastActivity = Date.now();
    }
  });
  await opts.subscriber.subscribe(opts.ohlcvChannel);

  const queue = new Queue(HISTORY_QUEUE, {
    connection: opts.queueConnection,
    prefix: queuePrefix(opts.namespace),
  });
  const bars = new MultiBar(
    {
      stream: opts.out,
      noTTYOutput: true,
      notTTYSchedule: 500,
      hideCursor: true,
      clearOnComplete: false,
      format:
        'history |{bar}| {percentage}% | {value}/{total} min | jobs {jobs} | fetched {fetched} | published {published}',
    },
    Presets.shades_classic,
  );
  let bar: SingleBar | undefined;
  const seen = new Map<string, JobView>();
  let decision: { result: string; detail?: string } | undefined;
  try {
    for (;;) {
      const now = Date.now();
      decision ??= await schedulerDecision(opts.redis, opts.namespace, opts.type, opts.sentAt);
      if (decision && decision.result !== 'accepted' && decision.result !== 'ok') {
        return {
          outcome: 'rejected',
          published: published.size,
          jobs: 0,
          fetched: 0,
          detail: `${decision.result}${decision.detail ? ` (${decision.detail})` : ''}`,
        };
      }
      const jobs = await queue.getJobs(
        ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'],
        0,
        500,
      );
      for (const job of jobs) {
        const data = job.data as Partial<HistoryJob>;
        if (job.id === undefined || job.timestamp < opts.sentAt - 1_000) continue;
        if (typeof data.symbol !== 'string' || !symbols.has(normalizeSymbol(data.symbol))) continue;
        const view = viewOf(job);
        const before = seen.get(job.id);
        if (!before || before.nextFrom !== view.nextFrom || before.finished !== view.finished)
          lastActivity = now;
        seen.set(job.id, view);
      }
      const views = [...seen.values()];
      const minutes = (v: JobView, at: number): number => Math.round((at - v.from) / 60_000);
      const total = views.reduce((n, v) => n + minutes(v, v.to), 0);
      const done = views.reduce((n, v) => n + minutes(v, v.nextFrom), 0);
      const fetched = views.reduce((n, v) => n + v.bars, 0);
      const payload = {
        jobs: `${views.filter((v) => v.finished).length}/${views.length}`,
        fetched,
        published: published.size,
      };
      if (views.length > 0) {
        bar ??= bars.create(total, 0, payload);
        bar.setTotal(total);
        bar.update(done, payload);
      }
      const finished = views.every((v) => v.finished);
      const quiet = now - lastActivity >= opts.settleMs;
      if (finished && quiet && (views.length > 0 || decision || now - opts.sentAt >= 5_000)) {
        const failed = views.filter((v) => v.failed);
        return {
          outcome: failed.length > 0 ? 'failed' : 'done',
          published: published.size,
          jobs: views.length,
          fetched,
          detail: failed.map((v) => v.failed).join('; ') || undefined,
        };
      }
      if (now - opts.sentAt > opts.timeoutMs) {
        return { outcome: 'timeout', published: published.size, jobs: views.length, fetched };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    bars.stop();
    await queue.close();
  }
}
