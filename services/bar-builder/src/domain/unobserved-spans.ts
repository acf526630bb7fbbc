import { MINUTE_MS, minuteOf } from './bar';
import { MinuteFate } from './final-minute-memory';
import { minuteIsOpen } from './session-calendar';
import type { SymbolState } from './symbol-state';
import type { WindowAggregate } from './window-aggregate';

interface Span {
  from: number;
  to: number;
  /** The wait for the span's history is over. */
  settled: boolean;
}

/**
 * The minute spans `[from, to)` the feed did not fully observe (`feed_gap`: the gateway's start,
 * a disconnect, a dead feed), oldest first, and the wait for their history bars.
 */
export class UnobservedSpans {
  private readonly spans: Span[] = [];

  /**
   * Records that `[from, to)` (int ms) was not observed; returns the minutes it touches,
   * `[a, b)`. A span that starts inside the latest one extends it.
   */
  add(from: number, to: number): { a: number; b: number } {
    const a = minuteOf(from);
    const b = to % MINUTE_MS === 0 && to > from ? to : minuteOf(to) + MINUTE_MS;
    const last = this.spans[this.spans.length - 1];
    if (last !== undefined && a <= last.to && a >= last.from) {
      last.to = Math.max(last.to, b);
      last.settled = false;
    } else {
      let i = this.spans.length;
      while (i > 0 && (this.spans[i - 1] as Span).from > a) i--;
      this.spans.splice(i, 0, { from: a, to: b, settled: false });
    }
    return { a, b };
  }

  /** Forgets spans that end before `horizon`: they cannot touch a minute not yet final. */
  prune(horizon: number): void {
    while (this.spans.length > 0 && (this.spans[0] as Span).to < horizon) this.spans.shift();
  }

  /** The wait of every span that ended `waitMs` before `wm` is over (feed alive). */
  settle(wm: number, waitMs: number): void {
    for (const p of this.spans) if (!p.settled && p.to + waitMs <= wm) p.settled = true;
  }

  /** End of the span that contains minute `m` (or `m` when none does). */
  endOf(m: number): number {
    for (const p of this.spans) if (m >= p.from && m < p.to) return p.to;
    return m;
  }

  /** True when minute `m` lies in a span the feed did not fully observe. */
  contains(m: number): boolean {
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const p = this.spans[i] as Span;
      if (m >= p.from && m < p.to) return true;
      if (p.to <= m) return false; // spans are kept in order; older ones end earlier
    }
    return false;
  }

  /**
   * True when a minute of window `w` of `s` waits for its history bar: a partial minute with
   * ticks, or an open minute of an unobserved span that has no final yet, while that span's wait
   * runs.
   */
  waitIn(s: SymbolState, w: WindowAggregate): boolean {
    if (s.awaiting !== undefined)
      for (const m of s.awaiting.keys()) if (m >= w.start && m < w.end) return true;
    for (const p of this.spans) {
      if (p.settled || p.to <= w.start || p.from >= w.end) continue;
      const end = Math.min(p.to, w.end, s.frontier);
      for (let k = Math.max(p.from, w.start); k < end; k += MINUTE_MS) {
        if (s.memory.get(k) === MinuteFate.None && minuteIsOpen(s.calendar, k, s.symbol))
          return true;
      }
    }
    return false;
  }
}
