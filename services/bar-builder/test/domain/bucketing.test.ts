import { engineWith, keys, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

describe('bucket [start, start + 1m) and closing on the watermark', () => {
  it('puts a tick exactly on a boundary into the next bar', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:00.000', 1.1001);
    tick(e, S, '2014-05-06T10:00:59.999', 1.1003);
    tick(e, S, '2014-05-06T10:01:00.000', 1.1007);
    const out = wm(e, '2014-05-06T10:02:00.000');
    expect(
      out.map((x) => [
        x.bar.open_time,
        x.bar.close_time,
        x.bar.open,
        x.bar.close,
        x.bar.tick_count,
      ]),
    ).toEqual([
      [T('2014-05-06T10:00:00.000'), T('2014-05-06T10:00:59.999'), 1.1001, 1.1003, 2],
      [T('2014-05-06T10:01:00.000'), T('2014-05-06T10:01:59.999'), 1.1007, 1.1007, 1],
    ]);
  });

  it('finalises a bar only once the watermark reaches its end', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1001);
    expect(wm(e, '2014-05-06T10:00:59.999')).toEqual([]);
    expect(keys(wm(e, '2014-05-06T10:01:00.000'))).toEqual(['EURUSD 1m@2014-05-06T10:00:00.000']);
    // a second watermark past the same end emits nothing more: finals come out once
    expect(wm(e, '2014-05-06T10:01:30.000')).toEqual([]);
  });

  it('builds the full V1 bar: OHLC by event time, tick volume, geometry, spreads', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    // arrival order differs from event-time order: open/close follow event time
    tick(e, S, '2014-05-06T10:00:30.000', 1.1005, 1.1007);
    tick(e, S, '2014-05-06T10:00:10.000', 1.1002, 1.1003);
    tick(e, S, '2014-05-06T10:00:50.000', 1.1004, 1.1008);
    tick(e, S, '2014-05-06T10:00:05.000', 1.1003, 1.1004);
    tick(e, S, '2014-05-06T10:00:40.000', 1.1001, 1.1); // crossed quote: spread counts as 0
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect(final).toEqual({
      kind: 'final',
      symbol: S,
      tf: '1m',
      bar: {
        open_time: T('2014-05-06T10:00:00.000'),
        close_time: T('2014-05-06T10:00:59.999'),
        open: 1.1003,
        high: 1.1005,
        low: 1.1001,
        close: 1.1004,
        volume: 5,
        tick_count: 5,
        complete: true,
        synthetic: false,
        source: 'tick_agg',
        tf: '1m',
        bar_range: 0.0004,
        body_size: 0.0001,
        upper_wick: 0.0001,
        lower_wick: 0.0002,
        avg_spread: 0.00016, // (0.0002 + 0.0001 + 0.0004 + 0.0001 + 0) / 5
        max_spread: 0.0004,
      },
    });
  });

  it('keeps arrival order between ticks with the same event time', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:00.000', 1.2);
    tick(e, S, '2014-05-06T10:00:00.000', 1.3);
    tick(e, S, '2014-05-06T10:00:20.000', 1.1);
    tick(e, S, '2014-05-06T10:00:20.000', 1.4);
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect([final?.bar.open, final?.bar.high, final?.bar.low, final?.bar.close]).toEqual([
      1.2, 1.4, 1.1, 1.4,
    ]);
  });

  it('prices mid per tick, not from bid/ask OHLC', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], priceMode: 'mid' });
    tick(e, S, '2014-05-06T10:00:01.000', 1.0, 1.5); // mid 1.25
    tick(e, S, '2014-05-06T10:00:02.000', 1.125, 1.25); // mid 1.1875
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    // per-tick mids: high 1.25 (a mid of bid/ask highs would be (1.125 + 1.5) / 2 = 1.3125)
    expect([final?.bar.open, final?.bar.high, final?.bar.low, final?.bar.close]).toEqual([
      1.25, 1.25, 1.1875, 1.1875,
    ]);
  });

  it('prices ask in ask mode', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], priceMode: 'ask' });
    tick(e, S, '2014-05-06T10:00:01.000', 1.0, 1.5);
    tick(e, S, '2014-05-06T10:00:02.000', 1.125, 1.25);
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect([final?.bar.open, final?.bar.high, final?.bar.low, final?.bar.close]).toEqual([
      1.5, 1.5, 1.25, 1.25,
    ]);
  });

  it('opens at the previous close in previous_close mode, widening high/low to include it', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], openMode: 'previous_close' });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    tick(e, S, '2014-05-06T10:00:20.000', 1.2);
    tick(e, S, '2014-05-06T10:01:10.000', 1.15);
    tick(e, S, '2014-05-06T10:01:20.000', 1.16);
    const out = wm(e, '2014-05-06T10:02:00.000');
    // the first bar of the symbol has no previous close: it opens at its first tick
    expect(out.map((x) => [x.bar.open, x.bar.high, x.bar.low, x.bar.close])).toEqual([
      [1.1, 1.2, 1.1, 1.2],
      [1.2, 1.2, 1.15, 1.16],
    ]);
  });

  it('keeps symbols apart', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, 'EURUSD', '2014-05-06T10:00:10.000', 1.1);
    tick(e, 'XAUUSD', '2014-05-06T10:00:11.000', 1290.5);
    tick(e, 'EURUSD', '2014-05-06T10:00:12.000', 1.2);
    const out = wm(e, '2014-05-06T10:01:00.000');
    expect(out.map((x) => [x.symbol, x.bar.open, x.bar.close, x.bar.tick_count])).toEqual([
      ['EURUSD', 1.1, 1.2, 2],
      ['XAUUSD', 1290.5, 1290.5, 1],
    ]);
  });
});
