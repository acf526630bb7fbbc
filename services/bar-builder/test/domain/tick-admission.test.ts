import { isBarEngineError } from '../../src/domain';
import { engineWith, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

describe('late, duplicate, future and malformed ticks', () => {
  it('drops and counts a tick for a bar already final', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    const [final] = wm(e, '2014-05-06T10:01:05.000');
    expect(tick(e, S, '2014-05-06T10:00:59.000', 1.3)).toBe('late');
    // the final bar is untouched and nothing is emitted again
    expect(final?.bar.high).toBe(1.1);
    expect(wm(e, '2014-05-06T10:02:00.000')).toHaveLength(1); // 10:01: synthetic
    expect(e.counters()[S]).toMatchObject({ ticks: 2, applied: 1, late: 1 });
  });

  it('applies a tick behind the watermark while its bar is still open', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:40.000', 1.1);
    wm(e, '2014-05-06T10:00:50.000');
    expect(tick(e, S, '2014-05-06T10:00:20.000', 1.05)).toBe('applied');
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect([final?.bar.open, final?.bar.close]).toEqual([1.05, 1.1]);
  });

  it('applies a duplicate (same ts, bid, ask) once, also out of order', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    expect(tick(e, S, '2014-05-06T10:00:10.000', 1.1, 1.1002)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:00:20.000', 1.2, 1.2002)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:00:10.000', 1.1, 1.1002)).toBe('duplicate');
    expect(tick(e, S, '2014-05-06T10:00:20.000', 1.2, 1.2002)).toBe('duplicate');
    // same time, other price: a real quote, not a duplicate
    expect(tick(e, S, '2014-05-06T10:00:20.000', 1.2, 1.2003)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:00:05.000', 1.0, 1.0002)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:00:20.000', 1.2, 1.2003)).toBe('duplicate');
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect(final?.bar.tick_count).toBe(4);
    expect(e.counters()[S]).toMatchObject({ ticks: 7, applied: 4, duplicate: 3 });
  });

  it('rejects a tick beyond the future tolerance of the watermark, and counts it', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], futureToleranceMs: 5_000 });
    // before the first watermark there is no clock: nothing is "future"
    expect(tick(e, S, '2014-05-06T10:00:00.000', 1.1)).toBe('applied');
    wm(e, '2014-05-06T10:00:10.000');
    expect(tick(e, S, '2014-05-06T10:00:15.000', 1.2)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:00:15.001', 1.3)).toBe('future');
    expect(tick(e, S, '2014-05-06T11:00:00.000', 1.4)).toBe('future');
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect([final?.bar.high, final?.bar.tick_count]).toEqual([1.2, 2]);
    expect(e.counters()[S]).toMatchObject({ ticks: 4, applied: 2, future: 2 });
  });

  it('throws a coded error naming the field for a malformed tick, and keeps going', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    tick(e, S, '2014-05-06T10:00:00.000', 1.1);
    const bad = [
      { symbol: S, ts: T('2014-05-06T10:00:01.000'), bid: Number.NaN, ask: 1.1 },
      { symbol: S, ts: T('2014-05-06T10:00:01.000'), bid: 1.1, ask: -1 },
      { symbol: S, ts: 1_399_370_401.5, bid: 1.1, ask: 1.1 },
      { symbol: S, ts: 1_399_370_401, bid: 1.1, ask: 1.1 }, // seconds, not ms
      { symbol: '', ts: T('2014-05-06T10:00:01.000'), bid: 1.1, ask: 1.1 },
    ];
    const messages = bad.map((t) => {
      try {
        e.onTick(t);
        return 'no error';
      } catch (err) {
        expect(isBarEngineError(err, 'BAR_INVALID_TICK')).toBe(true);
        return (err as Error).message;
      }
    });
    expect(messages[0]).toMatch(/bid must be a finite number > 0, got NaN/);
    expect(messages[1]).toMatch(/ask must be a finite number > 0, got -1/);
    expect(messages[2]).toMatch(/ts must be an integer epoch ms/);
    expect(messages[3]).toMatch(/ts must be an integer epoch ms/);
    expect(messages[4]).toMatch(/symbol must be a non-empty string/);
    expect(tick(e, S, '2014-05-06T10:00:02.000', 1.2)).toBe('applied');
    const [final] = wm(e, '2014-05-06T10:01:00.000');
    expect([final?.bar.tick_count, final?.bar.close]).toEqual([2, 1.2]);
    expect(e.counters()[S]).toMatchObject({ ticks: 2, applied: 2, invalid: 4 });
  });

  it('rejects a malformed watermark with BAR_INVALID_WATERMARK and ignores one that goes back', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    expect(() =>
      e.onWatermark({ ts: T('2014-05-06T10:00:00.000'), feed: 'maybe' as 'alive' }),
    ).toThrow(/feed must be "alive" or "dead"/);
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    wm(e, '2014-05-06T10:00:30.000');
    expect(wm(e, '2014-05-06T09:00:00.000')).toEqual([]);
    expect(e.status()).toMatchObject({
      watermark: T('2014-05-06T10:00:30.000'),
      watermarkRegressions: 1,
    });
  });
});
