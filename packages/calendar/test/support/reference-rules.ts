/**
 * An independent, deliberately naive statement of the two FXCM profiles for cross-checking:
 * local New York weekday and time from Intl, the rules written as plain conditions, and the
 * closures taken from the hand-written golden fixture, not from the package.
 */
import closuresFixture from '../fixtures/golden-closures.json';

const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  weekday: 'short',
  hour: 'numeric',
  minute: 'numeric',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const HOUR_MS = 3_600_000;
let cachedHour = Number.NaN;
let cachedAtHour = { weekday: 0, minute: 0 };

/**
 * New York weekday (0 = Sunday) and minute of day at `ts`. New York offsets are whole hours and
 * change on a UTC hour, so Intl is asked once per UTC hour and minutes are added within it.
 */
export function newYorkTime(ts: number): { weekday: number; minute: number } {
  const hour = Math.floor(ts / HOUR_MS);
  if (hour !== cachedHour) {
    const p: Record<string, string> = {};
    for (const x of parts.formatToParts(hour * HOUR_MS)) p[x.type] = x.value;
    cachedAtHour = {
      weekday: WEEKDAYS.indexOf(p.weekday ?? ''),
      minute: Number(p.hour) * 60 + Number(p.minute),
    };
    cachedHour = hour;
  }
  return {
    weekday: cachedAtHour.weekday,
    minute: cachedAtHour.minute + Math.floor((ts - hour * HOUR_MS) / 60_000),
  };
}

type ProfileId = 'fxcm_fx' | 'fxcm_metals';

const closures: Record<ProfileId, [number, number][]> = {
  fxcm_fx: closuresFixture.fxcm_fx.map(([s, e]) => [
    Date.parse(s as string),
    Date.parse(e as string),
  ]),
  fxcm_metals: closuresFixture.fxcm_metals.map(([s, e]) => [
    Date.parse(s as string),
    Date.parse(e as string),
  ]),
};

/** The profile rules evaluated from scratch at one instant. */
export function referenceIsOpen(profile: ProfileId, ts: number): boolean {
  if (closures[profile].some(([s, e]) => s <= ts && ts < e)) return false;
  const { weekday, minute } = newYorkTime(ts);
  const H17 = 17 * 60;
  const H18 = 18 * 60;
  if (profile === 'fxcm_fx')
    return (
      (weekday === 0 && minute >= H17) ||
      (weekday >= 1 && weekday <= 4) ||
      (weekday === 5 && minute < H17)
    );
  // Metals: Sunday 18:01, break 17:00-18:01 Monday to Thursday, Friday close 16:45 New York.
  const OPEN = H18 + 1;
  const FRIDAY_CLOSE = H17 - 15;
  return (
    (weekday === 0 && minute >= OPEN) ||
    (weekday >= 1 && weekday <= 4 && !(minute >= H17 && minute < OPEN)) ||
    (weekday === 5 && minute < FRIDAY_CLOSE)
  );
}
