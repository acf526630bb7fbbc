import {
  cpuSpent,
  finalLatency,
  growth,
  percentile,
  rate,
  repeatedFinals,
  worstByMinute,
} from './bench-figures';
import type { FinalArrival } from './bench-suite';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 18, 10, 0);

const arrival = (symbol: string, minute: number, lateMs: number): FinalArrival => ({
  symbol,
  openTime: T0 + minute * MINUTE,
  tickCount: 1_200,
  arrivedAt: T0 + (minute + 1) * MINUTE + lateMs,
});

describe('bench figures', () => {
  it('percentile by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('final latency counts from the end of the minute, only minutes ending after the start', () => {
    const finals = [arrival('A', 0, 5_000), arrival('A', 1, 1_010), arrival('B', 1, 1_030)];
    expect(finalLatency(finals, T0 + 2 * MINUTE)).toEqual({
      bars: 2,
      p50: 1_010,
      p99: 1_030,
      max: 1_030,
    });
  });

  it('the slowest final of each minute, in minute order', () => {
    const finals = [arrival('B', 1, 1_030), arrival('A', 0, 1_200), arrival('A', 1, 1_010)];
    expect(worstByMinute(finals)).toEqual([1_200, 1_030]);
  });

  it('names every (symbol, minute) that came more than once', () => {
    const finals = [arrival('A', 0, 1), arrival('B', 0, 1), arrival('A', 0, 2), arrival('A', 0, 3)];
    expect(repeatedFinals(finals)).toEqual([
      'A@2026-11-18T10:00:00.000Z',
      'A@2026-11-18T10:00:00.000Z',
    ]);
  });

  it('rates, growth and CPU spent', () => {
    expect(rate(594_000, 10_000)).toBe(59_400);
    expect(rate(5, 0)).toBe(0);
    expect(growth(100, 121)).toBe('+21.0 %');
    expect(growth(100, 95)).toBe('-5.0 %');
    expect(growth(undefined, 5)).toBe('n/a');
    expect(cpuSpent({ a: 1.5, redis: 10 }, { a: 4, b: 2.25, redis: 12.5, c: undefined })).toEqual({
      a: 2.5,
      b: 2.3,
      redis: 2.5,
      c: undefined,
    });
  });
});
