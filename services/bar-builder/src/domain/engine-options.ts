import { TIMEFRAMES, type OpenMode, type PriceMode, type Timeframe } from './bar';
import { BarEngineError } from './engine-error';
import type { SessionCalendar } from './session-calendar';

/** Options of {@link createBarEngine}; everything but `calendarFor` has a default. */
export interface BarEngineOptions {
  /** Quote side bars are built from (default `mid`: `(bid + ask) / 2` of each tick). */
  priceMode?: PriceMode;
  /** How tick bars open (default `first_tick`). */
  openMode?: OpenMode;
  /** Timeframes to build (default all); `1m` is always built. */
  timeframes?: readonly Timeframe[];
  /**
   * Most consecutive synthetic 1m bars after the last real bar of a symbol (default 60, V1
   * `tick_aggregation_max_synth_gap_minutes`); 0 disables synthetic bars.
   */
  maxSynthGapMinutes?: number;
  /**
   * A tick (or history bar) more than this ahead of the watermark is rejected and counted
   * `future` (default `Infinity`: no check, right for replays whose watermark trails the ticks
   * by the gap between them; a live deployment sets e.g. 60 000).
   */
  futureToleranceMs?: number;
  /**
   * Minutes of finals each symbol remembers (default 4320 = 3 days): how far back a history
   * bar can still fill a hole and rebuild the higher-timeframe bars it belongs to.
   */
  finalMemoryMinutes?: number;
  /**
   * Cold start (default false): a higher-timeframe window that began before the symbol's
   * coverage (the first restored bar, else the engine's first tick or watermark) is not final
   * when it ends; only its previews go out, and it is held until warm-up history covers it
   * (`onHistoryRange`). The bar-builder service sets it; replays of a whole record need not.
   */
  holdUncoveredWindows?: boolean;
  /**
   * How long (event time after its end, ms) a minute the feed saw only in part waits for its
   * history bar before its tick-built bar is published, loudly (default 180 000).
   */
  partialWaitMs?: number;
  /** The trading calendar of a symbol; asked once per symbol, when it is first seen. */
  calendarFor(symbol: string): SessionCalendar;
}

/** Options with every default applied. */
export interface ResolvedEngineOptions {
  priceMode: PriceMode;
  openMode: OpenMode;
  /** `1m` first, then the higher timeframes shortest first. */
  timeframes: readonly Timeframe[];
  maxSynthGapMinutes: number;
  futureToleranceMs: number;
  finalMemoryMinutes: number;
  holdUncoveredWindows: boolean;
  partialWaitMs: number;
  calendarFor(symbol: string): SessionCalendar;
}

function invalid(message: string): BarEngineError {
  return new BarEngineError('BAR_INVALID_OPTIONS', message);
}

/** Applies defaults and rejects impossible options with `BAR_INVALID_OPTIONS`. */
export function resolveEngineOptions(o: BarEngineOptions): ResolvedEngineOptions {
  if (typeof o !== 'object' || o === null) throw invalid('options must be an object');
  const priceMode = o.priceMode ?? 'mid';
  if (priceMode !== 'mid' && priceMode !== 'bid' && priceMode !== 'ask') {
    throw invalid(`priceMode must be "mid", "bid" or "ask", got ${JSON.stringify(priceMode)}`);
  }
  const openMode = o.openMode ?? 'first_tick';
  if (openMode !== 'first_tick' && openMode !== 'previous_close') {
    throw invalid(
      `openMode must be "first_tick" or "previous_close", got ${JSON.stringify(openMode)}`,
    );
  }
  const wanted = o.timeframes ?? TIMEFRAMES;
  if (!Array.isArray(wanted)) throw invalid('timeframes must be an array');
  for (const tf of wanted) {
    if (!TIMEFRAMES.includes(tf)) {
      throw invalid(
        `timeframes: unknown timeframe ${JSON.stringify(tf)}, expected one of ${TIMEFRAMES.join(', ')}`,
      );
    }
  }
  const timeframes = TIMEFRAMES.filter((tf) => tf === '1m' || wanted.includes(tf));
  const maxSynthGapMinutes = o.maxSynthGapMinutes ?? 60;
  if (!Number.isInteger(maxSynthGapMinutes) || maxSynthGapMinutes < 0) {
    throw invalid(`maxSynthGapMinutes must be an integer >= 0, got ${String(maxSynthGapMinutes)}`);
  }
  const futureToleranceMs = o.futureToleranceMs ?? Infinity;
  if (typeof futureToleranceMs !== 'number' || !(futureToleranceMs >= 0)) {
    throw invalid(
      `futureToleranceMs must be a number >= 0 (Infinity: no check), got ${String(futureToleranceMs)}`,
    );
  }
  const finalMemoryMinutes = o.finalMemoryMinutes ?? 4320;
  if (
    !Number.isInteger(finalMemoryMinutes) ||
    finalMemoryMinutes < 60 ||
    finalMemoryMinutes > 525_600
  ) {
    throw invalid(
      `finalMemoryMinutes must be an integer in [60, 525600], got ${String(finalMemoryMinutes)}`,
    );
  }
  const holdUncoveredWindows = o.holdUncoveredWindows ?? false;
  if (typeof holdUncoveredWindows !== 'boolean')
    throw invalid(`holdUncoveredWindows must be a boolean, got ${String(holdUncoveredWindows)}`);
  const partialWaitMs = o.partialWaitMs ?? 180_000;
  if (!Number.isInteger(partialWaitMs) || partialWaitMs < 0)
    throw invalid(`partialWaitMs must be an integer >= 0, got ${String(partialWaitMs)}`);
  if (typeof o.calendarFor !== 'function')
    throw invalid('calendarFor must be a function (symbol) => calendar');
  return {
    priceMode,
    openMode,
    timeframes,
    maxSynthGapMinutes,
    futureToleranceMs,
    finalMemoryMinutes,
    holdUncoveredWindows,
    partialWaitMs,
    calendarFor: o.calendarFor,
  };
}
