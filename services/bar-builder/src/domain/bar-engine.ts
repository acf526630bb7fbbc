import { MAX_EPOCH_MS as MAX_TS, MIN_EPOCH_MS as MIN_TS } from '@fxcm/contracts';
import { MINUTE_MS, minuteOf, roundDerived, type Bar, type Timeframe } from './bar';
import { ColdStartCoverage } from './cold-start';
import { BarEngineError, isBarEngineError } from './engine-error';
import {
  NO_EVENTS,
  byEndThenFrameThenSymbol,
  type BarEvent,
  type EngineStatus,
  type PreviewEvent,
  type PreviewFilter,
  type RestoreOptions,
  type TickDisposition,
} from './engine-events';
import {
  resolveEngineOptions,
  type BarEngineOptions,
  type ResolvedEngineOptions,
} from './engine-options';
import { MinuteFate } from './final-minute-memory';
import { HigherTimeframes, locateAll } from './htf-windows';
import {
  historyBarProblem,
  restoreProblem,
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
import { MinuteFinalizer } from './minute-finalizer';
import { seedSymbol } from './restore-seed';
import { historyBar, historyPrices, tickBuiltBar } from './minute-finals';
import { minuteIsOpen, windowOf, type SessionCalendar } from './session-calendar';
import { SymbolState } from './symbol-state';
import type { SymbolCounters } from './symbol-counters';
import { UnobservedSpans } from './unobserved-spans';

export type {
  BarEvent,
  EngineStatus,
  FinalEvent,
  PreviewEvent,
  PreviewFilter,
  RestoreOptions,
  RevisedEvent,
  TickDisposition,
} from './engine-events';

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
  private readonly cover: ColdStartCoverage;
  /** Minute spans the feed did not fully observe (`onPartialMinutes`). */
  private readonly spans = new UnobservedSpans();
  private readonly windows: HigherTimeframes;
  private readonly finalizer: MinuteFinalizer;
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
    this.cover = new ColdStartCoverage(this.opts.holdUncoveredWindows, this.memoryMs);
    this.windows = new HigherTimeframes({
      uncovered: (s, start) => this.cover.uncovered(s, start),
      waits: (s, w) => this.spans.waitIn(s, w),
      knownFrom: (s) => this.knownFrom(s),
    });
    this.finalizer = new MinuteFinalizer(this.opts, this.spans, this.windows, this.memoryMs, (s) =>
      this.knownFrom(s),
    );
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
    this.cover.start(ts - (ts % MINUTE_MS));
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
   * Returns the finals ordered by bar end, then timeframe, then symbol (every 1m before the
   * windows ending with it): the same list whatever the watermark cadence.
   */
  onWatermark(w: Watermark): readonly BarEvent[] {
    const problem = watermarkProblem(w);
    if (problem !== undefined)
      throw new BarEngineError('BAR_INVALID_WATERMARK', `watermark: ${problem}`);
    this.cover.start(minuteOf(w.ts));
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
      this.spans.settle(w.ts, this.opts.partialWaitMs);
    }
    for (const s of this.states.values()) {
      try {
        this.finalizer.advance(s, floor, alive, events);
        this.finalizer.giveUpWaiting(s, w.ts, alive && w.feed === 'alive', events);
        s.failure = undefined;
      } catch (err) {
        // One symbol's broken calendar must not stop the shard: its minutes wait (the frontier
        // stays on the failing minute) and the failure shows in counters and status.
        if (!isBarEngineError(err, 'BAR_CALENDAR_FAILED')) throw err;
        s.counters.calendar_errors++;
        s.failure = err.message;
      }
    }
    // One canonical order for any cadence: by bar end, then timeframe, then symbol; each
    // symbol's events are already in that order (1m before the windows ending with it, shorter
    // windows first), and the sort is stable.
    if (events.length > 1 && this.states.size > 1) events.sort(byEndThenFrameThenSymbol);
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
    const prices = historyPrices(h, this.opts.priceMode);
    if (m >= s.frontier) {
      if (s.pending === undefined) s.pending = new Map();
      if (s.pending.has(m)) c.history_duplicate++;
      s.pending.set(m, prices);
      return NO_EVENTS;
    }
    if (m < this.knownFrom(s) && !this.cover.warms(s, m)) {
      c.history_stale++;
      return NO_EVENTS;
    }
    const fate = s.memory.get(m);
    if (fate === MinuteFate.History) {
      c.history_duplicate++;
      return NO_EVENTS;
    }
    if (fate === MinuteFate.TickPartial) {
      locateAll(s, m); // may throw: nothing changed yet
      // The one documented revision: a partial minute published from its ticks after the wait,
      // now corrected by its history bar; the windows built with the tick bar are rebuilt.
      s.memory.set(m, MinuteFate.History);
      c.partial_revised++;
      const bar = historyBar(m, prices);
      const events: BarEvent[] = [
        { kind: 'revised', symbol: s.symbol, tf: '1m', bar, revision: 1 },
      ];
      this.windows.revise(s, bar, events);
      return events;
    }
    if (fate !== MinuteFate.None) {
      c.history_conflicts++;
      return NO_EVENTS;
    }
    locateAll(s, m); // may throw: nothing changed yet
    const events: BarEvent[] = [];
    if (s.awaiting?.delete(m)) c.partial_repaired++;
    this.finalizer.fill(s, historyBar(m, prices), MinuteFate.History, events);
    c.history_filled++;
    this.windows.releaseHeld(s, events);
    return events;
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
    const { a, b } = this.spans.add(p.from, p.to);
    // Minutes already final from ticks: their history bar will be their one revision.
    for (const s of this.states.values()) {
      for (let m = a; m < b && m < s.frontier; m += MINUTE_MS) {
        if (m >= s.frontier - this.memoryMs && s.memory.get(m) === MinuteFate.Tick)
          s.memory.set(m, MinuteFate.TickPartial);
      }
    }
    // Old spans cannot touch a minute that is not final yet.
    this.spans.prune(this.wm - this.memoryMs);
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
    const problem = restoreProblem(finals1m, options.watermark);
    if (problem !== undefined)
      throw new BarEngineError('BAR_INVALID_RESTORE', `restore(${symbol}): ${problem}`, { symbol });
    const resume = options.watermark;
    const s = this.stateFor(symbol);
    try {
      seedSymbol(s, finals1m, resume, this.memoryMs, this.windows);
    } catch (err) {
      // All or nothing: a calendar failure half-way leaves no state behind.
      this.states.delete(symbol);
      this.lastSymbol = undefined;
      this.lastState = undefined;
      throw err;
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
   * With `wanted`, only those `(symbol, tf)` are built (the rest count as taken all the same).
   */
  previews(wanted?: PreviewFilter): PreviewEvent[] {
    const out: PreviewEvent[] = [];
    for (const s of this.dirtySymbols) {
      s.dirty = false;
      const open = s.openBars;
      if (!open.some((b) => b.dirty)) continue;
      const carry = this.opts.openMode === 'previous_close';
      const minutes = open.map((b, i) =>
        tickBuiltBar(
          b,
          carry ? (i > 0 ? (open[i - 1] as MinuteBar).close : s.prevClose) : undefined,
          false,
        ),
      );
      if (wanted?.(s.symbol, '1m') ?? true) {
        open.forEach((b, i) => {
          if (b.dirty)
            out.push({ kind: 'preview', symbol: s.symbol, tf: '1m', bar: minutes[i] as Bar });
        });
      }
      try {
        this.windows.previews(s, minutes, out, wanted);
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
    if (s === undefined || !this.cover.extend(s, minuteOf(r.from), r.to)) return NO_EVENTS;
    const events: BarEvent[] = [];
    this.windows.releaseHeld(s, events);
    return events;
  }

  /**
   * What each symbol still needs from history before its held and in-progress windows can be
   * final: `[from, to)` with `to` = its coverage. Empty when nothing is held.
   */
  warmupNeeds(): { symbol: string; from: number; to: number }[] {
    const out: { symbol: string; from: number; to: number }[] = [];
    for (const s of this.states.values()) {
      const need = this.cover.need(s);
      if (need !== undefined) out.push(need);
    }
    return out;
  }
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
