import { interruptibleSleep } from '@fxcm/redis-streams';

/** Time as the live providers see it: injectable so tests run an hour in a moment. */
export interface Clock {
  now(): number;
  /** Waits `ms` of this clock's time; `interrupt()` ends every wait at once. */
  sleep(ms: number): Promise<void>;
  interrupt(): void;
}

/** The wall clock. */
export function systemClock(): Clock {
  const sleeper = interruptibleSleep();
  return { now: Date.now, sleep: (ms) => sleeper.sleep(ms), interrupt: () => sleeper.interrupt() };
}

/**
 * A clock that jumps forward by the slept time instead of waiting (yielding to the event loop
 * once per sleep), for tests and benchmarks that simulate hours.
 */
export function virtualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  let interrupted = false;
  return {
    now: () => now,
    async sleep(ms: number) {
      if (interrupted) return;
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    interrupt() {
      interrupted = true;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

/**
 * The wall clock shifted to start at `start` (waits are real): a live-looking run at another
 * time, e.g. a weekday session on a weekend. `advance()` jumps it forward.
 */
export function shiftedClock(start: number): Clock & { advance(ms: number): void } {
  const sleeper = interruptibleSleep();
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    sleep: (ms) => sleeper.sleep(ms),
    interrupt: () => sleeper.interrupt(),
    advance(ms: number) {
      offset += ms;
    },
  };
}
