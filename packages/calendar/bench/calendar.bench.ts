/**
 * Calendar hot-path benchmark: prints ns per call for the questions the bar builder and the
 * scheduler ask, as the median of several rounds (the first rounds include JIT warm-up).
 * Run: pnpm --filter @fxcm/calendar bench
 */
import {
  DEFAULT_CALENDAR_FILE,
  loadCalendarFile,
  TradingCalendar,
  type CalendarProfile,
} from '../src';

const MIN = 60_000;
const DAY = 86_400_000;
const YEAR_FROM = Date.UTC(2026, 0, 1);
const YEAR_TO = Date.UTC(2027, 0, 1);
const WEEK_FROM = Date.UTC(2025, 11, 20); // the 2025 Christmas week: holidays, breaks, weekend
const WEEK_TO = WEEK_FROM + 7 * DAY;
const ROUNDS = 7;

let sink = 0;

/** Runs `body` ROUNDS times (each with a fresh `setup()`) and prints the median ns per call. */
function bench<T>(label: string, calls: number, setup: () => T, body: (ctx: T) => void): void {
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ctx = setup();
    const t0 = process.hrtime.bigint();
    body(ctx);
    perCall.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  perCall.sort((a, b) => a - b);
  const median = perCall[Math.floor(ROUNDS / 2)] ?? Number.NaN;
  console.log(
    `  ${label.padEnd(66)} ${String(calls).padStart(8)} calls  median ${median.toFixed(1).padStart(8)} ns/call  (min ${(perCall[0] ?? 0).toFixed(1)})`,
  );
}

const t0 = process.hrtime.bigint();
const book = loadCalendarFile(DEFAULT_CALENDAR_FILE);
console.log(
  `load + validate data/fxcm-calendar.json: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms (once per process)`,
);
console.log(`node ${process.version}, ${ROUNDS} rounds each\n`);

const minutesOfYear = (YEAR_TO - YEAR_FROM) / MIN;
const weekMinutes = (WEEK_TO - WEEK_FROM) / MIN;

for (const id of book.profileIds()) {
  const profile: CalendarProfile = book.calendar(id).profile;
  const fresh = (): TradingCalendar => new TradingCalendar(profile);
  const warm = (): TradingCalendar => {
    const c = book.calendar(id);
    for (let t = WEEK_FROM - 7 * DAY; t < YEAR_TO + 7 * DAY; t += DAY) c.isOpen(t);
    return c;
  };
  console.log(`profile ${id}`);

  bench(
    'isOpen, every minute of 2026, cold cache (includes 53 week builds)',
    minutesOfYear,
    fresh,
    (c) => {
      for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) if (c.isOpen(t)) sink++;
    },
  );
  bench('isOpen, every minute of 2026, warm', minutesOfYear, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) if (c.isOpen(t)) sink++;
  });
  bench(
    'isOpen, 1M random instants over 2026 (a different week each call)',
    1_000_000,
    warm,
    (c) => {
      let x = 12345;
      for (let i = 0; i < 1_000_000; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        if (c.isOpen(YEAR_FROM + (x % (YEAR_TO - YEAR_FROM)))) sink++;
      }
    },
  );
  bench('nextOpen, from every minute of the 2025 Christmas week', weekMinutes, warm, (c) => {
    for (let t = WEEK_FROM; t < WEEK_TO; t += MIN) sink += c.nextOpen(t) % 7;
  });
  bench('nextOpen, from every minute of 2026', minutesOfYear, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) sink += c.nextOpen(t) % 7;
  });
  bench('nextPause, from every minute of the 2025 Christmas week', weekMinutes, warm, (c) => {
    for (let t = WEEK_FROM; t < WEEK_TO; t += MIN) sink += c.nextPause(t) % 7;
  });
  bench('tradingDayStart, every minute of 2026', minutesOfYear, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) sink += c.tradingDayStart(t) % 7;
  });
  bench('openMinutes of the next 4h at every minute of 2026', minutesOfYear, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) sink += c.openMinutes(t, t + 4 * 3_600_000);
  });
  bench('session, every minute of 2026', minutesOfYear, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += MIN) if (c.session(t) !== null) sink++;
  });
  bench('closedIntervals of one week, each week of 2026', 53, warm, (c) => {
    for (let t = YEAR_FROM; t < YEAR_TO; t += 7 * DAY)
      sink += c.closedIntervals(t, t + 7 * DAY).length;
  });
  console.log('');
}
console.log(`(checksum ${sink})`);
