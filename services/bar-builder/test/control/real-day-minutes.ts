import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';

// The bundled real day (FXCM EUR/USD m1, 2014-05-05 05:00 → 05-06 05:00 UTC) against the
// shipped EURUSD calendar: the day is open throughout, and 30 of its minutes had no tick.
const CSV = join(__dirname, '..', '..', '..', '..', 'data', 'EURUSD_20140505_m1.csv');

/** The open times of the real day's 1m bars, ascending. */
export const bars = readFileSync(CSV, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => ({ open_time: Number(line.split(',')[0]) }));
/** The shipped EURUSD calendar. */
export const calendar = calendarFor('EURUSD');
export const MINUTE = 60_000;
/** First minute of the day. */
export const FROM = bars[0]!.open_time;
/** End of the day's last minute. */
export const TO = bars[bars.length - 1]!.open_time + MINUTE;
