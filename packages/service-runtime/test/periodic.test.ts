import { everyPeriod, nextRunAt } from '../src/periodic';

describe('nextRunAt', () => {
  it('is the next moment offset past a multiple of the period, strictly after now', () => {
    expect(nextRunAt(10_000, 5_000, 2_500)).toBe(12_500);
    expect(nextRunAt(12_499, 5_000, 2_500)).toBe(12_500);
    expect(nextRunAt(12_500, 5_000, 2_500)).toBe(17_500);
    expect(nextRunAt(12_501, 5_000, 2_500)).toBe(17_500);
    expect(nextRunAt(9_999, 1_000, 0)).toBe(10_000);
    expect(nextRunAt(10_000, 1_000, 0)).toBe(11_000);
  });
});

describe('everyPeriod', () => {
  const MINUTE = Date.UTC(2026, 11, 7, 17, 0, 0);

  afterEach(() => jest.useRealTimers());

  it('runs at the middle of each period of wall-clock time, whenever it was started', () => {
    jest.useFakeTimers({ now: MINUTE + 1_234 });
    const runs: number[] = [];
    const timer = everyPeriod(5_000, () => runs.push(Date.now() - MINUTE));
    jest.advanceTimersByTime(20_000);
    timer.stop();
    expect(runs).toEqual([2_500, 7_500, 12_500, 17_500]);
  });

  it('does not drift after a late run, and runs a missed slot once', () => {
    jest.useFakeTimers({ now: MINUTE });
    const runs: number[] = [];
    let ahead = 0;
    const clock = (): number => Date.now() + ahead;
    const timer = everyPeriod(
      1_000,
      () => {
        runs.push(clock() - MINUTE);
        if (runs.length === 2) ahead = 1_200; // the event loop blocked 1.2 s in this run
      },
      { now: clock },
    );
    jest.advanceTimersByTime(5_000);
    timer.stop();
    // the slot of 2,500 runs once, late (3,700); then back on the grid, not 4,700 or 5,700
    expect(runs).toEqual([500, 1_500, 3_700, 4_500, 5_500]);
  });

  it('runs once per slot when the timer fires early by its own clock', () => {
    jest.useFakeTimers({ now: MINUTE });
    const runs: number[] = [];
    let lag = 0;
    const timer = everyPeriod(1_000, () => runs.push(Date.now() - MINUTE), {
      offsetMs: 0,
      now: () => Date.now() - lag,
    });
    lag = 2; // from here on the clock it reads is 2 ms behind the one that fires it
    jest.advanceTimersByTime(3_500);
    timer.stop();
    // the first fires 2 ms early by its clock; the slot is not run a second time 2 ms later
    expect(runs).toEqual([1_000, 2_002, 3_002]);
  });

  it('stops', () => {
    jest.useFakeTimers({ now: MINUTE });
    let runs = 0;
    const timer = everyPeriod(100, () => (runs += 1), { offsetMs: 0 });
    jest.advanceTimersByTime(250);
    timer.stop();
    timer.stop();
    jest.advanceTimersByTime(1_000);
    expect(runs).toBe(2);
  });

  it('refuses a period that is not a positive number', () => {
    for (const period of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => everyPeriod(period, () => undefined)).toThrow(RangeError);
    }
  });
});
