import { engineWith, iso, keys, ofTf, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

describe('higher timeframes from final 1m bars', () => {
  it('builds 5m from the final 1m bars, final once the watermark passes its end', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1, 1.1002);
    tick(e, S, '2014-05-06T10:00:40.000', 1.101, 1.1011);
    tick(e, S, '2014-05-06T10:01:20.000', 1.099, 1.0994);
    tick(e, S, '2014-05-06T10:03:30.000', 1.1005, 1.1006);
    tick(e, S, '2014-05-06T10:04:59.999', 1.1003, 1.1005);
    expect(keys(wm(e, '2014-05-06T10:04:59.999'))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:01:00.000',
      'EURUSD 1m@2014-05-06T10:02:00.000', // synthetic
      'EURUSD 1m@2014-05-06T10:03:00.000',
    ]);
    const out = wm(e, '2014-05-06T10:05:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:04:00.000',
      'EURUSD 5m@2014-05-06T10:00:00.000',
    ]);
    expect(out[1]?.bar).toEqual({
      open_time: T('2014-05-06T10:00:00.000'),
      close_time: T('2014-05-06T10:04:59.999'),
      open: 1.1,
      high: 1.101,
      low: 1.099,
      close: 1.1003,
      volume: 5,
      tick_count: 5,
      complete: true,
      synthetic: false,
      source: 'tick_agg',
      tf: '5m',
      bar_range: 0.002,
      body_size: 0.0003,
      upper_wick: 0.0007,
      lower_wick: 0.001,
      avg_spread: 0.0002, // (0.00015·2 + 0.0004 + 0.0001 + 0.0002) / 5
      max_spread: 0.0004,
    });
  });

  it('builds windows from real minutes only: synthetic ones shape nothing, and alone make no bar', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'] });
    tick(e, S, '2014-05-06T10:03:10.000', 1.1);
    tick(e, S, '2014-05-06T10:03:20.000', 1.105);
    tick(e, S, '2014-05-06T10:12:10.000', 1.09);
    tick(e, S, '2014-05-06T10:12:20.000', 1.095);
    const events = wm(e, '2014-05-06T10:15:00.000');
    expect(ofTf(events, '1m').filter((x) => x.bar.synthetic)).toHaveLength(10); // 10:04–10:11, 10:13–10:14
    const out = ofTf(events, '5m');
    // 10:05 has only synthetic minutes: no bar; 10:10 opens at its first tick, not at 1.105
    expect(
      out.map((x) => [
        iso(x.bar.open_time),
        [x.bar.open, x.bar.high, x.bar.low, x.bar.close],
        x.bar.synthetic,
        x.bar.tick_count,
        x.bar.volume,
      ]),
    ).toEqual([
      ['2014-05-06T10:00:00.000', [1.1, 1.105, 1.1, 1.105], false, 2, 2],
      ['2014-05-06T10:10:00.000', [1.09, 1.095, 1.09, 1.095], false, 2, 2],
    ]);
  });

  it('emits a window from the minutes that exist (dead feed gap) and only the configured timeframes', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '15m', '1h'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    tick(e, S, '2014-05-06T10:14:10.000', 1.2);
    const out = wm(e, '2014-05-06T10:15:00.000', 'dead');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:14:00.000',
      'EURUSD 15m@2014-05-06T10:00:00.000',
    ]);
    expect([out[2]?.bar.open, out[2]?.bar.close, out[2]?.bar.tick_count]).toEqual([1.1, 1.2, 2]);
    // the hour is final only when the watermark passes 11:00, even with no minute after 10:14
    expect(wm(e, '2014-05-06T10:59:59.999', 'dead')).toEqual([]);
    expect(keys(wm(e, '2014-05-06T11:00:00.000', 'dead'))).toEqual([
      'EURUSD 1h@2014-05-06T10:00:00.000',
    ]);
  });

  it('aligns 5m, 15m, 30m and 1h to the epoch and emits every bar in order of its end', () => {
    const e = engineWith(undefined, { maxSynthGapMinutes: 0 });
    tick(e, S, '2014-05-06T10:29:10.000', 1.1);
    tick(e, S, '2014-05-06T10:31:10.000', 1.2);
    const out = wm(e, '2014-05-06T11:00:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:29:00.000',
      // windows that ended come out before the next minute, in timeframe order
      'EURUSD 5m@2014-05-06T10:25:00.000',
      'EURUSD 15m@2014-05-06T10:15:00.000',
      'EURUSD 30m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:31:00.000',
      'EURUSD 5m@2014-05-06T10:30:00.000',
      'EURUSD 15m@2014-05-06T10:30:00.000',
      'EURUSD 30m@2014-05-06T10:30:00.000',
      'EURUSD 1h@2014-05-06T10:00:00.000',
    ]);
  });

  it('with several symbols, every 1m final of a minute comes before the windows ending with it', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m', '15m'], maxSynthGapMinutes: 0 });
    for (const symbol of ['XAUUSD', 'EURUSD', 'GBPUSD']) {
      tick(e, symbol, '2014-05-06T10:13:10.000', 1.1);
      tick(e, symbol, '2014-05-06T10:14:10.000', 1.2);
    }
    // for each bar end, each timeframe: every symbol, in symbol order
    const all = (key: string): string[] => ['EURUSD', 'GBPUSD', 'XAUUSD'].map((x) => `${x} ${key}`);
    expect(keys(wm(e, '2014-05-06T10:15:00.000'))).toEqual([
      ...all('1m@2014-05-06T10:13:00.000'),
      ...all('1m@2014-05-06T10:14:00.000'),
      ...all('5m@2014-05-06T10:10:00.000'),
      ...all('15m@2014-05-06T10:00:00.000'),
    ]);
  });

  it('anchors 4h and 1d at the trading-day start of the calendar', () => {
    // listed calendar: always open, trading day rolls at 21:00 UTC
    const e = engineWith(undefined, { timeframes: ['1m', '4h', '1d'], maxSynthGapMinutes: 0 });
    tick(e, S, '2014-05-06T20:59:10.000', 1.1);
    tick(e, S, '2014-05-06T21:00:10.000', 1.2);
    const out = wm(e, '2014-05-07T01:00:00.000');
    expect(out.map((x) => [x.tf, iso(x.bar.open_time), iso(x.bar.close_time)])).toEqual([
      ['1m', '2014-05-06T20:59:00.000', '2014-05-06T20:59:59.999'],
      ['4h', '2014-05-06T17:00:00.000', '2014-05-06T20:59:59.999'],
      ['1d', '2014-05-05T21:00:00.000', '2014-05-06T20:59:59.999'],
      ['1m', '2014-05-06T21:00:00.000', '2014-05-06T21:00:59.999'],
      ['4h', '2014-05-06T21:00:00.000', '2014-05-07T00:59:59.999'],
    ]);
  });
});
