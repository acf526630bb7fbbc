import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './suite';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Writes the shipped calendar with every profile open from yesterday 00:00 UTC for six days,
 * no breaks and no holidays, into `dir`, and returns the file: a live provider logs in, quotes
 * and serves history whatever the day of the week a test or benchmark runs.
 */
export function openCalendarFile(dir: string): string {
  const shipped = JSON.parse(
    readFileSync(join(ROOT, 'packages', 'calendar', 'data', 'fxcm-calendar.json'), 'utf8'),
  ) as { profiles: Record<string, unknown>[] };
  const yesterday = (new Date().getUTCDay() + 6) % 7;
  const profiles = shipped.profiles.map((p) => ({
    ...p,
    tz: 'UTC',
    weekly_open: { day: DAYS[yesterday], time: '00:00' },
    weekly_close: { day: DAYS[(yesterday + 6) % 7], time: '00:00', lead_minutes: 0 },
    trading_day_roll: '00:00',
    daily_breaks: [],
    closed_intervals_utc: [],
    holiday_rules: [],
  }));
  const file = join(dir, 'open-calendar.json');
  writeFileSync(file, JSON.stringify({ ...shipped, profiles }));
  return file;
}
