import type { BarEngine, BarEvent } from '../../src/domain';
import { engineWith, iso, keys, ofTf, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

/** A history bar with bid OHLC `[o, h, l, c]` (ask 0.0002 above, here unused: bid mode). */
function history(e: BarEngine, at: string, [o, h, l, c]: number[]): readonly BarEvent[] {
  return e.onHistoryBar({
    symbol: S,
    open_time: T(at),
    bid_open: o!,
    bid_high: h!,
    bid_low: l!,
    bid_close: c!,
    ask_open: o! + 0.0002,
    ask_high: h! + 0.0002,
    ask_low: l! + 0.0002,
    ask_close: c! + 0.0002,
    volume: 9,
  });
}

/** An engine that holds windows begun before it started, fed from 10:03:10 to 10:15. */
function startedMidWindow(): { e: BarEngine; out: BarEvent[]; previews: string[] } {
  const e = engineWith(undefined, {
    timeframes: ['1m', '5m', '15m'],
    maxSynthGapMinutes: 0,
    holdUncoveredWindows: true,
  });
  tick(e, S, '2014-05-06T10:03:10.000', 1.1);
  tick(e, S, '2014-05-06T10:03:20.000', 1.105);
  const previews = e.previews().map((p) => `${p.tf}@${iso(p.bar.open_time)} ${p.bar.complete}`);
  tick(e, S, '2014-05-06T10:07:10.000', 1.2);
  tick(e, S, '2014-05-06T10:14:10.000', 1.3);
  return { e, out: [...wm(e, '2014-05-06T10:15:00.000')], previews };
}

describe('cold start: a window is final only when every minute of it is covered', () => {
  it('holds the windows that began before the engine started; only their previews go out', () => {
    const { e, out, previews } = startedMidWindow();
    expect(previews).toEqual([
      '1m@2014-05-06T10:03:00.000 false',
      '5m@2014-05-06T10:00:00.000 false',
      '15m@2014-05-06T10:00:00.000 false',
    ]);
    // 5m@10:00 and 15m@10:00 began at 10:00, before the first tick's minute 10:03: no final
    expect(keys(out).filter((k) => !k.includes(' 1m@'))).toEqual([
      'EURUSD 5m@2014-05-06T10:05:00.000',
      'EURUSD 5m@2014-05-06T10:10:00.000',
    ]);
    expect(e.warmupNeeds()).toEqual([
      { symbol: S, from: T('2014-05-06T10:00:00.000'), to: T('2014-05-06T10:03:00.000') },
    ]);
  });

  it('warm-up history fills the missing minutes and, once delivered, releases the windows', () => {
    const { e } = startedMidWindow();
    // history of the minutes before the start (10:01 had no trade): fills, no window yet
    expect(keys(history(e, '2014-05-06T10:00:00.000', [1.09, 1.092, 1.089, 1.091]))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
    ]);
    expect(keys(history(e, '2014-05-06T10:02:00.000', [1.095, 1.096, 1.094, 1.095]))).toEqual([
      'EURUSD 1m@2014-05-06T10:02:00.000',
    ]);
    // a range that does not reach the coverage (10:03) covers nothing
    expect(
      e.onHistoryRange({ symbol: S, from: T('2014-05-06T10:00:00'), to: T('2014-05-06T10:02:00') }),
    ).toEqual([]);
    const released = e.onHistoryRange({
      symbol: S,
      from: T('2014-05-06T10:00:00'),
      to: T('2014-05-06T10:03:00'),
    });
    expect(keys(released)).toEqual([
      'EURUSD 5m@2014-05-06T10:00:00.000',
      'EURUSD 15m@2014-05-06T10:00:00.000',
    ]);
    expect(
      released.map((x) => [x.bar.open, x.bar.high, x.bar.low, x.bar.close, x.bar.volume]),
    ).toEqual([
      [1.09, 1.105, 1.089, 1.105, 9 + 9 + 2],
      [1.09, 1.3, 1.089, 1.3, 9 + 9 + 4],
    ]);
    expect(released.every((x) => x.kind === 'final' && x.bar.complete)).toBe(true);
    expect(e.warmupNeeds()).toEqual([]);
    // once only: a repeated range releases nothing
    expect(
      e.onHistoryRange({ symbol: S, from: T('2014-05-06T10:00:00'), to: T('2014-05-06T10:03:00') }),
    ).toEqual([]);
  });

  it('after the warm-up the next windows are final at their ends as usual', () => {
    const { e } = startedMidWindow();
    history(e, '2014-05-06T10:00:00.000', [1.09, 1.092, 1.089, 1.091]);
    // covered from 10:00 now: the next windows are final at their ends as usual
    e.onHistoryRange({ symbol: S, from: T('2014-05-06T10:00:00'), to: T('2014-05-06T10:03:00') });
    tick(e, S, '2014-05-06T10:16:10.000', 1.31);
    const next = wm(e, '2014-05-06T10:30:00.000');
    expect(ofTf(next, '15m').map((x) => iso(x.bar.open_time))).toEqual(['2014-05-06T10:15:00.000']);
  });

  it('history older than the memory covers nothing: a window it would open stays held, never final', () => {
    const e = engineWith(undefined, {
      timeframes: ['1m', '5m', '15m', '1h'],
      maxSynthGapMinutes: 0,
      holdUncoveredWindows: true,
      finalMemoryMinutes: 60,
    });
    tick(e, S, '2014-05-06T10:03:10.000', 1.1);
    // the warm-up is late: by now the engine remembers from 10:01 only
    tick(e, S, '2014-05-06T11:00:10.000', 1.2);
    wm(e, '2014-05-06T11:01:00.000');
    expect(e.warmupNeeds()).toEqual([
      { symbol: S, from: T('2014-05-06T10:00:00.000'), to: T('2014-05-06T10:03:00.000') },
    ]);
    expect(history(e, '2014-05-06T10:00:00.000', [9, 9, 9, 9])).toEqual([]); // stale
    expect(keys(history(e, '2014-05-06T10:01:00.000', [1.09, 1.09, 1.09, 1.09]))).toEqual([
      'EURUSD 1m@2014-05-06T10:01:00.000',
    ]);
    expect(e.counters()[S]!.history_stale).toBe(1);
    // 5m, 15m and 1h @10:00 would miss 10:00 (open 9): they stay held
    const range = { symbol: S, from: T('2014-05-06T10:00:00'), to: T('2014-05-06T10:03:00') };
    expect(e.onHistoryRange(range)).toEqual([]);
    // once the whole span is past the memory, it is no longer asked for
    wm(e, '2014-05-06T11:04:00.000');
    expect(e.warmupNeeds()).toEqual([]);
    expect(ofTf(wm(e, '2014-05-06T12:00:00.000'), '1h').map((x) => iso(x.bar.open_time))).toEqual([
      '2014-05-06T11:00:00.000',
    ]);
  });

  it('without the option every window is final at its end, as before', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'], maxSynthGapMinutes: 0 });
    tick(e, S, '2014-05-06T10:03:10.000', 1.1);
    expect(keys(ofTf(wm(e, '2014-05-06T10:05:00.000'), '5m'))).toEqual([
      'EURUSD 5m@2014-05-06T10:00:00.000',
    ]);
    expect(e.warmupNeeds()).toEqual([]);
  });
});
