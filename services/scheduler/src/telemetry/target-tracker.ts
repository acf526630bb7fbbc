import type { TradingCalendar } from '@fxcm/calendar';
import { SessionStats } from './session-stats';

/** A bar as the tracker needs it (from a `bar` entry of `{ns}:x:bars:<shard>`). */
export interface TrackedBar {
  symbol: string;
  tf: string;
  complete: boolean;
  open_time: number;
  close_time: number;
  high: number;
  low: number;
  close: number;
}

/** What is known of one (symbol, tf) target. */
export interface TargetState {
  /** close_time of its newest final bar, epoch ms. */
  lastFinalClose?: number;
  /** Wall time its newest final bar was seen. */
  lastFinalAt?: number;
  /** Wall time its last preview (live) bar was seen. */
  lastPreviewAt?: number;
}

/**
 * Follows the bars the bar builder emits, per configured (symbol, tf) target: the newest final
 * close, when a live bar was last seen, how many finals came since the last heartbeat, and the
 * per-session statistics of the 1m finals. Bars of targets outside the allowlist are ignored,
 * so the memory is bounded by the configuration, not by the input.
 */
export class TargetTracker {
  private readonly targets = new Map<string, TargetState>();
  private finalsSinceTake = 0;
  readonly stats = new SessionStats();

  constructor(
    allowed: readonly { symbol: string; tf: string }[],
    private readonly calendar: TradingCalendar,
  ) {
    for (const t of allowed) this.targets.set(`${t.symbol}/${t.tf}`, {});
  }

  /** Records one bar seen at wall time `seenAt`; false when its target is not configured. */
  observe(bar: TrackedBar, seenAt: number): boolean {
    const state = this.targets.get(`${bar.symbol}/${bar.tf}`);
    if (!state) return false;
    if (!bar.complete) {
      state.lastPreviewAt = seenAt;
      return true;
    }
    state.lastFinalClose = Math.max(state.lastFinalClose ?? 0, bar.close_time);
    state.lastFinalAt = seenAt;
    this.finalsSinceTake += 1;
    if (bar.tf === '1m') {
      const session = this.calendar.session(bar.open_time);
      if (session) this.stats.observe(bar.symbol, session, bar);
    }
    return true;
  }

  /** The state of `symbol`/`tf` (empty when nothing was seen yet). */
  state(symbol: string, tf: string): TargetState {
    return this.targets.get(`${symbol}/${tf}`) ?? {};
  }

  /** Final bars seen since the previous call (V1 heartbeat `published_bars`). */
  takeFinalCount(): number {
    const n = this.finalsSinceTake;
    this.finalsSinceTake = 0;
    return n;
  }
}
