/**
 * The connection life of a live provider as a pure state machine: events in (with the time they
 * happened), transitions and actions out. No I/O and no timers: the driver feeds it events and a
 * periodic `timer`, and carries out the actions it returns.
 *
 *   connecting → logged_in → subscribed → streaming
 *   streaming --(no tick for staleMs while the calendar is open)--> stale → resubscribing
 *   resubscribing --(still no tick after staleMs)--> reconnecting (capped backoff + jitter)
 *   any --(disconnect / connect failure)--> reconnecting
 *   any --(calendar closed everywhere)--> sleeping until the calendar's next open
 *   any --(bad credentials)--> error (fxcm_auth_failed), slow retry
 */

/** Where the connection is. */
export type ConnectionState =
  | 'idle'
  | 'connecting'
  | 'logged_in'
  | 'subscribed'
  | 'streaming'
  | 'stale'
  | 'resubscribing'
  | 'reconnecting'
  | 'sleeping'
  | 'error'
  | 'stopped';

/** What the driver reports. `at` is the clock value when it happened. */
export type ConnectionEvent =
  | { type: 'start' }
  | { type: 'logged_in' }
  | { type: 'subscribed' }
  | { type: 'tick'; ts: number }
  | { type: 'disconnected'; reason: string }
  | { type: 'connect_failed'; code: string; message: string; auth: boolean }
  | { type: 'timer' }
  | { type: 'stop' };

/** What the driver must do next. */
export type ConnectionAction =
  | { kind: 'connect' }
  | { kind: 'subscribe' }
  | { kind: 'resubscribe' }
  | { kind: 'disconnect' }
  /**
   * Ask history for the minutes missed while the feed was down, the partly seen edge minutes
   * included: `[fromMs, toMs)`.
   */
  | { kind: 'backfill'; fromMs: number; toMs: number }
  /**
   * The gateway did not observe the feed during `[fromMs, toMs)` (wall clock): its start, a
   * disconnect, a dead feed. Written to the tick streams so the minutes touched wait for history.
   */
  | { kind: 'unobserved'; fromMs: number; toMs: number };

/** A state change, for the log line, the metric and the status record. */
export interface Transition {
  from: ConnectionState;
  to: ConnectionState;
  reason: string;
  /** Set on `error`: the status record's error code (`fxcm_auth_failed`). */
  code?: string;
  /** When the machine will act next on its own (retry, wake-up), epoch ms. */
  nextAttemptAt?: number;
}

/** The answer to one event. */
export interface Step {
  transitions: Transition[];
  actions: ConnectionAction[];
}

/** Tuning of {@link ConnectionMachine}. */
export interface ConnectionPolicy {
  /** No tick for this long while the calendar is open ⇒ stale. */
  staleMs: number;
  /** When set, the threshold at a given time (per session), used instead of `staleMs`. */
  staleMsAt?: (now: number) => number;
  /** Reconnect backoff: first delay, cap, relative jitter in [0, 1). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  jitter: number;
  /** Retry after bad credentials (slow: a person has to fix the token). */
  authRetryMs: number;
  /** Longest sleep while closed before looking again (the calendar may change). */
  maxSleepMs: number;
  /** Gaps shorter than this are not backfilled (a reconnect within the same minute). */
  minBackfillMs: number;
}

/** Defaults after V2: stale 30 s, backoff 2 s doubling to 60 s ±30 %, auth retry 5 min. */
export const DEFAULT_CONNECTION_POLICY: ConnectionPolicy = {
  staleMs: 30_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 60_000,
  jitter: 0.3,
  authRetryMs: 300_000,
  maxSleepMs: 30 * 60_000,
  minBackfillMs: 60_000,
};

/** What the machine needs from outside: a clock, chance and the calendar. */
export interface ConnectionEnv {
  now: () => number;
  random: () => number;
  /** True when any subscribed symbol's calendar is open at `ts`. */
  isOpen: (ts: number) => boolean;
  /** Earliest next open of any subscribed symbol after `ts`. */
  nextOpen: (ts: number) => number;
}

const MINUTE = 60_000;

/** Delay of reconnect attempt `attempt` (1-based): base·2^(n−1) capped, ± jitter. */
export function backoffDelay(
  attempt: number,
  policy: ConnectionPolicy,
  random: () => number,
): number {
  const exp = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(exp * (1 + policy.jitter * (2 * random() - 1))));
}

/** See the module comment. One instance per live connection. */
export class ConnectionMachine {
  private current: ConnectionState = 'idle';
  private attempts = 0;
  private retryAt: number | undefined;
  private lastTickAt: number | undefined;
  /** Event time of the last tick before the feed went down; the gap starts after it. */
  private gapFrom: number | undefined;
  private resubscribedAt: number | undefined;
  /** When the gateway stopped observing the feed (drop detected), wall clock. */
  private unobservedFrom: number | undefined;
  /** Event time of the last tick while streaming. */
  private lastEventTs: number | undefined;
  private subscribedAt = 0;

  constructor(
    private readonly env: ConnectionEnv,
    private readonly policy: ConnectionPolicy = DEFAULT_CONNECTION_POLICY,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** Consecutive failed attempts since the last successful subscription. */
  get failures(): number {
    return this.attempts;
  }

  /** When the machine acts next on its own, if waiting. */
  get nextAttemptAt(): number | undefined {
    return this.retryAt;
  }

  handle(event: ConnectionEvent): Step {
    const step: Step = { transitions: [], actions: [] };
    const now = this.env.now();
    const go = (to: ConnectionState, reason: string, extra: Partial<Transition> = {}): void => {
      if (to === this.current && !extra.code) return;
      step.transitions.push({ from: this.current, to, reason, ...extra });
      this.current = to;
    };
    if (this.current === 'stopped') return step;

    switch (event.type) {
      case 'start':
        if (this.current !== 'idle') break;
        this.connectOrSleep(now, step, go, 'start');
        break;
      case 'logged_in':
        if (this.current !== 'connecting') break;
        go('logged_in', 'socket connected, token accepted');
        step.actions.push({ kind: 'subscribe' });
        break;
      case 'subscribed':
        if (this.current !== 'logged_in' && this.current !== 'resubscribing') break;
        this.subscribedAt = now;
        {
          // Listening again from now: everything since the drop (or, at a start, since the
          // start of this minute) was not observed, and the minutes it touches need history.
          const from = this.unobservedFrom ?? now - (now % MINUTE);
          step.actions.push({ kind: 'unobserved', fromMs: from, toMs: now });
          if (this.gapFrom === undefined)
            step.actions.push({
              kind: 'backfill',
              fromMs: from - (from % MINUTE),
              toMs: now - (now % MINUTE) + MINUTE,
            });
          this.unobservedFrom = undefined;
        }
        if (this.current === 'logged_in') {
          go('subscribed', 'every symbol subscribed');
          this.attempts = 0;
        }
        break;
      case 'tick':
        this.lastTickAt = now;
        if (
          this.current === 'subscribed' ||
          this.current === 'stale' ||
          this.current === 'resubscribing'
        ) {
          go('streaming', 'ticks flowing');
          this.resubscribedAt = undefined;
          this.attempts = 0;
          if (this.gapFrom !== undefined) {
            // Every minute the gap touched: from the last tick's minute before the drop through
            // this tick's minute (both seen only in part).
            const fromMs = Math.floor(this.gapFrom / MINUTE) * MINUTE;
            const toMs = (Math.floor(event.ts / MINUTE) + 1) * MINUTE;
            if (toMs - fromMs >= this.policy.minBackfillMs)
              step.actions.push({ kind: 'backfill', fromMs, toMs });
            this.gapFrom = undefined;
          }
        }
        if (this.current === 'streaming') this.lastEventTs = event.ts;
        break;
      case 'disconnected':
        if (['sleeping', 'error', 'idle', 'reconnecting'].includes(this.current)) break;
        this.markGap(now, step);
        this.scheduleReconnect(now, go, `disconnected: ${event.reason}`);
        break;
      case 'connect_failed':
        if (event.auth) {
          this.retryAt = now + this.policy.authRetryMs;
          step.actions.push({ kind: 'disconnect' });
          go('error', event.message, { code: 'fxcm_auth_failed', nextAttemptAt: this.retryAt });
        } else {
          this.markGap(now, step);
          step.actions.push({ kind: 'disconnect' });
          this.scheduleReconnect(now, go, `${event.code}: ${event.message}`);
        }
        break;
      case 'timer':
        this.onTimer(now, step, go);
        break;
      case 'stop':
        step.actions.push({ kind: 'disconnect' });
        go('stopped', 'stop requested');
        break;
    }
    return step;
  }

  private markGap(now: number, step: Step): void {
    if (this.gapFrom === undefined && this.lastEventTs !== undefined)
      this.gapFrom = this.lastEventTs;
    if (this.unobservedFrom === undefined) {
      // Said at once, so the minute of the drop does not become final from half its ticks.
      this.unobservedFrom = now;
      step.actions.push({ kind: 'unobserved', fromMs: now, toMs: now });
    }
  }

  private onTimer(now: number, step: Step, go: GoFn): void {
    const waiting =
      this.current === 'reconnecting' || this.current === 'error' || this.current === 'sleeping';
    if (waiting) {
      if (this.retryAt !== undefined && now >= this.retryAt)
        this.connectOrSleep(now, step, go, 'retry');
      return;
    }
    const live =
      this.current === 'subscribed' || this.current === 'streaming' || this.current === 'stale';
    if (live || this.current === 'resubscribing') {
      if (!this.env.isOpen(now)) {
        // A closed market is not a gap to repair.
        this.gapFrom = undefined;
        this.lastEventTs = undefined;
        this.unobservedFrom = undefined;
        step.actions.push({ kind: 'disconnect' });
        this.sleep(now, go, 'calendar closed');
        return;
      }
      const since = Math.max(this.lastTickAt ?? this.subscribedAt, this.subscribedAt);
      const staleMs = this.policy.staleMsAt?.(now) ?? this.policy.staleMs;
      if (now - since < staleMs) return;
      if (this.current === 'resubscribing') {
        if (now - (this.resubscribedAt ?? now) >= staleMs) {
          this.markGap(now, step);
          step.actions.push({ kind: 'disconnect' });
          this.scheduleReconnect(now, go, 'still no tick after resubscribe');
        }
        return;
      }
      this.markGap(now, step);
      go('stale', `no tick for ${Math.round((now - since) / 1000)} s while open`);
      this.resubscribedAt = now;
      step.actions.push({ kind: 'resubscribe' });
      go('resubscribing', 'resubscribe once before reconnecting');
    }
  }

  private connectOrSleep(now: number, step: Step, go: GoFn, reason: string): void {
    if (!this.env.isOpen(now)) {
      this.sleep(now, go, 'calendar closed');
      return;
    }
    this.retryAt = undefined;
    go('connecting', reason);
    step.actions.push({ kind: 'connect' });
  }

  private sleep(now: number, go: GoFn, reason: string): void {
    this.retryAt = Math.min(this.env.nextOpen(now), now + this.policy.maxSleepMs);
    this.attempts = 0;
    go('sleeping', reason, { nextAttemptAt: this.retryAt });
  }

  private scheduleReconnect(now: number, go: GoFn, reason: string): void {
    this.attempts += 1;
    this.retryAt = now + backoffDelay(this.attempts, this.policy, this.env.random);
    go('reconnecting', reason, { nextAttemptAt: this.retryAt });
  }
}

type GoFn = (to: ConnectionState, reason: string, extra?: Partial<Transition>) => void;
