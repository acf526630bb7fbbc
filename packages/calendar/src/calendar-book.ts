/**
 * A set of profiles plus the symbol → profile mapping: `calendarFor('XAU/USD')` gives the metals
 * calendar, any unmapped symbol the default profile. One `TradingCalendar` per profile is shared.
 */
import { CalendarError, invalidCalendar, type CalendarIssue } from './errors';
import type { CalendarProfile } from './model';
import { parseSsotDocument, type CalendarBookSpec } from './ssot-format';
import { TradingCalendar } from './trading-calendar';
import { parseV1Overrides } from './v1-overrides';
import { parseV2Profiles } from './v2-profiles';

/** `XAU/USD`, `xauusd`, `XAU_USD` → `XAUUSD` (upper case, letters and digits only). */
export function normalizeSymbol(symbol: string): string {
  return symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Profiles, the default profile and the symbol mapping, with one shared calendar per profile. */
export class CalendarBook {
  /** Profile used for symbols the mapping does not name. */
  readonly defaultProfileId: string;
  private readonly calendars = new Map<string, TradingCalendar>();
  private readonly symbolProfiles: ReadonlyMap<string, string>;

  constructor(spec: CalendarBookSpec) {
    for (const p of spec.profiles) this.calendars.set(p.id, new TradingCalendar(p));
    const issues: CalendarIssue[] = [];
    if (!this.calendars.has(spec.defaultProfile))
      issues.push({ path: 'default_profile', message: `unknown profile "${spec.defaultProfile}"` });
    const mapping = new Map<string, string>();
    for (const [symbol, id] of Object.entries(spec.symbolProfiles)) {
      if (!this.calendars.has(id))
        issues.push({ path: `symbol_profiles.${symbol}`, message: `unknown profile "${id}"` });
      mapping.set(normalizeSymbol(symbol), id);
    }
    if (issues.length > 0) throw invalidCalendar('calendar book', issues);
    this.defaultProfileId = spec.defaultProfile;
    this.symbolProfiles = mapping;
  }

  /** The profiles, default and symbol mapping this book was built from. */
  spec(): CalendarBookSpec {
    return {
      profiles: [...this.calendars.values()].map((c) => c.profile),
      defaultProfile: this.defaultProfileId,
      symbolProfiles: Object.fromEntries(this.symbolProfiles),
    };
  }

  /** Ids of every profile, in document order. */
  profileIds(): string[] {
    return [...this.calendars.keys()];
  }

  /** The calendar of a profile id; throws `CALENDAR_UNKNOWN_PROFILE` for an id not in the book. */
  calendar(profileId: string): TradingCalendar {
    const c = this.calendars.get(profileId);
    if (c === undefined) {
      throw new CalendarError(
        'CALENDAR_UNKNOWN_PROFILE',
        `unknown calendar profile "${profileId}" (known: ${this.profileIds().join(', ')})`,
      );
    }
    return c;
  }

  /** The profile id a symbol maps to (the default profile when unmapped). */
  profileIdFor(symbol: string): string {
    if (typeof symbol !== 'string' || normalizeSymbol(symbol) === '') {
      throw new CalendarError(
        'CALENDAR_BAD_SYMBOL',
        `symbol must be a non-empty string such as "XAU/USD", got ${JSON.stringify(symbol)}`,
      );
    }
    return this.symbolProfiles.get(normalizeSymbol(symbol)) ?? this.defaultProfileId;
  }

  /** The calendar for a symbol (`XAU/USD` and `XAUUSD` are the same symbol). */
  calendarFor(symbol: string): TradingCalendar {
    return this.calendar(this.profileIdFor(symbol));
  }
}

/** Which of the three calendar formats a parsed document is in. */
export type CalendarFormat = 'ssot' | 'v1' | 'v2';

/** Detects the format: an array is V2, an object with `profiles` is the SSOT, any other object V1. */
export function detectCalendarFormat(doc: unknown): CalendarFormat {
  if (Array.isArray(doc)) return 'v2';
  if (doc !== null && typeof doc === 'object' && 'profiles' in doc) return 'ssot';
  return 'v1';
}

/** Options for `parseCalendarDocument`. */
export interface ParseDocumentOptions {
  /** Default profile for V2 arrays (default: the first profile). */
  readonly defaultProfile?: string;
}

/**
 * Builds a book from any of the three formats. V1 yields one profile `v1_overrides` used for
 * every symbol; V2 yields one profile per `calendar_tag`. Throws `CALENDAR_INVALID`.
 */
export function parseCalendarDocument(
  doc: unknown,
  origin: string,
  options: ParseDocumentOptions = {},
): CalendarBook {
  const format = detectCalendarFormat(doc);
  if (format === 'ssot') return new CalendarBook(parseSsotDocument(doc, origin));
  const profiles: CalendarProfile[] =
    format === 'v2' ? parseV2Profiles(doc, origin) : [parseV1Overrides(doc, origin)];
  const first = profiles[0];
  if (first === undefined)
    throw invalidCalendar(origin, [{ path: '(root)', message: 'no profiles' }]);
  return new CalendarBook({
    profiles,
    defaultProfile: options.defaultProfile ?? first.id,
    symbolProfiles: {},
  });
}
