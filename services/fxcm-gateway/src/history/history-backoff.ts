import type { HeartbeatBackoffEntry } from '@fxcm/contracts';

/** V1 `stream.history_backoff`: capped exponential backoff with jitter (seconds in the file). */
export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  multiplier: number;
  /** ± fraction of the delay (0.3 = ±30 %). */
  jitter: number;
}

/** V1 history backoff: 6 s, ×2 up to 120 s, ±30 %. */
export const V1_HISTORY_BACKOFF: BackoffSettings = {
  baseMs: 6_000,
  maxMs: 120_000,
  multiplier: 2,
  jitter: 0.3,
};

/**
 * The `history_backoff` controller: one per gateway, shared by every history job, so a 403 quota
 * storm or a 5xx spell pauses all history calls, not only the job that met it. The first
 * failure waits the base delay, each further one `multiplier` times longer up to the cap; a
 * success resets it. Pure apart from the random source; times are passed in.
 */
export class HistoryBackoff {
  private failCount = 0;
  private sleepMs = 0;
  private resumeAt = 0;
  private lastError: { code: string; message: string; at: number } | undefined;

  constructor(
    private readonly settings: BackoffSettings = V1_HISTORY_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** A transient failure at `now`: returns how long to wait before the next call, ms. */
  failure(code: string, message: string, now: number): number {
    const s = this.settings;
    this.failCount += 1;
    const exp = Math.min(s.maxMs, s.baseMs * s.multiplier ** (this.failCount - 1));
    this.sleepMs = Math.max(1, Math.round(exp * (1 + s.jitter * (2 * this.random() - 1))));
    this.resumeAt = now + this.sleepMs;
    this.lastError = { code, message: message.slice(0, 200), at: now };
    return this.sleepMs;
  }

  /** A call succeeded: the backoff is over. */
  success(): void {
    this.failCount = 0;
    this.sleepMs = 0;
    this.resumeAt = 0;
  }

  /** Time left before calls may resume at `now`, ms (0: not backing off). */
  remainingMs(now: number): number {
    return Math.max(0, this.resumeAt - now);
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.failCount;
  }

  /** The heartbeat entry at `now`. */
  snapshot(now: number): HeartbeatBackoffEntry {
    const remaining = this.remainingMs(now);
    return {
      active: remaining > 0,
      sleep_seconds: this.sleepMs / 1_000,
      remaining_seconds: remaining / 1_000,
      fail_count: this.failCount,
      last_error: this.lastError ? `${this.lastError.code}: ${this.lastError.message}` : null,
      last_error_ts: this.lastError ? this.lastError.at / 1_000 : null,
      resume_at: remaining > 0 ? new Date(this.resumeAt).toISOString() : null,
    };
  }
}
