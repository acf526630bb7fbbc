/**
 * The package's only I/O: reading a calendar file, by default the SSOT shipped in
 * `data/fxcm-calendar.json`, loaded once and validated before the first answer.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CalendarBook, parseCalendarDocument, type ParseDocumentOptions } from './calendar-book';
import { CalendarError } from './errors';
import type { TradingCalendar } from './trading-calendar';

/** Absolute path of the SSOT calendar file shipped with the package. */
export const DEFAULT_CALENDAR_FILE = join(__dirname, '..', 'data', 'fxcm-calendar.json');

/** Reads and parses a JSON file; throws `CALENDAR_FILE_UNREADABLE` with the reason. */
export function readCalendarJson(filePath: string): unknown {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (err) {
    throw new CalendarError(
      'CALENDAR_FILE_UNREADABLE',
      `cannot read calendar file ${filePath}: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CalendarError(
      'CALENDAR_FILE_UNREADABLE',
      `calendar file ${filePath} is not valid JSON: ${(err as Error).message}`,
    );
  }
}

/** Loads a calendar file in any supported format (SSOT, V1 overrides, V2 profiles). */
export function loadCalendarFile(
  filePath: string,
  options: ParseDocumentOptions = {},
): CalendarBook {
  return parseCalendarDocument(readCalendarJson(filePath), basename(filePath), options);
}

let defaultBook: CalendarBook | undefined;

/** The SSOT book, loaded and validated on first use, then shared. */
export function defaultCalendarBook(): CalendarBook {
  defaultBook ??= loadCalendarFile(DEFAULT_CALENDAR_FILE);
  return defaultBook;
}

/** The SSOT calendar for a symbol: XAUUSD and XAGUSD → metals, everything else → FX. */
export function calendarFor(symbol: string): TradingCalendar {
  return defaultCalendarBook().calendarFor(symbol);
}
