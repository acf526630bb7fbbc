import { MINUTE_MS, type Bar, type Timeframe } from './bar';
import { FinalMinuteMemory } from './final-minute-memory';
import type { MinuteBar } from './minute-bar';
import { minuteIsOpen, type SessionCalendar } from './session-calendar';
import { emptyCounters } from './symbol-counters';
import type { WindowAggregate } from './window-aggregate';

/** A history bar's prices in the engine's price mode, waiting for its minute to close. */
export interface PendingHistory {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The windows of one higher timeframe of one symbol. */
export class HtfSeries {
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

/** Everything the engine knows of one symbol. */
export class SymbolState {
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

const WEEK_MS = 7 * 24 * 3_600_000;

/** The latest final of `s` in time order is minute `m` (closing at `close`). */
export function followFinal(s: SymbolState, m: number, close: number, synthetic: boolean): void {
  s.prevClose = close;
  s.lastFinalMinute = m;
  if (synthetic) s.synthRun++;
  else {
    s.synthRun = 0;
    markReal(s, m);
  }
}

/** A real (tick or history) final of minute `m` is the latest: its session runs from there. */
export function markReal(s: SymbolState, m: number): void {
  s.lastRealMinute = m;
  s.verifiedTo = m + MINUTE_MS;
  s.sessionEnded = false;
}

/**
 * True when every minute from the symbol's latest real minute up to `m` is open, so the
 * session of that minute still runs and its close may be carried. Asks the calendar only for
 * minutes not yet checked (the run of synthetic bars checks each minute as it goes), so the
 * cost is paid once per stretch jumped over (a dead feed, a restart).
 */
export function sessionRunsTo(s: SymbolState, m: number): boolean {
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
