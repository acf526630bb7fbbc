import { MINUTE_MS, type Bar } from './bar';
import type { BarEvent } from './engine-events';
import type { ResolvedEngineOptions } from './engine-options';
import { MinuteFate } from './final-minute-memory';
import { locateAll, type HigherTimeframes } from './htf-windows';
import type { MinuteBar } from './minute-bar';
import { historyBar, syntheticBar, tickBuiltBar } from './minute-finals';
import { minuteIsOpen } from './session-calendar';
import {
  followFinal,
  markReal,
  sessionRunsTo,
  type PendingHistory,
  type SymbolState,
} from './symbol-state';
import type { UnobservedSpans } from './unobserved-spans';

/**
 * Finalisation of 1m minutes in event time: on each watermark every minute before it becomes
 * final once (from ticks, a waiting history bar, a synthetic bar, or nothing), partial minutes
 * wait for their history bar, and each final feeds the higher timeframes. History fills of past
 * holes come in through {@link fill}. Rules: docs/bars.md §2, §4, §4b.
 */
export class MinuteFinalizer {
  constructor(
    private readonly opts: ResolvedEngineOptions,
    private readonly spans: UnobservedSpans,
    private readonly windows: HigherTimeframes,
    private readonly memoryMs: number,
    private readonly knownFrom: (s: SymbolState) => number,
  ) {}

  /** A final for a past minute without one: out at once, merged into its windows. */
  fill(s: SymbolState, bar: Bar, fate: MinuteFate, events: BarEvent[], loud = false): void {
    const m = bar.open_time;
    events.push(
      loud
        ? { kind: 'final', symbol: s.symbol, tf: '1m', bar, unrepaired: true }
        : { kind: 'final', symbol: s.symbol, tf: '1m', bar },
    );
    s.memory.set(m, fate);
    if (m > s.lastFinalMinute) {
      s.lastFinalMinute = m;
      s.prevClose = bar.close;
      markReal(s, m);
      s.synthRun = 0;
    } else if (m > s.lastRealMinute) {
      markReal(s, m);
      s.synthRun = s.memory.countSynthetic(m + MINUTE_MS, s.frontier);
    }
    this.windows.fill(s, bar, events, loud);
  }

  /**
   * Publishes the tick-built bars of partial minutes whose history did not come by the
   * watermark `wm` (loud: `unrepaired`, counted), and releases the windows that waited on them.
   * The wait runs from the end of the unobserved span (history can be asked only once the feed
   * is back and the minute is over) and only while the feed is alive.
   */
  giveUpWaiting(s: SymbolState, wm: number, alive: boolean, events: BarEvent[]): void {
    if (!alive) return;
    const awaiting = s.awaiting;
    if (awaiting !== undefined) {
      for (const [m, bar] of awaiting) {
        if (Math.max(m + MINUTE_MS, this.spans.endOf(m)) + this.opts.partialWaitMs > wm) continue;
        awaiting.delete(m);
        s.counters.partial_unrepaired++;
        this.fill(s, bar, MinuteFate.TickPartial, events, true);
      }
    }
    if (this.windows.holdsAny(s)) this.windows.releaseHeld(s, events);
  }

  /** Decides every minute of `s` before `floor`, then ends the windows that are over. */
  advance(s: SymbolState, floor: number, alive: boolean, events: BarEvent[]): void {
    const open = s.openBars;
    let m = s.frontier;
    if (m === -Infinity) {
      m = floor;
      const first = open[0];
      if (first !== undefined && first.start < m) m = first.start;
      if (s.pending !== undefined) for (const k of s.pending.keys()) if (k < m) m = k;
    }
    if (m < floor) {
      const pending = s.pending;
      let pendingKeys: number[] | undefined;
      let pk = 0;
      if (pending !== undefined && pending.size > 0)
        pendingKeys = [...pending.keys()].sort((a, b) => a - b);
      const maxSynth = this.opts.maxSynthGapMinutes;
      while (m < floor) {
        // Each step finishes one minute or throws (a calendar failure) before changing anything,
        // and the frontier follows, so a retry on the next watermark resumes at the same minute.
        const bar = open[0];
        const partial = bar !== undefined && bar.start === m && this.spans.contains(m);
        if (partial && !s.pending?.has(m)) {
          this.awaitHistory(s, bar);
          open.shift();
          if (s.lastBar === bar) s.lastBar = undefined;
          m += MINUTE_MS;
          s.frontier = m;
          continue;
        }
        if (partial) {
          // A partial minute whose history bar is here already: that bar is its final (below).
          open.shift();
          if (s.lastBar === bar) s.lastBar = undefined;
          s.spare = bar;
          s.counters.partial_repaired++;
        } else if (bar !== undefined && bar.start === m) {
          this.finalizeTicks(s, bar, events);
          open.shift();
          if (s.lastBar === bar) s.lastBar = undefined;
          s.spare = bar;
          m += MINUTE_MS;
          s.frontier = m;
          continue;
        }
        const hist = pending?.get(m);
        if (hist !== undefined) {
          this.recordFinal(s, historyBar(m, hist), MinuteFate.History, events);
          (pending as Map<number, PendingHistory>).delete(m);
          s.counters.history_filled++;
          m += MINUTE_MS;
          s.frontier = m;
          continue;
        }
        const synthPossible = alive && s.hasTickBar && s.synthRun < maxSynth && sessionRunsTo(s, m);
        if (synthPossible) {
          if (minuteIsOpen(s.calendar, m, s.symbol)) {
            s.verifiedTo = m + MINUTE_MS;
            this.recordFinal(
              s,
              syntheticBar(m, s.prevClose as number),
              MinuteFate.Synthetic,
              events,
            );
            s.counters.synthetic++;
          } else {
            // The session is over: the next one starts at its first real minute, with no close
            // of its own to carry (a weekly open must not open at Friday's close).
            s.sessionEnded = true;
            s.memory.set(m, MinuteFate.None);
          }
          m += MINUTE_MS;
          s.frontier = m;
          continue;
        }
        // Nothing can become final before the next minute with data: jump there.
        let next = floor;
        if (bar !== undefined && bar.start < next) next = bar.start;
        if (pendingKeys !== undefined) {
          while (pk < pendingKeys.length && (pendingKeys[pk] as number) < m) pk++;
          const k = pendingKeys[pk];
          if (k !== undefined && k < next) next = k;
        }
        s.memory.clear(m, next);
        m = next;
        s.frontier = m;
      }
    }
    if (floor > s.frontier) s.frontier = floor;
    this.windows.closeEnded(s, floor, events);
    this.prune(s);
  }

  private finalizeTicks(s: SymbolState, b: MinuteBar, events: BarEvent[]): void {
    this.recordFinal(s, this.tickBar(s, b), MinuteFate.Tick, events);
    if (s.pending !== undefined && s.pending.delete(b.start)) s.counters.history_conflicts++;
  }

  /**
   * A minute the feed saw only in part: its tick-built bar waits (a hole for now) for the history
   * bar, which becomes the final; the windows holding it wait too. The symbol carries on from
   * the tick bar's close meanwhile.
   */
  private awaitHistory(s: SymbolState, b: MinuteBar): void {
    const bar = this.tickBar(s, b);
    if (s.awaiting === undefined) s.awaiting = new Map();
    s.awaiting.set(b.start, bar);
    s.memory.set(b.start, MinuteFate.None);
    s.prevClose = bar.close;
    s.synthRun = 0;
    s.hasTickBar = true;
    markReal(s, b.start);
    s.counters.partial_waiting++;
  }

  /** The final 1m bar of the ticks of `b` (previous-close open mode applied). */
  private tickBar(s: SymbolState, b: MinuteBar): Bar {
    return tickBuiltBar(b, this.opts.openMode === 'previous_close' ? s.prevClose : undefined, true);
  }

  /** Emits a 1m final decided in time order and feeds it to the higher timeframes. */
  private recordFinal(s: SymbolState, bar: Bar, fate: MinuteFate, events: BarEvent[]): void {
    // Ask the calendar first: if it fails, nothing has changed yet.
    locateAll(s, bar.open_time);
    // Windows that ended by this minute come out before it, whatever the watermark cadence.
    this.windows.closeEnded(s, bar.open_time, events);
    events.push({ kind: 'final', symbol: s.symbol, tf: '1m', bar });
    s.memory.set(bar.open_time, fate);
    followFinal(s, bar.open_time, bar.close, fate === MinuteFate.Synthetic);
    if (fate === MinuteFate.Tick) s.hasTickBar = true;
    this.windows.add(s, bar, events);
  }

  /** Forgets ended windows that lie wholly before the memory horizon. */
  private prune(s: SymbolState): void {
    this.windows.prune(s, this.knownFrom(s), s.frontier - this.memoryMs);
  }
}
