import type { PreviewEvent } from '../../src/domain';
import { engineWith, iso, tick, wm } from './engine-harness';

function compact(p: PreviewEvent[]) {
  return p.map((x) => ({
    key: `${x.symbol} ${x.tf}@${iso(x.bar.open_time)}`,
    ohlc: [x.bar.open, x.bar.high, x.bar.low, x.bar.close],
    ticks: x.bar.tick_count,
    complete: x.bar.complete,
  }));
}

describe('previews of the open bars', () => {
  it('returns the open bar of every (symbol, tf) changed since the last call, then nothing', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'] });
    expect(e.previews()).toEqual([]);
    tick(e, 'EURUSD', '2014-05-06T10:00:10.000', 1.1);
    tick(e, 'EURUSD', '2014-05-06T10:00:20.000', 1.105);
    expect(compact(e.previews())).toEqual([
      {
        key: 'EURUSD 1m@2014-05-06T10:00:00.000',
        ohlc: [1.1, 1.105, 1.1, 1.105],
        ticks: 2,
        complete: false,
      },
      {
        key: 'EURUSD 5m@2014-05-06T10:00:00.000',
        ohlc: [1.1, 1.105, 1.1, 1.105],
        ticks: 2,
        complete: false,
      },
    ]);
    expect(e.previews()).toEqual([]);
    // a duplicate changes nothing: no preview
    tick(e, 'EURUSD', '2014-05-06T10:00:20.000', 1.105);
    expect(e.previews()).toEqual([]);
  });

  it('shows a higher-timeframe bar as its final minutes plus the open one', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'] });
    tick(e, 'EURUSD', '2014-05-06T10:00:10.000', 1.1);
    tick(e, 'GBPUSD', '2014-05-06T10:00:11.000', 1.6);
    wm(e, '2014-05-06T10:01:00.000');
    e.previews();
    tick(e, 'EURUSD', '2014-05-06T10:01:05.000', 1.09);
    const p = e.previews();
    expect(compact(p)).toEqual([
      {
        key: 'EURUSD 1m@2014-05-06T10:01:00.000',
        ohlc: [1.09, 1.09, 1.09, 1.09],
        ticks: 1,
        complete: false,
      },
      {
        key: 'EURUSD 5m@2014-05-06T10:00:00.000',
        ohlc: [1.1, 1.1, 1.09, 1.09],
        ticks: 2,
        complete: false,
      },
    ]);
    expect(p[0]?.bar.source).toBe('tick_agg');
    expect(p[0]?.bar.synthetic).toBe(false);
    expect((p[0]?.bar.close_time ?? 0) - (p[0]?.bar.open_time ?? 0)).toBe(59_999);
  });

  it('previews every open minute that changed, each in its own window', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'] });
    tick(e, 'EURUSD', '2014-05-06T10:04:50.000', 1.1);
    tick(e, 'EURUSD', '2014-05-06T10:05:01.000', 1.2); // ahead of the watermark: a second open minute
    expect(compact(e.previews()).map((x) => x.key)).toEqual([
      'EURUSD 1m@2014-05-06T10:04:00.000',
      'EURUSD 1m@2014-05-06T10:05:00.000',
      'EURUSD 5m@2014-05-06T10:00:00.000',
      'EURUSD 5m@2014-05-06T10:05:00.000',
    ]);
  });

  it('opens the preview at the previous close in previous_close mode', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], openMode: 'previous_close' });
    tick(e, 'EURUSD', '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T10:01:00.000');
    tick(e, 'EURUSD', '2014-05-06T10:01:10.000', 1.2);
    tick(e, 'EURUSD', '2014-05-06T10:02:10.000', 1.3); // the minute before it is still open
    expect(compact(e.previews())).toEqual([
      {
        key: 'EURUSD 1m@2014-05-06T10:01:00.000',
        ohlc: [1.1, 1.2, 1.1, 1.2],
        ticks: 1,
        complete: false,
      },
      {
        key: 'EURUSD 1m@2014-05-06T10:02:00.000',
        ohlc: [1.2, 1.3, 1.2, 1.3],
        ticks: 1,
        complete: false,
      },
    ]);
  });
  it('builds only the wanted (symbol, tf) previews: the same bars, and the rest taken all the same', () => {
    const all = engineWith(undefined, { timeframes: ['1m', '5m', '1h'] });
    const some = engineWith(undefined, { timeframes: ['1m', '5m', '1h'] });
    const wanted = (symbol: string, tf: string): boolean =>
      (symbol === 'EURUSD' && tf === '5m') || (symbol === 'GBPUSD' && tf !== '5m');
    const feed = (at: string, price: number, minuteEnd?: string): void => {
      for (const e of [all, some]) {
        tick(e, 'EURUSD', at, price);
        tick(e, 'GBPUSD', at, price + 0.5);
        if (minuteEnd) wm(e, minuteEnd);
      }
    };
    feed('2014-05-06T10:00:10.000', 1.1);
    feed('2014-05-06T10:00:40.000', 1.12, '2014-05-06T10:01:00.000');
    feed('2014-05-06T10:01:05.000', 1.09);
    const expected = all.previews().filter((p) => wanted(p.symbol, p.tf));
    expect(expected.map((p) => `${p.symbol} ${p.tf}`)).toEqual([
      'EURUSD 5m',
      'GBPUSD 1m',
      'GBPUSD 1h',
    ]);
    expect(some.previews(wanted)).toEqual(expected);
    // what was not wanted was taken: a later call has nothing until a tick changes a bar
    expect(some.previews()).toEqual([]);
    feed('2014-05-06T10:01:30.000', 1.08);
    expect(some.previews(wanted)).toEqual(all.previews().filter((p) => wanted(p.symbol, p.tf)));
  });
});
