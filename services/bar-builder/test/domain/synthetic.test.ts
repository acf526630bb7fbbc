import { engineWith, keys, listedCalendar, tick, wm } from './engine-harness';

const S = 'EURUSD';

describe('synthetic bars for open minutes without ticks', () => {
  it('fills quiet open minutes with flat bars at the previous close', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    tick(e, S, '2014-05-06T10:00:20.000', 1.12);
    const out = wm(e, '2014-05-06T10:03:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:01:00.000',
      'EURUSD 1m@2014-05-06T10:02:00.000',
    ]);
    expect(out[1]?.bar).toMatchObject({
      open: 1.12,
      high: 1.12,
      low: 1.12,
      close: 1.12,
      volume: 0,
      tick_count: 0,
      complete: true,
      synthetic: true,
      source: 'tick_agg',
      bar_range: 0,
    });
    expect(out[1]?.bar).not.toHaveProperty('avg_spread');
    expect(e.counters()[S]?.synthetic).toBe(2);
  });

  it('stops after maxSynthGapMinutes synthetic bars and starts again after the next real bar', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], maxSynthGapMinutes: 3 });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    expect(keys(wm(e, '2014-05-06T10:10:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:01:00.000',
      'EURUSD 1m@2014-05-06T10:02:00.000',
      'EURUSD 1m@2014-05-06T10:03:00.000',
    ]);
    tick(e, S, '2014-05-06T10:10:30.000', 1.2);
    expect(keys(wm(e, '2014-05-06T10:13:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:10:00.000',
      'EURUSD 1m@2014-05-06T10:11:00.000',
      'EURUSD 1m@2014-05-06T10:12:00.000',
    ]);
  });

  it('makes no synthetic bar while the feed is dead', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    expect(keys(wm(e, '2014-05-06T10:03:00.000', 'dead'))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
    ]);
    // a dead watermark inside a minute also spoils the minutes closed by the next crossing
    wm(e, '2014-05-06T10:03:20.000', 'dead');
    expect(wm(e, '2014-05-06T10:04:00.000', 'alive')).toEqual([]);
    expect(keys(wm(e, '2014-05-06T10:05:00.000', 'alive'))).toEqual([
      'EURUSD 1m@2014-05-06T10:04:00.000',
    ]);
  });

  it('makes none before the first real tick of a symbol', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T10:00:30.000');
    tick(e, 'GBPUSD', '2014-05-06T10:00:40.000', 1.6);
    const out = wm(e, '2014-05-06T10:03:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'GBPUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:01:00.000',
      'GBPUSD 1m@2014-05-06T10:01:00.000',
      'EURUSD 1m@2014-05-06T10:02:00.000',
      'GBPUSD 1m@2014-05-06T10:02:00.000',
    ]);
    const fresh = engineWith(undefined, { timeframes: ['1m'] });
    fresh.onWatermark({ ts: Date.parse('2014-05-06T10:00:00Z'), feed: 'alive' });
    fresh.onHistoryBar({
      symbol: S,
      open_time: Date.parse('2014-05-06T09:59:00Z'),
      bid_open: 1.1,
      bid_high: 1.1,
      bid_low: 1.1,
      bid_close: 1.1,
      ask_open: 1.1002,
      ask_high: 1.1002,
      ask_low: 1.1002,
      ask_close: 1.1002,
      volume: 7,
    });
    // a history bar is not a tick: still no synthetic bars for the symbol
    expect(wm(fresh, '2014-05-06T10:05:00.000')).toEqual([]);
  });

  it('makes none for closed minutes, nor after them before the next session has a real minute', () => {
    const calendar = listedCalendar([['2014-05-06T10:02:00', '2014-05-06T10:04:00']]);
    const e = engineWith(calendar, { timeframes: ['1m'], maxSynthGapMinutes: 2 });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    expect(keys(wm(e, '2014-05-06T10:08:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:01:00.000',
    ]);
    tick(e, S, '2014-05-06T10:08:10.000', 1.2);
    expect(keys(wm(e, '2014-05-06T10:11:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:08:00.000',
      'EURUSD 1m@2014-05-06T10:09:00.000',
      'EURUSD 1m@2014-05-06T10:10:00.000',
    ]);
  });

  it('finds a closed stretch jumped over while the feed was dead', () => {
    const calendar = listedCalendar([['2014-05-06T10:05:00', '2014-05-06T10:06:00']]);
    const e = engineWith(calendar, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    expect(keys(wm(e, '2014-05-06T10:08:00.000', 'dead'))).toEqual([
      'EURUSD 1m@2014-05-06T10:00:00.000',
    ]);
    // alive again after the closed minute: the old session's close is not carried over it
    expect(wm(e, '2014-05-06T10:10:00.000')).toEqual([]);
    // alive again inside the same session: synthetic bars resume
    const same = engineWith(calendar, { timeframes: ['1m'] });
    tick(same, S, '2014-05-06T10:00:10.000', 1.1);
    wm(same, '2014-05-06T10:03:00.000', 'dead');
    expect(keys(wm(same, '2014-05-06T10:05:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:03:00.000',
      'EURUSD 1m@2014-05-06T10:04:00.000',
    ]);
  });
});
