/**
 * The calendar a service runs on: the shipped SSOT, or a file named at start (project format,
 * V1 `calendar_overrides.json` or a V2 profile array), plus per-symbol profile choices. Loaded
 * once and validated; a bad file or choice throws `CALENDAR_INVALID` / `CALENDAR_FILE_UNREADABLE`
 * naming the entry, so the service refuses to start instead of running on a wrong schedule.
 */
import { basename } from 'node:path';
import {
  CalendarBook,
  detectCalendarFormat,
  parseCalendarDocument,
  type CalendarFormat,
} from './calendar-book';
import { defaultCalendarBook, readCalendarJson, DEFAULT_CALENDAR_FILE } from './calendar-file';
import { invalidCalendar, type CalendarIssue } from './errors';

/** What the operator chose (the `FXCM_CALENDAR_*` settings). */
export interface CalendarChoice {
  /** Path of a calendar file; unset = the shipped `data/fxcm-calendar.json`. */
  readonly file?: string;
  /**
   * `SYMBOL=profile` entries (`XAU/USD=oanda_metals`) that pick a profile for a symbol. Without
   * any, a V1 or V2 file applies to every symbol, as in V1.
   */
  readonly symbols?: readonly string[];
}

/** The loaded calendar and a short account of it for the status record. */
export interface CalendarInForce {
  readonly book: CalendarBook;
  /** `detail.calendar` of the status record: where the calendar comes from and what it maps. */
  readonly summary: {
    readonly file: string;
    readonly format: CalendarFormat;
    readonly default_profile: string;
    readonly symbol_profiles: Readonly<Record<string, string>>;
  };
}

const ENTRY = /^\s*([^=\s]+)\s*=\s*([a-z][a-z0-9_]*)\s*$/;

/** Parses the `SYMBOL=profile` entries; every malformed one is named. */
function parseChoices(entries: readonly string[]): Record<string, string> {
  const issues: CalendarIssue[] = [];
  const out: Record<string, string> = {};
  entries.forEach((entry, i) => {
    const m = ENTRY.exec(entry);
    const symbol = m?.[1]?.toUpperCase().replace(/[^A-Z0-9]/g, '') ?? '';
    if (!m || symbol === '')
      issues.push({
        path: `FXCM_CALENDAR_SYMBOLS[${i}]`,
        message: `must be SYMBOL=profile (e.g. XAU/USD=oanda_metals), got ${JSON.stringify(entry)}`,
      });
    else out[symbol] = m[2]!;
  });
  if (issues.length > 0) throw invalidCalendar('FXCM_CALENDAR_SYMBOLS', issues);
  return out;
}

/**
 * Loads the calendar in force. A project-format file replaces the shipped book; a V1 or V2 file
 * adds its profiles to the shipped ones and, unless `symbols` says otherwise, becomes the
 * calendar of every symbol. Throws `CalendarError` naming the bad entry.
 */
export function loadCalendarInForce(choice: CalendarChoice = {}): CalendarInForce {
  const choices = parseChoices(choice.symbols ?? []);
  const shipped = defaultCalendarBook();
  const shippedSpec = shipped.spec();
  let base = shippedSpec;
  let format: CalendarFormat = 'ssot';
  if (choice.file !== undefined && choice.file !== '') {
    const doc = readCalendarJson(choice.file);
    format = detectCalendarFormat(doc);
    const fromFile = parseCalendarDocument(doc, basename(choice.file)).spec();
    if (format === 'ssot') base = fromFile;
    else {
      const clash = fromFile.profiles.filter((p) => shipped.profileIds().includes(p.id));
      if (clash.length > 0)
        throw invalidCalendar(
          basename(choice.file),
          clash.map((p) => ({
            path: p.id,
            message: 'profile id already used by the shipped calendar',
          })),
        );
      const everySymbol = Object.keys(choices).length === 0;
      base = {
        profiles: [...base.profiles, ...fromFile.profiles],
        defaultProfile: everySymbol ? fromFile.defaultProfile : base.defaultProfile,
        symbolProfiles: everySymbol ? {} : base.symbolProfiles,
      };
    }
  }
  const spec = { ...base, symbolProfiles: { ...base.symbolProfiles, ...choices } };
  const custom = Object.keys(choices).length > 0 || format !== 'ssot' || base !== shippedSpec;
  const book = custom ? new CalendarBook(spec) : shipped;
  return {
    book,
    summary: {
      file: choice.file || `shipped ${basename(DEFAULT_CALENDAR_FILE)}`,
      format,
      default_profile: spec.defaultProfile,
      symbol_profiles: { ...spec.symbolProfiles },
    },
  };
}
