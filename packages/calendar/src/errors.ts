/**
 * Stable error codes of `@fxcm/calendar` (listed in docs/calendar.md).
 *
 * - `CALENDAR_INVALID`: a calendar document (SSOT, V1 overrides, V2 profiles) failed validation;
 *   the message and `issues` name every offending entry. Poison input: refuse to start.
 * - `CALENDAR_FILE_UNREADABLE`: the calendar file could not be read or is not JSON.
 * - `CALENDAR_UNKNOWN_PROFILE`: a profile id that the loaded document does not define.
 * - `CALENDAR_BAD_TIME`: a timestamp or range argument that is not a finite epoch-ms value
 *   inside the supported rails, or a range whose end precedes its start.
 * - `CALENDAR_BAD_SYMBOL`: an empty or non-string symbol passed to `calendarFor`.
 * - `CALENDAR_NO_OPEN`: no open minute within the search horizon (a calendar that never opens).
 */
export type CalendarErrorCode =
  | 'CALENDAR_INVALID'
  | 'CALENDAR_FILE_UNREADABLE'
  | 'CALENDAR_UNKNOWN_PROFILE'
  | 'CALENDAR_BAD_TIME'
  | 'CALENDAR_BAD_SYMBOL'
  | 'CALENDAR_NO_OPEN';

/** One validation finding: where (`profiles[1].closed_intervals_utc[3]`) and what is wrong. */
export interface CalendarIssue {
  /** Path of the offending entry inside the document, e.g. `profiles[1].closed_intervals_utc[3]`. */
  readonly path: string;
  /** Why it is wrong, e.g. `start >= end`. */
  readonly message: string;
}

/** The only error type the package throws; `code` is stable, `issues` lists validation findings. */
export class CalendarError extends Error {
  /** Stable, documented code. */
  readonly code: CalendarErrorCode;
  /** Every validation finding (empty for non-validation errors). */
  readonly issues: readonly CalendarIssue[];

  constructor(code: CalendarErrorCode, message: string, issues: readonly CalendarIssue[] = []) {
    super(message);
    this.name = 'CalendarError';
    this.code = code;
    this.issues = issues;
  }
}

/** Builds the `CALENDAR_INVALID` error for a document, listing each issue as `path: message`. */
export function invalidCalendar(origin: string, issues: readonly CalendarIssue[]): CalendarError {
  const shown = issues.slice(0, 20).map((i) => `${i.path}: ${i.message}`);
  const more = issues.length > shown.length ? `; …and ${issues.length - shown.length} more` : '';
  return new CalendarError(
    'CALENDAR_INVALID',
    `invalid calendar (${origin}): ${shown.join('; ')}${more}`,
    issues,
  );
}
