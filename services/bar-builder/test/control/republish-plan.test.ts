import { calendarFor } from '@fxcm/calendar';
import { chunks, minutesToRead, republishBars } from '../../src/control/republish-plan';
import type { StoredBar } from '../../src/store';

const T = Date.UTC(2014, 4, 5, 10, 0); // Monday, market open
const minute = (i: number, price: number): StoredBar => ({
  open_time: T + i * 60_000,
  close_time: T + i * 60_000 + 59_999,
  open: price,
  high: price + 0.0002,
  low: price - 0.0001,
  close: price + 0.0001,
  volume: 3,
  tick_count: 3,
  complete: true,
  synthetic: false,
  source: 'tick_agg',
  avg_spread: 0.0001,
  max_spread: 0.0002,
});
const calendar = calendarFor('EURUSD');

describe('republishBars', () => {
  // minutes 0..11 stored: windows 10:00 and 10:05 are over, 10:10 (two minutes) is not
  const stored = Array.from({ length: 12 }, (_, i) => minute(i, 1.38 + i / 10_000));

  it('gives 1m bars as stored, newest last', () => {
    const bars = republishBars(stored, '1m', 3, calendar, 'EURUSD', false);
    expect(bars.map((b) => [b.open_time, b.open, b.tf, b.complete])).toEqual(
      stored.slice(-3).map((s) => [s.open_time, s.open, '1m', true]),
    );
    expect(bars[0]).toMatchObject({ bar_range: 0.0003, avg_spread: 0.0001, tick_count: 3 });
  });

  it('builds 5m bars from the minutes of windows that are over', () => {
    const bars = republishBars(stored, '5m', 10, calendar, 'EURUSD', false);
    expect(bars.map((b) => b.open_time)).toEqual([T, T + 300_000]);
    expect(bars[1]).toMatchObject({
      open: stored[5]!.open,
      close: stored[9]!.close,
      high: stored[9]!.high,
      low: stored[5]!.low,
      volume: 15,
      complete: true,
      tf: '5m',
    });
  });

  it('drops a first window that began before what was read when the read was cut', () => {
    const cut = stored.slice(2);
    expect(republishBars(cut, '5m', 10, calendar, 'EURUSD', true).map((b) => b.open_time)).toEqual([
      T + 300_000,
    ]);
  });

  it('reads one window of slack and chunks at 5,000', () => {
    expect(minutesToRead('5m', 12, 60_000)).toBe(65);
    expect(minutesToRead('1d', 100, 60_000)).toBe(60_000);
    expect(chunks(Array.from({ length: 12_001 }, (_, i) => i)).map((c) => c.length)).toEqual([
      5_000, 5_000, 2_001,
    ]);
  });
});
