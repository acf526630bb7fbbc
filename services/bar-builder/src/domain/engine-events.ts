import { TIMEFRAME_MS, type Bar, type Timeframe } from './bar';
import type { FeedState } from './inputs';
import type { WindowAggregate } from './window-aggregate';

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

/** Which `(symbol, tf)` previews are built (e.g. the targets on the wire). */
export type PreviewFilter = (symbol: string, tf: Timeframe) => boolean;

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

export const NO_EVENTS: readonly BarEvent[] = Object.freeze([]);

/** An emitted window changed: its next revision. */
export function pushRevision(
  symbol: string,
  tf: Timeframe,
  w: WindowAggregate,
  events: BarEvent[],
): void {
  w.revision++;
  events.push({ kind: 'revised', symbol, tf, bar: w.toBar(tf, true), revision: w.revision });
}

/**
 * The canonical order of a watermark's events: by bar end, then timeframe (shortest first), then
 * symbol (a stable sort). Every 1m final of a minute goes out before the windows that end with
 * it: at the top of an hour 500 symbols' 1m bars do not wait behind 2,000 windows.
 */
export function byEndThenFrameThenSymbol(a: BarEvent, b: BarEvent): number {
  const d = a.bar.close_time - b.bar.close_time;
  if (d !== 0) return d;
  const f = TIMEFRAME_MS[a.tf] - TIMEFRAME_MS[b.tf];
  if (f !== 0) return f;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
