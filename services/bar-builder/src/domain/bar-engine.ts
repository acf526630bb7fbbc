import { MINUTE_MS, makeBar, minuteOf, roundDerived, type Bar, type Timeframe } from './bar';
import { BarEngineError, isBarEngineError } from './engine-error';
import {
  resolveEngineOptions,
  type BarEngineOptions,
  type ResolvedEngineOptions,
} from './engine-options';
import { FinalMinuteMemory, MinuteFate } from './final-minute-memory';
import {
  historyBarProblem,
  restoredBarProblem,
  symbolProblem,
  tickProblem,
  timeProblem,
  watermarkProblem,
  historyRangeProblem,
  type FeedState,
  type HistoryBar,
  type HistoryRange,
  type RestoredBar,
  type Tick,
  type Watermark,
} from './inputs';
import { MinuteBar } from './minute-bar';
import { minuteIsOpen, windowOf, type SessionCalendar } from './session-calendar';
import { emptyCounters, type SymbolCounters } from './symbol-counters';
import { WindowAggregate, type MinuteInput } from './window-aggregate';

/** What became of one tick. */
export type TickDisposition =
  'applied' | 'late' | 'duplicate' | 'future' | 'outside_session' | 'already_final';

/** A bar became final. Exactly once per `(symbol, tf, open_time)`. */
export interface FinalEvent {
  kind: 'final';
  symbol: string;
  tf: Timeframe;
  bar: Bar;
  /**
   * Set on the 1m final of a minute the feed saw only in part whose history bar did not come
   * within `partialWaitMs`: the tick-built bar, published as a loud fallback.
   */
  unrepaired?: true;
}

/**
 * A higher-timeframe bar already final was rebuilt because a history bar filled one of its
 * minutes: same `(symbol, tf, open_time)`, new content, `revision` 1, 2, …
 */
export interface RevisedEvent {
  kind: 'revised';
  symbol: string;
  tf: Timeframe;
  bar: Bar;
  revision: number;
}

/** What the engine emits from watermarks and history bars. */
export type BarEvent = FinalEvent | RevisedEvent;

/** The current open bar of a `(symbol, tf)` (`complete=false`). */
export interface PreviewEvent {
  kind: 'preview';
  symbol: string;
  tf: Timeframe;
  bar: Bar;
}

/** Options of {@link BarEngine.restore}. */
export interface RestoreOptions {
  /**
   * The watermark the engine had reached when the restored bars were stored. Minutes and
   * higher-timeframe windows that ended by then count as already final, so a window that closed
   * on an empty stretch is not emitted a second time after the restart.
   */
  watermark?: number;
}

/** Engine-wide state for status reports. */
export interface EngineStatus {
  /** Latest watermark (int ms), or null before the first. */
  watermark: number | null;
  /** Feed state of the latest watermark, or null before the first. */
  feed: FeedState | null;
  symbols: number;
  /** Open 1m bars over all symbols. */
  openBars: number;
  /** Watermarks that were not ahead of the previous one (ignored). */
  watermarkRegressions: number;
  /** Symbols whose last watermark step failed on their calendar, with the error message. */
  failing: Record<string, string>;
}

interface PendingHistory {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The windows of one higher timeframe of one symbol. */
class HtfSeries {
  readonly tf: Timeframe;
  /** The window that has final minutes but has not ended yet. */
  current: WindowAggregate | undefined;
  /** Emitted windows still within the memory horizon, by start: what a history fill revises. */
  readonly finals = new Map<number, WindowAggregate>();
  /**
   * Windows that ended before every open minute of them was covered (cold start), oldest first:
   * not final yet; warm-up history covering them releases them (`onHistoryRange`).
   */
  readonly held: WindowAggregate[] = [];
  // Bounds of the last window looked up (most lookups hit the same window).
  winStart = 0;
  winEnd = 0;

  constructor(tf: Timeframe) {
    this.tf = tf;
  }
}

class SymbolState {
  readonly symbol: string;
  readonly calendar: SessionCalendar;
  readonly counters = emptyCounters();
  /** Open 1m bars, oldest first (usually one; more while ticks run ahead of the watermark). */
  readonly openBars: MinuteBar[] = [];
  lastBar: MinuteBar | undefined;
  /** A finalised bar kept for reuse, so a steady stream allocates no bar per minute. */
  spare: MinuteBar | undefined;
  /** First minute that is not final; -Infinity before anything is decided. */
  frontier = -Infinity;
  /** Earliest minute the engine's knowledge of finals is complete from (restore start). */
  knownFrom = -Infinity;
  /**
   * Earliest minute from which every minute of the symbol is covered (by ticks, history or the
   * store); undefined: from the engine's first tick or watermark. Only used when windows that
   * began before it are held (`holdUncoveredWindows`).
   */
  coveredFrom: number | undefined;
  prevClose: number | undefined;
  lastFinalMinute = -Infinity;
  /** Latest non-synthetic final. */
  lastRealMinute = -Infinity;
  /** Synthetic finals after the latest non-synthetic final. */
  synthRun = 0;
  /**
   * Minutes `(lastRealMinute, verifiedTo)` are known to be open: the session of the latest real
   * minute still runs there, so its close may be carried into a synthetic bar.
   */
  verifiedTo = -Infinity;
  /** A closed minute lies after the latest real minute: no synthetic bar until the next one. */
  sessionEnded = false;
  /** A tick-built final exists: synthetic bars may follow. */
  hasTickBar = false;
  pending: Map<number, PendingHistory> | undefined;
  readonly htf: HtfSeries[];
  readonly memory: FinalMinuteMemory;
  dirty = false;
  /** The calendar failure that stopped the symbol's last watermark step, if any. */
  failure: string | undefined;
  /**
   * Minutes the feed saw only in part that got ticks, waiting for their history bar (NoMix: the
   * history bar becomes their final), with their tick-built bar.
   */
  awaiting: Map<number, Bar> | undefined;

  constructor(
    symbol: string,
    calendar: SessionCalendar,
    htf: readonly Timeframe[],
    memoryMinutes: number,
  ) {
    this.symbol = symbol;
    this.calendar = calendar;
    this.htf = htf.map((tf) => new HtfSeries(tf));
    this.memory = new FinalMinuteMemory(memoryMinutes);
  }
}

const NO_EVENTS: readonly BarEvent[] = Object.freeze([]);
const WEEK_MS = 7 * 24 * 3_600_000;

/** A real (tick or history) final of minute `m` is the latest: its session runs from there. */
function markReal(s: SymbolState, m: number): void {
  s.lastRealMinute = m;
  s.verifiedTo = m + MINUTE_MS;
  s.sessionEnded = false;
}
const MIN_TS = 946_684_800_000;
const MAX_TS = 9_999_999_999_999;
const MODE_MID = 0;
const MODE_BID = 1;
const MODE_ASK = 2;

/**
 * The pure, deterministic core of the bar builder: ticks, watermarks and history bars of one
 * shard in, final bars (and previews on request) out. No I/O and no clock: every output is a
 * function of the inputs and their order. Rules: docs/bars.md.
 */
export class BarEngine {
  private readonly opts: ResolvedEngineOptions;
  private readonly mode: number;
  private readonly htfFrames: readonly Timeframe[];
  private readonly memoryMs: number;
  private readonly states = new Map<string, SymbolState>();
  private lastSymbol: string | undefined;
  private lastState: SymbolState | undefined;
  private wm = -Infinity;
  /** Minute of the engine's first tick or watermark: what a fresh symbol is covered from. */
  private origin = Infinity;
  /**
   * Minute spans `[from, to)` the feed did not fully observe (`onPartialMinutes`), oldest first;
   * `settled` once the wait for their history is over.
   */
  private readonly partials: Array<{ from: number; to: number; settled: boolean }> = [];
  private futureLimit = Infinity;
  private nextBoundary = -Infinity;
  private feed: FeedState | null = null;
  private deadSinceBoundary = false;
  private regressions = 0;
  private readonly dirtySymbols: SymbolState[] = [];

  constructor(options: BarEngineOptions) {
    this.opts = resolveEngineOptions(options);
    this.mode =
      this.opts.priceMode === 'mid'
        ? MODE_MID
        : this.opts.priceMode === 'bid'
          ? MODE_BID
          : MODE_ASK;
    this.htfFrames = this.opts.timeframes.filter((tf) => tf !== '1m');
    this.memoryMs = this.opts.finalMemoryMinutes * MINUTE_MS;
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedEngineOptions {
    return this.opts;
  }

  /**
   * Aggregates one tick into the open 1m bar of its minute. Throws `BAR_INVALID_TICK` (state
   * unchanged, counted `invalid`) for a malformed tick; otherwise says what became of it.
   */
  onTick(t: Tick): TickDisposition {
    const ts = t?.ts;
    const bid = t?.bid;
    const ask = t?.ask;
    if (!(
      typeof bid === 'number' &&
      typeof ask === 'number' &&
      bid > 0 &&
      ask > 0 &&
      bid < Infinity &&
      ask < Infinity &&
      Number.isInteger(ts) &&
      ts >= MIN_TS &&
      ts <= MAX_TS
    )) {
      this.rejectTick(t);
    }
    if (this.origin === Infinity) this.origin = ts - (ts % MINUTE_MS);
    const s = this.stateFor(t.symbol);
    const c = s.counters;
    if (ts > this.futureLimit) {
      c.ticks++;
      c.future++;
      return 'future';
    }
    const minute = ts - (ts % MINUTE_MS);
    if (minute < s.frontier) {
      c.ticks++;
      if (ts < this.wm) {
        c.late++;
        return 'late';
      }
      c.already_final++;
      return 'already_final';
    }
    let bar = s.lastBar;
    if (bar === undefined || bar.start !== minute) {
      bar = this.openBarFor(s, minute);
      if (bar === undefined) {
        c.ticks++;
        c.outside_session++;
        return 'outside_session';
      }
    }
    // Mid rounded like every derived figure: (1.38756 + 1.38758) / 2 is 1.3875700000000002 in
    // binary, and that noise would reach the wire.
    const price =
      this.mode === MODE_MID ? roundDerived((bid + ask) / 2) : this.mode === MODE_BID ? bid : ask;
    c.ticks++;
    if (!bar.apply(ts, bid, ask, price)) {
      c.duplicate++;
      return 'duplicate';
    }
    c.applied++;
    if (!s.dirty) {
      s.dirty = true;
      this.dirtySymbols.push(s);
    }
    return 'applied';
  }

  /**
   * Advances the event-time clock. Every minute that ended by `w.ts` becomes final (tick bar,
   * history bar, synthetic bar or nothing), and every higher-timeframe window that ended.
   * Returns the finals ordered by bar end, then symbol (1m before the windows ending with it):
   * the same list whatever the watermark cadence.
   */
  onWatermark(w: Watermark): readonly BarEvent[] {
    const problem = watermarkProblem(w);
    if (problem !== undefined)
      throw new BarEngineError('BAR_INVALID_WATERMARK', `watermark: ${problem}`);
    if (this.origin === Infinity) this.origin = minuteOf(w.ts);
    this.feed = w.feed;
    if (w.feed === 'dead') this.deadSinceBoundary = true;
    if (w.ts <= this.wm) {
      if (w.ts < this.wm) this.regressions++;
      return NO_EVENTS;
    }
    this.wm = w.ts;
    this.futureLimit = w.ts + this.opts.futureToleranceMs;
    if (w.ts < this.nextBoundary) return NO_EVENTS;
    const floor = minuteOf(w.ts);
    this.nextBoundary = floor + MINUTE_MS;
    const alive = !this.deadSinceBoundary;
    this.deadSinceBoundary = false;
    const events: BarEvent[] = [];
    if (alive && w.feed === 'alive') {
      // The wait for a span's history runs once the feed is back (only then can it be asked).
      for (const p of this.partials)
        if (!p.settled && p.to + this.opts.partialWaitMs <= w.ts) p.settled = true;
    }
    for (const s of this.states.values()) {
      try {
        this.advance(s, floor, alive, events);
        this.giveUpWaiting(s, w.ts, alive && w.feed === 'alive', events);
        s.failure = undefined;
      } catch (err) {
        // One symbol's broken calendar must not stop the shard: its minutes wait (the frontier
        // stays on the failing minute) and the failure shows in counters and status.
        if (!isBarEngineError(err, 'BAR_CALENDAR_FAILED')) throw err;
        s.counters.calendar_errors++;
        s.failure = err.message;
      }
    }
    // One canonical order for any cadence: by bar end, then symbol; each symbol's events are
    // already in that order (1m before the windows ending with it), and the sort is stable.
    if (events.length > 1 && this.states.size > 1) events.sort(byEndThenSymbol);
    return events;
  }

  /**
   * Takes one FXCM history 1m bar (NoMix): it fills a past minute that has no final, or becomes
   * the final of a minute not yet final if no tick lands in it; it never replaces a final.
   * Returns the 1m final of a fill and the higher-timeframe bars it creates or revises.
   */
  onHistoryBar(h: HistoryBar): readonly BarEvent[] {
    const problem = historyBarProblem(h);
    if (problem !== undefined) {
      const known = typeof h?.symbol === 'string' ? this.states.get(h.symbol) : undefined;
      if (known !== undefined) known.counters.invalid++;
      throw new BarEngineError(
        'BAR_INVALID_HISTORY_BAR',
        `history bar ${describeKey(h)}: ${problem}`,
        {
          symbol: typeof h?.symbol === 'string' ? h.symbol : undefined,
        },
      );
    }
    const s = this.stateFor(h.symbol);
    const c = s.counters;
    const m = h.open_time;
    if (m > this.futureLimit) {
      c.history_future++;
      return NO_EVENTS;
    }
    if (!minuteIsOpen(s.calendar, m, s.symbol)) {
      c.history_outside_session++;
      return NO_EVENTS;
    }
    const prices = this.historyPrices(h);
    if (m >= s.frontier) {
      if (s.pending === undefined) s.pending = new Map();
      if (s.pending.has(m)) c.history_duplicate++;
      s.pending.set(m, prices);
      return NO_EVENTS;
    }
    if (m < this.knownFrom(s) && !this.warms(s, m)) {
      c.history_stale++;
      return NO_EVENTS;
    }
    const fate = s.memory.get(m);
    if (fate === MinuteFate.History) {
      c.history_duplicate++;
      return NO_EVENTS;
    }
    if (fate === MinuteFate.TickPartial) {
      // The one documented revision: a partial minute published from its ticks after the wait,
      // now corrected by its history bar. Derived windows keep the bar they were built from.
      s.memory.set(m, MinuteFate.History);
      c.partial_revised++;
      const bar = historyBar(m, prices);
      return [{ kind: 'revised', symbol: s.symbol, tf: '1m', bar, revision: 1 }];
    }
    if (fate !== MinuteFate.None) {
      c.history_conflicts++;
      return NO_EVENTS;
    }
    for (const series of s.htf) this.locate(s, series, m); // may throw: nothing changed yet
    const events: BarEvent[] = [];
    if (s.awaiting?.delete(m)) c.partial_repaired++;
    this.fill(s, historyBar(m, prices), MinuteFate.History, events);
    c.history_filled++;
    this.releaseHeld(s, events);
    return events;
  }

  /** A final for a past minute without one: out at once, merged into its windows. */
  private fill(s: SymbolState, bar: Bar, fate: MinuteFate, events: BarEvent[], loud = false): void {
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
    this.fillWindows(s, bar, events);
  }

  /**
   * Publishes the tick-built bars of partial minutes whose history did not come by the
   * watermark `wm` (loud: `unrepaired`, counted), and releases the windows that waited on them.
   * The wait runs from the end of the unobserved span (history can be asked only once the feed
   * is back and the minute is over) and only while the feed is alive.
   */
  private giveUpWaiting(s: SymbolState, wm: number, alive: boolean, events: BarEvent[]): void {
    if (!alive) return;
    const awaiting = s.awaiting;
    if (awaiting !== undefined) {
      for (const [m, bar] of awaiting) {
        if (Math.max(m + MINUTE_MS, this.partialEnd(m)) + this.opts.partialWaitMs > wm) continue;
        awaiting.delete(m);
        s.counters.partial_unrepaired++;
        this.fill(s, bar, MinuteFate.TickPartial, events, true);
      }
    }
    if (s.htf.some((series) => series.held.length > 0)) this.releaseHeld(s, events);
  }

  /** End of the unobserved span that contains minute `m` (or `m` when none does). */
  private partialEnd(m: number): number {
    for (const p of this.partials) if (m >= p.from && m < p.to) return p.to;
    return m;
  }

  /** True when minute `m` lies in a span the feed did not fully observe. */
  private isPartial(m: number): boolean {
    for (let i = this.partials.length - 1; i >= 0; i--) {
      const p = this.partials[i] as { from: number; to: number };
      if (m >= p.from && m < p.to) return true;
      if (p.to <= m) return false; // spans are kept in order; older ones end earlier
    }
    return false;
  }

  /**
   * True when a minute of window `w` waits for its history bar: a partial minute with ticks, or
   * an open minute of an unobserved span that has no final yet, while that span's wait runs.
   */
  private waitsIn(s: SymbolState, w: WindowAggregate): boolean {
    if (s.awaiting !== undefined)
      for (const m of s.awaiting.keys()) if (m >= w.start && m < w.end) return true;
    for (const p of this.partials) {
      if (p.settled || p.to <= w.start || p.from >= w.end) continue;
      const end = Math.min(p.to, w.end, s.frontier);
      for (let k = Math.max(p.from, w.start); k < end; k += MINUTE_MS) {
        if (s.memory.get(k) === MinuteFate.None && minuteIsOpen(s.calendar, k, s.symbol))
          return true;
      }
    }
    return false;
  }

  /** Emits, ordered by end, every held window that is covered and waits for no minute. */
  private releaseHeld(s: SymbolState, events: BarEvent[]): void {
    const released: BarEvent[] = [];
    for (const series of s.htf) {
      if (series.held.length === 0) continue;
      const still: WindowAggregate[] = [];
      for (const w of series.held) {
        if (this.uncovered(s, w.start) || this.waitsIn(s, w)) still.push(w);
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

  /**
   * The gateway did not observe the feed during `[from, to)` (int epoch ms: its start, a
   * disconnect, a dead feed). Every minute touched is partial for every symbol: a minute not yet
   * final that gets ticks waits for its history bar (`partialWaitMs`); one already final from
   * ticks takes its history bar later as its one revision.
   */
  onPartialMinutes(p: { from: number; to: number }): void {
    const problem =
      timeProblem('from', p?.from) ??
      timeProblem('to', p?.to) ??
      (p.to < p.from ? `to ${p.to} is before from ${p.from}` : undefined);
    if (problem !== undefined)
      throw new BarEngineError('BAR_INVALID_PARTIAL', `partial minutes: ${problem}`);
    const a = minuteOf(p.from);
    const b = p.to % MINUTE_MS === 0 && p.to > p.from ? p.to : minuteOf(p.to) + MINUTE_MS;
    const last = this.partials[this.partials.length - 1];
    if (last !== undefined && a <= last.to && a >= last.from) {
      last.to = Math.max(last.to, b);
      last.settled = false;
    } else {
      let i = this.partials.length;
      while (i > 0 && (this.partials[i - 1] as { from: number }).from > a) i--;
      this.partials.splice(i, 0, { from: a, to: b, settled: false });
    }
    // Minutes already final from ticks: their history bar will be their one revision.
    for (const s of this.states.values()) {
      for (let m = a; m < b && m < s.frontier; m += MINUTE_MS) {
        if (m >= s.frontier - this.memoryMs && s.memory.get(m) === MinuteFate.Tick)
          s.memory.set(m, MinuteFate.TickPartial);
      }
    }
    // Old spans cannot touch a minute that is not final yet.
    const horizon = this.wm - this.memoryMs;
    while (this.partials.length > 0 && (this.partials[0] as { to: number }).to < horizon)
      this.partials.shift();
  }

  /**
   * Seeds a symbol from its recent final 1m bars (oldest first), before any other input for it:
   * previous close, synthetic run, higher-timeframe windows in progress, and the minutes already
   * final (re-delivered ticks for them count `already_final`). For exact higher-timeframe bars,
   * pass every final since {@link restoreStart}.
   */
  restore(symbol: string, finals1m: readonly RestoredBar[], options: RestoreOptions = {}): void {
    const sp = symbolProblem(symbol);
    if (sp !== undefined) throw new BarEngineError('BAR_INVALID_RESTORE', `restore: ${sp}`);
    if (this.states.has(symbol)) {
      throw new BarEngineError(
        'BAR_RESTORE_AFTER_START',
        `restore(${symbol}): the engine already has state for ${symbol}; restore must come before its first tick, history bar or restore`,
        { symbol },
      );
    }
    if (!Array.isArray(finals1m)) {
      throw new BarEngineError(
        'BAR_INVALID_RESTORE',
        `restore(${symbol}): finals1m must be an array`,
        { symbol },
      );
    }
    let prev = -Infinity;
    finals1m.forEach((b, i) => {
      const problem = restoredBarProblem(b);
      if (problem !== undefined) {
        throw new BarEngineError(
          'BAR_INVALID_RESTORE',
          `restore(${symbol}): finals1m[${i}].${problem}`,
          { symbol },
        );
      }
      if (b.open_time <= prev) {
        throw new BarEngineError(
          'BAR_INVALID_RESTORE',
          `restore(${symbol}): finals1m[${i}].open_time ${b.open_time} is not after the previous bar's ${prev} (oldest first, one bar per minute)`,
          { symbol },
        );
      }
      prev = b.open_time;
    });
    const resume = options.watermark;
    if (resume !== undefined) {
      const tp = timeProblem('watermark', resume);
      if (tp !== undefined)
        throw new BarEngineError('BAR_INVALID_RESTORE', `restore(${symbol}): ${tp}`, { symbol });
    }
    const s = this.stateFor(symbol);
    try {
      this.seed(s, finals1m, resume);
    } catch (err) {
      // All or nothing: a calendar failure half-way leaves no state behind.
      this.states.delete(symbol);
      this.lastSymbol = undefined;
      this.lastState = undefined;
      throw err;
    }
  }

  private seed(s: SymbolState, finals1m: readonly RestoredBar[], resume: number | undefined): void {
    const last = finals1m[finals1m.length - 1];
    let frontier = s.frontier;
    if (last !== undefined) frontier = Math.max(frontier, last.open_time + MINUTE_MS);
    if (resume !== undefined) frontier = Math.max(frontier, minuteOf(resume));
    s.frontier = frontier;
    const first = finals1m[0];
    if (first === undefined) return;
    s.knownFrom = first.open_time;
    s.coveredFrom = first.open_time;
    const horizon = frontier - this.memoryMs;
    for (const b of finals1m) {
      const fate =
        b.source === 'history'
          ? MinuteFate.History
          : b.synthetic
            ? MinuteFate.Synthetic
            : MinuteFate.Tick;
      if (b.open_time >= horizon) s.memory.set(b.open_time, fate);
      s.prevClose = b.close;
      s.lastFinalMinute = b.open_time;
      if (fate === MinuteFate.Synthetic) s.synthRun++;
      else {
        s.synthRun = 0;
        markReal(s, b.open_time);
      }
      if (fate !== MinuteFate.History) s.hasTickBar = true;
      for (const series of s.htf) {
        this.locate(s, series, b.open_time);
        let cur = series.current;
        if (cur !== undefined && cur.start !== series.winStart) {
          this.retire(series, cur);
          cur = undefined;
        }
        if (cur === undefined) {
          cur = new WindowAggregate(series.winStart, series.winEnd);
          cur.partial = series.winStart < s.knownFrom;
          series.current = cur;
        }
        cur.add(b);
      }
    }
    for (const series of s.htf) {
      const cur = series.current;
      if (cur !== undefined && cur.end <= frontier) {
        this.retire(series, cur);
        series.current = undefined;
      }
    }
  }

  /**
   * Earliest open_time of the final 1m bars {@link restore} needs so that every window in
   * progress at `lastOpenTime` (the newest stored final) is rebuilt whole: the start of its
   * longest configured window.
   */
  restoreStart(symbol: string, lastOpenTime: number): number {
    const calendar = this.states.get(symbol)?.calendar ?? this.calendarFor(symbol);
    let start = minuteOf(lastOpenTime);
    for (const tf of this.htfFrames)
      start = Math.min(start, windowOf(tf, start, calendar, symbol).start);
    return start;
  }

  /**
   * The open bar of every `(symbol, tf)` whose content changed (by ticks) since the last call,
   * `complete=false`. The service calls it on its publish timer; the engine keeps no clock.
   */
  previews(): PreviewEvent[] {
    const out: PreviewEvent[] = [];
    for (const s of this.dirtySymbols) {
      s.dirty = false;
      const open = s.openBars;
      if (!open.some((b) => b.dirty)) continue;
      const minutes = open.map((b, i) => this.previewMinute(s, b, i));
      open.forEach((b, i) => {
        if (b.dirty)
          out.push({ kind: 'preview', symbol: s.symbol, tf: '1m', bar: minutes[i] as Bar });
      });
      try {
        this.previewWindows(s, minutes, out);
      } catch (err) {
        // Without its calendar a symbol still previews its 1m bars; the failure is reported.
        if (!isBarEngineError(err, 'BAR_CALENDAR_FAILED')) throw err;
        s.failure = err.message;
      }
      for (const b of open) b.dirty = false;
    }
    this.dirtySymbols.length = 0;
    return out;
  }

  /** Previews of the higher-timeframe windows that contain a changed open minute. */
  private previewWindows(s: SymbolState, minutes: Bar[], out: PreviewEvent[]): void {
    const open = s.openBars;
    for (const series of s.htf) {
      let lastStart = -Infinity;
      for (const b of open) {
        if (!b.dirty) continue;
        this.locate(s, series, b.start);
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

  /** Counters per symbol (a fresh plain-object copy). */
  counters(): Record<string, SymbolCounters> {
    const out: Record<string, SymbolCounters> = {};
    for (const [symbol, s] of this.states) out[symbol] = { ...s.counters };
    return out;
  }

  /** Engine-wide state. */
  status(): EngineStatus {
    let openBars = 0;
    const failing: Record<string, string> = {};
    for (const s of this.states.values()) {
      openBars += s.openBars.length;
      if (s.failure !== undefined) failing[s.symbol] = s.failure;
    }
    return {
      watermark: this.wm === -Infinity ? null : this.wm,
      feed: this.feed,
      symbols: this.states.size,
      openBars,
      watermarkRegressions: this.regressions,
      failing,
    };
  }

  // ---- internals -------------------------------------------------------------------------

  private rejectTick(t: Tick): never {
    const problem = tickProblem(t) ?? 'malformed tick';
    const known = typeof t?.symbol === 'string' ? this.states.get(t.symbol) : undefined;
    if (known !== undefined) known.counters.invalid++;
    throw new BarEngineError('BAR_INVALID_TICK', `tick ${describeKey(t)}: ${problem}`, {
      symbol: typeof t?.symbol === 'string' ? t.symbol : undefined,
    });
  }

  private calendarFor(symbol: string): SessionCalendar {
    let calendar: SessionCalendar;
    try {
      calendar = this.opts.calendarFor(symbol);
    } catch (err) {
      throw new BarEngineError(
        'BAR_CALENDAR_FAILED',
        `${symbol}: calendarFor threw: ${(err as Error).message}`,
        {
          symbol,
          cause: err,
        },
      );
    }
    if (typeof calendar?.isOpen !== 'function' || typeof calendar.tradingDayStart !== 'function') {
      throw new BarEngineError(
        'BAR_CALENDAR_FAILED',
        `${symbol}: calendarFor returned no calendar (needs isOpen and tradingDayStart)`,
        { symbol },
      );
    }
    return calendar;
  }

  private stateFor(symbol: string): SymbolState {
    if (symbol === this.lastSymbol) return this.lastState as SymbolState;
    let s = this.states.get(symbol);
    if (s === undefined) {
      const sp = symbolProblem(symbol);
      if (sp !== undefined) throw new BarEngineError('BAR_INVALID_TICK', sp);
      s = new SymbolState(
        symbol,
        this.calendarFor(symbol),
        this.htfFrames,
        this.opts.finalMemoryMinutes,
      );
      // Everything before the current watermark is decided: the symbol had nothing there.
      if (this.wm > -Infinity) s.frontier = minuteOf(this.wm);
      this.states.set(symbol, s);
    }
    this.lastSymbol = symbol;
    this.lastState = s;
    return s;
  }

  /** The open bar of `minute`, created if the minute is open; undefined when it is closed. */
  private openBarFor(s: SymbolState, minute: number): MinuteBar | undefined {
    const open = s.openBars;
    let i = open.length - 1;
    while (i >= 0 && (open[i] as MinuteBar).start > minute) i--;
    const found = open[i];
    if (found !== undefined && found.start === minute) {
      s.lastBar = found;
      return found;
    }
    if (!minuteIsOpen(s.calendar, minute, s.symbol)) return undefined;
    let bar = s.spare;
    if (bar !== undefined) {
      s.spare = undefined;
      bar.reset(minute);
    } else bar = new MinuteBar(minute);
    open.splice(i + 1, 0, bar);
    s.lastBar = bar;
    return bar;
  }

  private knownFrom(s: SymbolState): number {
    return Math.max(s.knownFrom, s.frontier - this.memoryMs);
  }

  private historyPrices(h: HistoryBar): PendingHistory {
    if (this.mode === MODE_BID) {
      return {
        open: h.bid_open,
        high: h.bid_high,
        low: h.bid_low,
        close: h.bid_close,
        volume: h.volume,
      };
    }
    if (this.mode === MODE_ASK) {
      return {
        open: h.ask_open,
        high: h.ask_high,
        low: h.ask_low,
        close: h.ask_close,
        volume: h.volume,
      };
    }
    return {
      open: roundDerived((h.bid_open + h.ask_open) / 2),
      high: roundDerived((h.bid_high + h.ask_high) / 2),
      low: roundDerived((h.bid_low + h.ask_low) / 2),
      close: roundDerived((h.bid_close + h.ask_close) / 2),
      volume: h.volume,
    };
  }

  /** Decides every minute of `s` before `floor`, then ends the windows that are over. */
  private advance(s: SymbolState, floor: number, alive: boolean, events: BarEvent[]): void {
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
        const partial = bar !== undefined && bar.start === m && this.isPartial(m);
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
        const synthPossible =
          alive && s.hasTickBar && s.synthRun < maxSynth && this.sessionRunsTo(s, m);
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
    for (const series of s.htf) {
      const cur = series.current;
      if (cur !== undefined && cur.end <= floor) {
        this.emitWindow(s, series, cur, events);
        series.current = undefined;
      }
    }
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
    let open = b.open;
    let high = b.high;
    let low = b.low;
    if (this.opts.openMode === 'previous_close' && s.prevClose !== undefined) {
      open = s.prevClose;
      if (open > high) high = open;
      if (open < low) low = open;
    }
    return makeBar({
      tf: '1m',
      openTime: b.start,
      closeTime: b.start + MINUTE_MS - 1,
      open,
      high,
      low,
      close: b.close,
      volume: b.count,
      tickCount: b.count,
      complete: true,
      synthetic: false,
      source: 'tick_agg',
      avgSpread: b.spreadSum / b.count,
      maxSpread: b.maxSpread,
    });
  }

  /** Emits a 1m final decided in time order and feeds it to the higher timeframes. */
  private recordFinal(s: SymbolState, bar: Bar, fate: MinuteFate, events: BarEvent[]): void {
    // Ask the calendar first: if it fails, nothing has changed yet.
    for (const series of s.htf) this.locate(s, series, bar.open_time);
    // Windows that ended by this minute come out before it, whatever the watermark cadence.
    for (const series of s.htf) {
      const cur = series.current;
      if (cur !== undefined && cur.end <= bar.open_time) {
        this.emitWindow(s, series, cur, events);
        series.current = undefined;
      }
    }
    events.push({ kind: 'final', symbol: s.symbol, tf: '1m', bar });
    s.memory.set(bar.open_time, fate);
    s.prevClose = bar.close;
    s.lastFinalMinute = bar.open_time;
    if (fate === MinuteFate.Synthetic) s.synthRun++;
    else {
      s.synthRun = 0;
      markReal(s, bar.open_time);
    }
    if (fate === MinuteFate.Tick) s.hasTickBar = true;
    for (const series of s.htf) {
      this.locate(s, series, bar.open_time);
      let cur = series.current;
      if (cur !== undefined && cur.start !== series.winStart) {
        this.emitWindow(s, series, cur, events);
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

  /** A history fill of a past minute: merge it into (and re-emit) the windows it belongs to. */
  private fillWindows(s: SymbolState, bar: MinuteInput, events: BarEvent[]): void {
    const m = bar.open_time;
    for (const series of s.htf) {
      this.locate(s, series, m);
      const cur = series.current;
      if (cur !== undefined && cur.start === series.winStart) {
        cur.add(bar);
        continue;
      }
      const held = series.held.find((w) => w.start === series.winStart);
      if (held !== undefined) {
        held.add(bar); // warm-up: the window comes out once it is covered
        continue;
      }
      const done = series.finals.get(series.winStart);
      if (done !== undefined) {
        done.add(bar);
        done.revision++;
        events.push({
          kind: 'revised',
          symbol: s.symbol,
          tf: series.tf,
          bar: done.toBar(series.tf, true),
          revision: done.revision,
        });
        continue;
      }
      const agg = new WindowAggregate(series.winStart, series.winEnd);
      agg.add(bar);
      if (this.uncovered(s, agg.start) && agg.end <= s.frontier) {
        insertHeld(series.held, agg);
        continue;
      }
      // A window that began before what the engine knows cannot be rebuilt whole.
      if (series.winStart < this.knownFrom(s)) continue;
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

  private emitWindow(
    s: SymbolState,
    series: HtfSeries,
    w: WindowAggregate,
    events: BarEvent[],
  ): void {
    // A window without a real minute has no bar (as at the broker); a later fill makes its first.
    if (w.empty) return;
    if (this.uncovered(s, w.start) || this.waitsIn(s, w)) {
      // Cold start (minutes before the engine's coverage are unknown) or a partial minute still
      // waiting for its history bar: no final yet.
      insertHeld(series.held, w);
      return;
    }
    events.push({ kind: 'final', symbol: s.symbol, tf: series.tf, bar: w.toBar(series.tf, true) });
    this.retire(series, w);
  }

  /** Keeps an ended window for revisions, unless only part of it is known or it has no bar. */
  private retire(series: HtfSeries, w: WindowAggregate): void {
    if (!w.partial && !w.empty) series.finals.set(w.start, w);
  }

  /**
   * True when every minute from the symbol's latest real minute up to `m` is open, so the
   * session of that minute still runs and its close may be carried. Asks the calendar only for
   * minutes not yet checked (the run of synthetic bars checks each minute as it goes), so the
   * cost is paid once per stretch jumped over (a dead feed, a restart).
   */
  private sessionRunsTo(s: SymbolState, m: number): boolean {
    if (s.sessionEnded) return false;
    if (s.verifiedTo >= m) return true;
    // A stretch longer than a week contains a weekend whatever the calendar.
    if (m - s.verifiedTo > WEEK_MS) {
      s.sessionEnded = true;
      return false;
    }
    for (let k = s.verifiedTo; k < m; k += MINUTE_MS) {
      if (!minuteIsOpen(s.calendar, k, s.symbol)) {
        s.sessionEnded = true;
        return false;
      }
    }
    s.verifiedTo = m;
    return true;
  }

  /** Sets `series.winStart/winEnd` to the window containing `minute`. */
  private locate(s: SymbolState, series: HtfSeries, minute: number): void {
    if (minute >= series.winStart && minute < series.winEnd) return;
    const w = windowOf(series.tf, minute, s.calendar, s.symbol);
    series.winStart = w.start;
    series.winEnd = w.end;
  }

  /** Forgets ended windows that lie wholly before the memory horizon. */
  private prune(s: SymbolState): void {
    const horizon = this.knownFrom(s);
    const heldHorizon = s.frontier - this.memoryMs;
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

  /** The minute from which every minute of `s` is covered (ticks, history or the store). */
  private coverage(s: SymbolState): number {
    return s.coveredFrom ?? this.origin;
  }

  /** True when a window starting at `start` has minutes before the coverage of `s` (held). */
  private uncovered(s: SymbolState, start: number): boolean {
    return this.opts.holdUncoveredWindows && start < this.coverage(s);
  }

  /** The earliest start of a held or in-progress window of `s` not yet covered, or Infinity. */
  private warmFloor(s: SymbolState): number {
    const cov = this.coverage(s);
    let floor = Infinity;
    for (const series of s.htf) {
      const first = series.held[0];
      if (first !== undefined && first.start < floor) floor = first.start;
      const cur = series.current;
      if (cur !== undefined && cur.start < cov && cur.start < floor) floor = cur.start;
    }
    return floor < cov ? floor : Infinity;
  }

  /** True when a history bar of minute `m` warms a window the engine holds for coverage. */
  private warms(s: SymbolState, m: number): boolean {
    return (
      this.opts.holdUncoveredWindows &&
      m >= this.warmFloor(s) &&
      m < this.coverage(s) &&
      m >= s.frontier - this.memoryMs
    );
  }

  /**
   * History says it delivered every bar it has of `symbol` for `[from, to)` (its bars came
   * before this on the same stream). When that reaches the symbol's coverage, the coverage moves
   * back to `from`, and the held windows it now covers come out as finals, ordered by end.
   */
  onHistoryRange(r: HistoryRange): readonly BarEvent[] {
    const problem = historyRangeProblem(r);
    if (problem !== undefined)
      throw new BarEngineError('BAR_INVALID_HISTORY_RANGE', `history range: ${problem}`, {
        symbol: typeof r?.symbol === 'string' ? r.symbol : undefined,
      });
    const s = this.states.get(r.symbol);
    if (s === undefined || !this.opts.holdUncoveredWindows) return NO_EVENTS;
    const cov = this.coverage(s);
    const from = minuteOf(r.from);
    if (!(from < cov && r.to >= cov)) return NO_EVENTS;
    s.coveredFrom = from;
    if (s.knownFrom === -Infinity || from < s.knownFrom) s.knownFrom = from;
    const events: BarEvent[] = [];
    this.releaseHeld(s, events);
    return events;
  }

  /**
   * What each symbol still needs from history before its held and in-progress windows can be
   * final: `[from, to)` with `to` = its coverage. Empty when nothing is held.
   */
  warmupNeeds(): { symbol: string; from: number; to: number }[] {
    const out: { symbol: string; from: number; to: number }[] = [];
    if (!this.opts.holdUncoveredWindows) return out;
    for (const s of this.states.values()) {
      const floor = this.warmFloor(s);
      if (floor !== Infinity) out.push({ symbol: s.symbol, from: floor, to: this.coverage(s) });
    }
    return out;
  }

  private previewMinute(s: SymbolState, b: MinuteBar, i: number): Bar {
    let open = b.open;
    let high = b.high;
    let low = b.low;
    if (this.opts.openMode === 'previous_close') {
      const before = i > 0 ? (s.openBars[i - 1] as MinuteBar).close : s.prevClose;
      if (before !== undefined) {
        open = before;
        if (open > high) high = open;
        if (open < low) low = open;
      }
    }
    return makeBar({
      tf: '1m',
      openTime: b.start,
      closeTime: b.start + MINUTE_MS - 1,
      open,
      high,
      low,
      close: b.close,
      volume: b.count,
      tickCount: b.count,
      complete: false,
      synthetic: false,
      source: 'tick_agg',
      avgSpread: b.spreadSum / b.count,
      maxSpread: b.maxSpread,
    });
  }
}

/** Inserts `w` into `held` keeping it ordered by start. */
function insertHeld(held: WindowAggregate[], w: WindowAggregate): void {
  let i = held.length;
  while (i > 0 && (held[i - 1] as WindowAggregate).start > w.start) i--;
  held.splice(i, 0, w);
}

function byEndThenSymbol(a: BarEvent, b: BarEvent): number {
  const d = a.bar.close_time - b.bar.close_time;
  if (d !== 0) return d;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

function historyBar(minute: number, p: PendingHistory): Bar {
  return makeBar({
    tf: '1m',
    openTime: minute,
    closeTime: minute + MINUTE_MS - 1,
    open: p.open,
    high: p.high,
    low: p.low,
    close: p.close,
    volume: p.volume,
    tickCount: 0,
    complete: true,
    synthetic: false,
    source: 'history',
    avgSpread: undefined,
    maxSpread: undefined,
  });
}

function syntheticBar(minute: number, price: number): Bar {
  return makeBar({
    tf: '1m',
    openTime: minute,
    closeTime: minute + MINUTE_MS - 1,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    tickCount: 0,
    complete: true,
    synthetic: true,
    source: 'tick_agg',
    avgSpread: undefined,
    maxSpread: undefined,
  });
}

function describeKey(
  x: { symbol?: unknown; ts?: unknown; open_time?: unknown } | null | undefined,
): string {
  if (typeof x !== 'object' || x === null) return String(x);
  const time = x.ts ?? x.open_time;
  return `${JSON.stringify(x.symbol)}@${JSON.stringify(time)}`;
}

/** Creates a bar engine; throws `BAR_INVALID_OPTIONS` for impossible options. */
export function createBarEngine(options: BarEngineOptions): BarEngine {
  return new BarEngine(options);
}
