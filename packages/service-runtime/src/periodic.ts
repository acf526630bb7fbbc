/**
 * Periodic work at fixed places on the wall clock.
 *
 * A minute's final bars go out together just after the minute's end plus the watermark grace
 * (a whole second by default): one final per symbol through every bar builder, the publisher
 * and Redis at once. Periodic work that happens to run then — a status record, a price
 * snapshot, a preview flush — makes those finals wait for a core. `setInterval` runs at a phase
 * set by when the process started and drifts later by the lateness of every run, so sooner or
 * later it crosses that moment. These timers run in the middle of their period instead
 * (k·period + period/2 of wall-clock time: a 5 s record at :02.5, :07.5, …), as far from whole
 * seconds as the period allows, and never drift.
 */

/** A running {@link everyPeriod} timer. */
export interface PeriodicTimer {
  /** Stops it; the run in hand (if any) is not waited for. Idempotent. */
  stop(): void;
}

/** Options of {@link everyPeriod}. */
export interface PeriodicOptions {
  /** Where in each period it runs, ms after a multiple of the period (default: half a period). */
  offsetMs?: number;
  /** Lets the process exit while the timer runs (`timeout.unref()`). */
  unref?: boolean;
  /** The wall clock (default `Date.now`). */
  now?: () => number;
}

/** The first moment after `now` that is `offsetMs` past a multiple of `periodMs`. */
export function nextRunAt(now: number, periodMs: number, offsetMs: number): number {
  return Math.floor((now - offsetMs) / periodMs) * periodMs + offsetMs + periodMs;
}

/**
 * Runs `run` every `periodMs` at `k·periodMs + offsetMs` of the wall clock. A run that is late
 * (the event loop was busy) is not made up: the next one is at its own place. `run` must not
 * throw (a throw is a programmer error and reaches the process like any uncaught one).
 */
export function everyPeriod(
  periodMs: number,
  run: () => void,
  options: PeriodicOptions = {},
): PeriodicTimer {
  if (!(periodMs > 0) || !Number.isFinite(periodMs)) {
    throw new RangeError(`everyPeriod: period must be a positive number of ms, got ${periodMs}`);
  }
  const now = options.now ?? Date.now;
  const offset = (((options.offsetMs ?? periodMs / 2) % periodMs) + periodMs) % periodMs;
  let timeout: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (after: number): void => {
    const at = nextRunAt(after, periodMs, offset);
    timeout = setTimeout(fire, Math.max(0, at - now()), at);
    if (options.unref) timeout.unref();
  };
  // A timer may fire a little early: the next run is placed after the one due, not after now.
  const fire = (due: number): void => {
    if (stopped) return;
    schedule(Math.max(due, now()));
    run();
  };
  schedule(now());
  return {
    stop() {
      stopped = true;
      if (timeout) clearTimeout(timeout);
    },
  };
}
