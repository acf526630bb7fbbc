/**
 * The bar engine: the pure aggregation core of the bar builder (no I/O, no clock).
 * Rules: docs/bars.md.
 */
export {
  BarEngine,
  createBarEngine,
  type BarEvent,
  type EngineStatus,
  type FinalEvent,
  type PreviewEvent,
  type PreviewFilter,
  type RestoreOptions,
  type RevisedEvent,
  type TickDisposition,
} from './bar-engine';
export {
  MINUTE_MS,
  TIMEFRAMES,
  TIMEFRAME_MS,
  makeBar,
  type Bar,
  type BarSource,
  type OpenMode,
  type PriceMode,
  type Timeframe,
} from './bar';
export { BarEngineError, isBarEngineError, type BarEngineErrorCode } from './engine-error';
export {
  resolveEngineOptions,
  type BarEngineOptions,
  type ResolvedEngineOptions,
} from './engine-options';
export type { FeedState, HistoryBar, HistoryRange, RestoredBar, Tick, Watermark } from './inputs';
export { windowOf, type SessionCalendar, type Window } from './session-calendar';
export type { SymbolCounters } from './symbol-counters';
