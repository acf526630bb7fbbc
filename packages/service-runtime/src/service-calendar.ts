import { CalendarError, loadCalendarInForce, type CalendarInForce } from '@fxcm/calendar';
import { ConfigError } from '@fxcm/config';
import type { CalendarConfig } from './common-config';

/**
 * Loads the calendar a service runs on from its `FXCM_CALENDAR_*` settings. A file that cannot
 * be read or fails validation is a configuration error: it is thrown as a `ConfigError` whose
 * issues name the bad entries, and `runService` refuses to start (exit 78) on it.
 */
export function loadServiceCalendar(config: CalendarConfig): CalendarInForce {
  try {
    return loadCalendarInForce({
      ...(config.calendarFile !== undefined ? { file: config.calendarFile } : {}),
      symbols: config.calendarSymbols,
    });
  } catch (err) {
    if (!(err instanceof CalendarError)) throw err;
    const issues =
      err.issues.length > 0
        ? err.issues.map((i) => ({ name: `FXCM_CALENDAR_FILE ${i.path}`, message: i.message }))
        : [{ name: 'FXCM_CALENDAR_FILE', message: err.message }];
    throw new ConfigError('CONFIG_INVALID', issues, `${err.code}: ${err.message}`);
  }
}
