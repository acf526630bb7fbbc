/**
 * `@fxcm/calendar`: one DST-correct source of truth for when each FXCM instrument trades.
 * See docs/calendar.md for the model, the profiles and how to add a holiday.
 */
export { CalendarError, type CalendarErrorCode, type CalendarIssue } from './errors';
export type {
  CalendarProfile,
  Closure,
  ClosureKind,
  DailyBreak,
  SessionWindow,
  TimeSpan,
  WeeklyBoundary,
  Weekday,
} from './model';
export {
  stateDetail,
  OVERNIGHT_MIN_SECONDS,
  WEEKEND_MIN_SECONDS,
  type StateDetail,
} from './market-state';
export {
  TradingCalendar,
  MAX_SUPPORTED_MS,
  MIN_SUPPORTED_MS,
  type ClosedCause,
  type ClosedSpan,
  type MarketStatus,
  type SessionInfo,
} from './trading-calendar';
export { parseSsotDocument, type CalendarBookSpec } from './ssot-format';
export { parseV1Overrides, V1_DEFAULTS, type V1ParseOptions } from './v1-overrides';
export { parseV2Profiles } from './v2-profiles';
export {
  CalendarBook,
  detectCalendarFormat,
  normalizeSymbol,
  parseCalendarDocument,
  type CalendarFormat,
  type ParseDocumentOptions,
} from './calendar-book';
export {
  calendarFor,
  defaultCalendarBook,
  loadCalendarFile,
  readCalendarJson,
  DEFAULT_CALENDAR_FILE,
} from './calendar-file';
export { RAIL_MAX_MS, RAIL_MIN_MS } from './document-validation';
export {
  loadCalendarInForce,
  type CalendarChoice,
  type CalendarInForce,
} from './calendar-in-force';
export type { HolidayRule } from './model';
