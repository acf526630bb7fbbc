import type { Bar } from './bar';
import {
  pushRevision,
  type BarEvent,
  type PreviewEvent,
  type PreviewFilter,
} from './engine-events';
import { windowOf } from './session-calendar';
import type { HtfSeries, SymbolState } from './symbol-state';
import { WindowAggregate, type MinuteInput } from './window-aggregate';

/** What decides whether an ended window may be final, and how far back the engine knows. */
export interface WindowGate {
  /** True when a window starting at `start` has minutes before the coverage of `s` (cold start). */
  uncovered(s: SymbolState, start: number): boolean;
  /** True when a minute of `w` still waits for its history bar (a partial minute). */
  waits(s: SymbolState, w: WindowAggregate): boolean;
  /** Earliest minute the engine's knowledge of the finals of `s` is complete from. */
  knownFrom(s: SymbolState): number;
}

/** Sets `series.winStart/winEnd` to the window containing `minute` (may ask the calendar). */
export function locate(s: SymbolState, series: HtfSeries, minute: number): void {
  if (minute >= series.winStart && minute < series.winEnd) return;
  const w = windowOf(series.tf, minute, s.calendar, s.symbol);
  series.winStart = w.start;
  series.winEnd = w.end;
}

/** Locates minute `m` in every higher timeframe of `s`: throws before anything changes. */
export function locateAll(s: SymbolState, m: number): void {
  for (const series of s.htf) locate(s, series, m);
}

/** Keeps an ended window for revisions, unless only part of it is known or it has no bar. */
function retire(series: HtfSeries, w: WindowAggregate): void {
  if (!w.partial && !w.empty) series.finals.set(w.start, w);
}

/** Inserts `w` into `held` keeping it ordered by start. */
function insertHeld(held: WindowAggregate[], w: WindowAggregate): void {
  let i = held.length;
  while (i > 0 && (held[i - 1] as WindowAggregate).start > w.start) i--;
  held.splice(i, 0, w);
}

/**
 * Adds `bar` to the window in progress of each higher timeframe of `s`, starting a new window
 * when the bar lies past the current one; the window left behind goes to `ended`.
 */
function joinCurrent(
  s: SymbolState,
  bar: MinuteInput,
  ended: (series: HtfSeries, w: WindowAggregate) => void,
): void {
  for (const series of s.htf) {
    locate(s, series, bar.open_time);
    let cur = series.current;
    if (cur !== undefined && cur.start !== series.winStart) {
      ended(series, cur);
      cur = undefined;
    }
    if (cur === undefined) {
      cur = new WindowAggregate(series.winStart, series.winEnd);
      cur.partial = series.winStart < s.knownFrom;
      series.current = cur;
    }
    cur.add(bar);
  }
}

/**
 * The higher timeframes (5m…1d) of every symbol, built from real final 1m bars only: windows in
 * progress, emitted windows kept for revisions, and windows held until they may be final.
 */
export class HigherTimeframes {
  constructor(private readonly gate: WindowGate) {}

  /** Emits (or holds) every window of `s` in progress that ended by `t`. */
  closeEnded(s: SymbolState, t: number, events: BarEvent[]): void {
    for (const series of s.htf) {
      const cur = series.current;
      if (cur !== undefined && cur.end <= t) {
        this.emit(s, series, cur, events);
        series.current = undefined;
      }
    }
  }

  /** A 1m final decided in time order joins its windows (an ended window comes out first). */
  add(s: SymbolState, bar: Bar, events: BarEvent[]): void {
    joinCurrent(s, bar, (series, w) => this.emit(s, series, w, events));
  }

  /** A restored 1m final joins its windows; ended ones are kept as already emitted. */
  restore(s: SymbolState, bar: MinuteInput): void {
    joinCurrent(s, bar, retire);
  }

  /** After a restore: windows that ended by `frontier` were emitted before the restart. */
  retireEnded(s: SymbolState, frontier: number): void {
    for (const series of s.htf) {
      const cur = series.current;
      if (cur !== undefined && cur.end <= frontier) {
        retire(series, cur);
        series.current = undefined;
      }
    }
  }

  /**
   * A history fill of a past minute: merge it into (and re-emit) the windows it belongs to. A
   * `provisional` minute (a partial minute's tick bar) can later be swapped by {@link revise}.
   */
  fill(s: SymbolState, bar: MinuteInput, events: BarEvent[], provisional = false): void {
    const m = bar.open_time;
    const put = (w: WindowAggregate): void => (provisional ? w.addProvisional(bar) : w.add(bar));
    for (const series of s.htf) {
      locate(s, series, m);
      const cur = series.current;
      if (cur !== undefined && cur.start === series.winStart) {
        put(cur);
        continue;
      }
      const held = series.held.find((w) => w.start === series.winStart);
      if (held !== undefined) {
        put(held); // warm-up: the window comes out once it is covered
        continue;
      }
      const done = series.finals.get(series.winStart);
      if (done !== undefined) {
        put(done);
        pushRevision(s.symbol, series.tf, done, events);
        continue;
      }
      const agg = new WindowAggregate(series.winStart, series.winEnd);
      put(agg);
      if (this.gate.uncovered(s, agg.start) && agg.end <= s.frontier) {
        insertHeld(series.held, agg);
        continue;
      }
      // A window that began before what the engine knows cannot be rebuilt whole.
      if (series.winStart < this.gate.knownFrom(s)) continue;
      if (agg.end <= s.frontier) {
        // The window ended with no final minute: this fill makes its first (and only) final.
        series.finals.set(agg.start, agg);
        events.push({
          kind: 'final',
          symbol: s.symbol,
          tf: series.tf,
          bar: agg.toBar(series.tf, true),
        });
      } else if (cur === undefined) {
        series.current = agg;
      }
    }
  }

  /**
   * The history bar of a minute that went into its windows as a provisional tick bar: swapped in.
   * A window still in progress or held just changes (its final comes later); one already
   * emitted comes out again as its next revision.
   */
  revise(s: SymbolState, bar: Bar, events: BarEvent[]): void {
    const m = bar.open_time;
    for (const series of s.htf) {
      locate(s, series, m);
      const start = series.winStart;
      const cur = series.current;
      if (cur !== undefined && cur.start === start) {
        cur.revise(bar);
        continue;
      }
      const held = series.held.find((w) => w.start === start);
      if (held !== undefined) {
        held.revise(bar);
        continue;
      }
      const done = series.finals.get(start);
      if (done !== undefined && done.revise(bar)) pushRevision(s.symbol, series.tf, done, events);
    }
  }

  /** True when `s` holds a window. */
  holdsAny(s: SymbolState): boolean {
    return s.htf.some((series) => series.held.length > 0);
  }

  /** Emits, ordered by end, every held window that is covered and waits for no minute. */
  releaseHeld(s: SymbolState, events: BarEvent[]): void {
    const released: BarEvent[] = [];
    for (const series of s.htf) {
      if (series.held.length === 0) continue;
      const still: WindowAggregate[] = [];
      for (const w of series.held) {
        if (this.gate.uncovered(s, w.start) || this.gate.waits(s, w)) still.push(w);
        else if (!w.empty) {
          released.push({
            kind: 'final',
            symbol: s.symbol,
            tf: series.tf,
            bar: w.toBar(series.tf, true),
          });
          series.finals.set(w.start, w);
        }
      }
      series.held.length = 0;
      series.held.push(...still);
    }
    // by end; at equal ends the shorter timeframe first (the order of s.htf, a stable sort)
    released.sort((a, b) => a.bar.close_time - b.bar.close_time);
    events.push(...released);
  }

  /** Forgets emitted windows before `horizon` and held ones ended by `heldHorizon`. */
  prune(s: SymbolState, horizon: number, heldHorizon: number): void {
    for (const series of s.htf) {
      for (const [start, w] of series.finals) {
        if (w.end > horizon) break;
        series.finals.delete(start);
      }
      // A held window no warm-up covered within the memory horizon never becomes final.
      while (series.held.length > 0 && (series.held[0] as WindowAggregate).end <= heldHorizon)
        series.held.shift();
    }
  }

  /** Previews of the higher-timeframe windows that contain a changed open minute. */
  previews(s: SymbolState, minutes: Bar[], out: PreviewEvent[], wanted?: PreviewFilter): void {
    const open = s.openBars;
    for (const series of s.htf) {
      if (wanted !== undefined && !wanted(s.symbol, series.tf)) continue;
      let lastStart = -Infinity;
      for (const b of open) {
        if (!b.dirty) continue;
        locate(s, series, b.start);
        if (series.winStart === lastStart) continue;
        lastStart = series.winStart;
        const cur = series.current;
        const agg =
          cur !== undefined && cur.start === series.winStart
            ? cur.clone()
            : new WindowAggregate(series.winStart, series.winEnd);
        minutes.forEach((m) => {
          if (m.open_time >= agg.start && m.open_time < agg.end) agg.add(m);
        });
        if (agg.empty) continue;
        out.push({
          kind: 'preview',
          symbol: s.symbol,
          tf: series.tf,
          bar: agg.toBar(series.tf, false),
        });
      }
    }
  }

  private emit(s: SymbolState, series: HtfSeries, w: WindowAggregate, events: BarEvent[]): void {
    // A window without a real minute has no bar (as at the broker); a later fill makes its first.
    if (w.empty) return;
    if (this.gate.uncovered(s, w.start) || this.gate.waits(s, w)) {
      // Cold start (minutes before the engine's coverage are unknown) or a partial minute still
      // waiting for its history bar: no final yet.
      insertHeld(series.held, w);
      return;
    }
    events.push({ kind: 'final', symbol: s.symbol, tf: series.tf, bar: w.toBar(series.tf, true) });
    retire(series, w);
  }
}
