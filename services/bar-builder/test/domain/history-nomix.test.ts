import { isBarEngineError, type BarEngine, type HistoryBar } from '../../src/domain';
import { engineWith, iso, keys, listedCalendar, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

/** An FXCM history bar: bid OHLC as given, ask = bid + 0.0003, volume as given. */
function hb(at: string, bid: [number, number, number, number], volume: number): HistoryBar {
  const [o, h, l, c] = bid;
  return {
    symbol: S,
    open_time: T(at),
    bid_open: o,
    bid_high: h,
    bid_low: l,
    bid_close: c,
    ask_open: o + 0.0003,
    ask_high: h + 0.0003,
    ask_low: l + 0.0003,
    ask_close: c + 0.0003,
    volume,
  };
}

/** 10:00 built from a tick, then a dead feed leaves holes at 10:01 and 10:02. */
function withHoles(options = {}): BarEngine {
  const e = engineWith(undefined, { timeframes: ['1m', '5m'], ...options });
  tick(e, S, '2014-05-06T10:00:10.000', 1.1);
  expect(keys(wm(e, '2014-05-06T10:03:00.000', 'dead'))).toEqual([
    'EURUSD 1m@2014-05-06T10:00:00.000',
  ]);
  return e;
}

describe('NoMix: history bars fill holes, never replace a final', () => {
  it('fills a hole with a history final and merges it into the window in progress', () => {
    const e = withHoles();
    const fill = e.onHistoryBar(hb('2014-05-06T10:01:00', [1.1001, 1.1004, 1.0999, 1.1002], 42));
    expect(fill).toEqual([
      {
        kind: 'final',
        symbol: S,
        tf: '1m',
        bar: {
          open_time: T('2014-05-06T10:01:00'),
          close_time: T('2014-05-06T10:01:59.999'),
          open: 1.1001,
          high: 1.1004,
          low: 1.0999,
          close: 1.1002,
          volume: 42,
          tick_count: 0,
          complete: true,
          synthetic: false,
          source: 'history',
          tf: '1m',
          bar_range: 0.0005,
          body_size: 0.0001,
          upper_wick: 0.0002,
          lower_wick: 0.0002,
        },
      },
    ]);
    tick(e, S, '2014-05-06T10:03:30.000', 1.1006);
    const out = wm(e, '2014-05-06T10:05:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:03:00.000',
      'EURUSD 1m@2014-05-06T10:04:00.000', // synthetic at 1.1006
      'EURUSD 5m@2014-05-06T10:00:00.000',
    ]);
    expect(out[2]?.bar).toMatchObject({
      open: 1.1,
      high: 1.1006,
      low: 1.0999,
      close: 1.1006,
      volume: 44, // 1 tick + 42 FXCM volume + 1 tick + 0
      tick_count: 2,
      source: 'tick_agg', // mixed inputs; 'history' only when every minute is history
      synthetic: false,
    });
    expect(e.counters()[S]).toMatchObject({ history_filled: 1, synthetic: 1 });
  });

  it('revises a window that is already final when a fill changes it', () => {
    const e = withHoles();
    tick(e, S, '2014-05-06T10:03:30.000', 1.1006);
    wm(e, '2014-05-06T10:06:00.000', 'dead');
    const out = e.onHistoryBar(hb('2014-05-06T10:02:00', [1.0995, 1.1009, 1.099, 1.1001], 30));
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:02:00.000',
      'revised EURUSD 5m@2014-05-06T10:00:00.000',
    ]);
    expect(out[1]).toMatchObject({
      kind: 'revised',
      revision: 1,
      bar: {
        open: 1.1,
        high: 1.1009,
        low: 1.099,
        close: 1.1006,
        volume: 32,
        tick_count: 2,
        complete: true,
      },
    });
    const again = e.onHistoryBar(hb('2014-05-06T10:01:00', [1.1, 1.1, 1.1, 1.1], 5));
    expect(again[1]).toMatchObject({ kind: 'revised', revision: 2, bar: { volume: 37 } });
  });

  it('creates the first final of a window that had no minute at all', () => {
    const e = withHoles();
    wm(e, '2014-05-06T10:12:00.000', 'dead');
    const out = e.onHistoryBar(hb('2014-05-06T10:07:00', [1.2, 1.2, 1.2, 1.2], 3));
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:07:00.000',
      'EURUSD 5m@2014-05-06T10:05:00.000',
    ]);
    expect(out[1]?.bar).toMatchObject({ source: 'history', volume: 3, open: 1.2 });
  });

  it('counts and drops history for a minute whose final came from ticks or is synthetic', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T10:02:00.000'); // 10:00 tick bar, 10:01 synthetic
    expect(e.onHistoryBar(hb('2014-05-06T10:00:00', [1.2, 1.2, 1.2, 1.2], 9))).toEqual([]);
    expect(e.onHistoryBar(hb('2014-05-06T10:01:00', [1.2, 1.2, 1.2, 1.2], 9))).toEqual([]);
    expect(e.counters()[S]).toMatchObject({ history_conflicts: 2, history_filled: 0 });
  });

  it('keeps the first history fill of a minute (a second one is a duplicate)', () => {
    const e = withHoles();
    expect(e.onHistoryBar(hb('2014-05-06T10:01:00', [1.1, 1.1, 1.1, 1.1], 1))).toHaveLength(1);
    expect(e.onHistoryBar(hb('2014-05-06T10:01:00', [1.3, 1.3, 1.3, 1.3], 1))).toEqual([]);
    expect(e.counters()[S]).toMatchObject({ history_filled: 1, history_duplicate: 1 });
  });

  it('uses a history bar that arrives early for a minute without ticks; ticks win where they exist', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T10:00:30.000');
    expect(e.onHistoryBar(hb('2014-05-06T10:01:00', [1.15, 1.16, 1.14, 1.15], 11))).toEqual([]);
    expect(e.onHistoryBar(hb('2014-05-06T10:02:00', [1.25, 1.26, 1.24, 1.25], 12))).toEqual([]);
    tick(e, S, '2014-05-06T10:02:30.000', 1.2);
    const out = wm(e, '2014-05-06T10:03:00.000');
    expect(
      out.map((x) => [iso(x.bar.open_time), x.bar.source, x.bar.synthetic, x.bar.close]),
    ).toEqual([
      ['2014-05-06T10:00:00.000', 'tick_agg', false, 1.1],
      ['2014-05-06T10:01:00.000', 'history', false, 1.15], // instead of a synthetic bar
      ['2014-05-06T10:02:00.000', 'tick_agg', false, 1.2],
    ]);
    expect(e.counters()[S]).toMatchObject({
      history_filled: 1,
      history_conflicts: 1,
      synthetic: 0,
    });
  });

  it('uses mid of the bid and ask fields in mid mode', () => {
    const e = withHoles({ priceMode: 'mid' });
    const [fill] = e.onHistoryBar(hb('2014-05-06T10:01:00', [1.1001, 1.1005, 1.0999, 1.1003], 4));
    expect([fill?.bar.open, fill?.bar.high, fill?.bar.low, fill?.bar.close]).toEqual([
      (1.1001 + 1.1004) / 2,
      (1.1005 + 1.1008) / 2,
      (1.0999 + 1.1002) / 2,
      (1.1003 + 1.1006) / 2,
    ]);
  });

  it('drops history older than the memory horizon, for a closed minute, or malformed', () => {
    const calendar = listedCalendar([['2014-05-06T12:30:00', '2014-05-06T12:40:00']]);
    const e = engineWith(calendar, { timeframes: ['1m'], finalMemoryMinutes: 60 });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T13:00:00.000', 'dead');
    expect(e.onHistoryBar(hb('2014-05-06T11:30:00', [1.1, 1.1, 1.1, 1.1], 1))).toEqual([]);
    expect(e.onHistoryBar(hb('2014-05-06T12:35:00', [1.1, 1.1, 1.1, 1.1], 1))).toEqual([]);
    expect(e.onHistoryBar(hb('2014-05-06T12:05:00', [1.1, 1.1, 1.1, 1.1], 1))).toHaveLength(1);
    const bad = { ...hb('2014-05-06T12:06:00', [1.1, 1.1, 1.1, 1.1], 1), bid_low: 1.2 };
    expect(() => e.onHistoryBar(bad)).toThrow(/bid prices break low <= open, close <= high/);
    try {
      e.onHistoryBar({ ...bad, open_time: T('2014-05-06T12:06:30') });
    } catch (err) {
      expect(isBarEngineError(err, 'BAR_INVALID_HISTORY_BAR')).toBe(true);
      expect((err as Error).message).toMatch(/open_time must be on a minute boundary/);
    }
    expect(e.counters()[S]).toMatchObject({
      history_stale: 1,
      history_outside_session: 1,
      history_filled: 1,
      invalid: 2,
    });
  });
});
