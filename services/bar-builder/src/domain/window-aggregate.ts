import { makeBar, type Bar, type BarSource, type Timeframe } from './bar';

/** The 1m bar fields a higher-timeframe window is built from (a final or preview 1m bar). */
export interface MinuteInput {
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tick_count: number;
  synthetic: boolean;
  source: BarSource;
  avg_spread?: number;
  max_spread?: number;
}

/**
 * A higher-timeframe window built from the real (tick or history) 1m bars in it, in any order:
 * open is the earliest real minute's open, close the latest one's close. Synthetic minutes are
 * skipped: a flat bar at the previous close is a placeholder, not a price that traded in the
 * window, and would otherwise move the open (weekly open: Friday's close) and widen high/low.
 * Only public 1m fields are used, so a window rebuilt from restored bars equals the one built
 * live.
 */
export class WindowAggregate {
  readonly start: number;
  readonly end: number;
  open = 0;
  high = -Infinity;
  low = Infinity;
  close = 0;
  volume = 0;
  tickCount = 0;
  /** Σ avg_spread·tick_count over inputs with a spread. */
  spreadSum = 0;
  spreadTicks = 0;
  maxSpread = -1;
  allHistory = true;
  firstMinute = Infinity;
  lastMinute = -Infinity;
  /** Times the window was emitted after its first final (a history fill rebuilt it). */
  revision = 0;
  /**
   * The window started before what the engine knows of the symbol (restore began inside it):
   * it is still emitted when due, but never revised.
   */
  partial = false;
  /**
   * Minutes in the window only until their history bar comes: the tick-built bar of a minute the
   * feed saw in part, published after the wait (`unrepaired`). Kept apart from the sums above so
   * {@link revise} can swap it for the history bar (a high or low cannot be taken out of a sum).
   */
  provisional: Map<number, MinuteInput> | undefined;

  constructor(start: number, end: number) {
    this.start = start;
    this.end = end;
  }

  /** True when no real minute has been added: the window has no bar. */
  get empty(): boolean {
    return this.firstMinute === Infinity && (this.provisional?.size ?? 0) === 0;
  }

  /** Adds a minute that a later history bar may replace ({@link revise}). */
  addProvisional(m: MinuteInput): void {
    if (m.synthetic) return;
    if (this.provisional === undefined) this.provisional = new Map();
    this.provisional.set(m.open_time, m);
  }

  /**
   * Replaces the provisional minute `m.open_time` by `m` (its history bar). False when that
   * minute is not provisional here: nothing changed.
   */
  revise(m: MinuteInput): boolean {
    if (this.provisional?.delete(m.open_time) !== true) return false;
    this.add(m);
    return true;
  }

  /** Adds a final (or preview) 1m bar; a synthetic one leaves the window unchanged. */
  add(m: MinuteInput): void {
    if (m.synthetic) return;
    if (m.open_time < this.firstMinute) {
      this.firstMinute = m.open_time;
      this.open = m.open;
    }
    if (m.open_time > this.lastMinute) {
      this.lastMinute = m.open_time;
      this.close = m.close;
    }
    if (m.high > this.high) this.high = m.high;
    if (m.low < this.low) this.low = m.low;
    this.volume += m.volume;
    this.tickCount += m.tick_count;
    if (m.avg_spread !== undefined && m.tick_count > 0) {
      this.spreadSum += m.avg_spread * m.tick_count;
      this.spreadTicks += m.tick_count;
    }
    if (m.max_spread !== undefined && m.max_spread > this.maxSpread) this.maxSpread = m.max_spread;
    if (m.source !== 'history') this.allHistory = false;
  }

  /** A copy to which preview minutes can be added without touching this window. */
  clone(): WindowAggregate {
    const c = new WindowAggregate(this.start, this.end);
    Object.assign(c, this);
    if (this.provisional !== undefined) c.provisional = new Map(this.provisional);
    return c;
  }

  toBar(tf: Timeframe, complete: boolean): Bar {
    if (this.provisional !== undefined && this.provisional.size > 0) {
      const whole = this.clone();
      whole.provisional = undefined;
      for (const m of this.provisional.values()) whole.add(m);
      return whole.toBar(tf, complete);
    }
    return makeBar({
      tf,
      openTime: this.start,
      closeTime: this.end - 1,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      tickCount: this.tickCount,
      complete,
      synthetic: false,
      source: this.allHistory ? 'history' : 'tick_agg',
      avgSpread: this.spreadTicks > 0 ? this.spreadSum / this.spreadTicks : undefined,
      maxSpread: this.maxSpread >= 0 ? this.maxSpread : undefined,
    });
  }
}
