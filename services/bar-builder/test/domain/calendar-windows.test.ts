import { calendarFor } from '@fxcm/calendar';
import { createBarEngine, type BarEvent, type Timeframe } from '../../src/domain';
import { iso, keys, ofTf, T } from './engine-harness';

// These tests use the real FXCM calendar (@fxcm/calendar): FX trades Sunday 17:00 to Friday 17:00
// New York, metals pause 17:00-18:01 New York Monday to Thursday, the trading day rolls at 17:00 New York.

function engine(timeframes: Timeframe[], maxSynthGapMinutes = 0) {
  return createBarEngine({ priceMode: 'bid', timeframes, maxSynthGapMinutes, calendarFor });
}

function feed(
  e: ReturnType<typeof engine>,
  symbol: string,
  ticks: Array<[string, number]>,
): string[] {
  return ticks.map(([at, bid]) => e.onTick({ symbol, ts: T(at), bid, ask: bid + 0.0002 }));
}

function summary(events: readonly BarEvent[]) {
  return events.map((x) => ({
    tf: x.tf,
    open_time: iso(x.bar.open_time),
    close_time: iso(x.bar.close_time),
    ohlc: [x.bar.open, x.bar.high, x.bar.low, x.bar.close],
    ticks: x.bar.tick_count,
    synthetic: x.bar.synthetic,
  }));
}

describe('calendar-aware bars (real @fxcm/calendar)', () => {
  it('Sunday open: no bar before 17:00 New York, 4h and 1d anchored at the Sunday roll', () => {
    const e = engine(['1m', '1h', '4h', '1d'], 60);
    expect(
      feed(e, 'EURUSD', [
        ['2014-05-04T19:00:51.815', 1.3868], // indicative quote before the week opens
        ['2014-05-04T20:59:59.999', 1.3869],
        ['2014-05-04T21:00:00.000', 1.387],
        ['2014-05-04T21:01:10.000', 1.3872],
      ]),
    ).toEqual(['outside_session', 'outside_session', 'applied', 'applied']);
    const out: BarEvent[] = [];
    out.push(...e.onWatermark({ ts: T('2014-05-05T01:00:00.000'), feed: 'alive' }));
    const m1 = ofTf(out, '1m');
    expect(iso(m1[0]?.bar.open_time ?? 0)).toBe('2014-05-04T21:00:00.000');
    // 2 real bars, then 60 synthetic minutes (21:02 .. 22:01), then nothing
    expect(m1.map((x) => x.bar.synthetic).filter(Boolean)).toHaveLength(60);
    expect(iso(m1[m1.length - 1]?.bar.open_time ?? 0)).toBe('2014-05-04T22:01:00.000');
    expect(summary([...ofTf(out, '1h'), ...ofTf(out, '4h')])).toEqual([
      {
        tf: '1h',
        open_time: '2014-05-04T21:00:00.000',
        close_time: '2014-05-04T21:59:59.999',
        ohlc: [1.387, 1.3872, 1.387, 1.3872],
        ticks: 2,
        synthetic: false,
      },
      // the 22:00 hour has only synthetic minutes: no bar (synthetic minutes shape no window)
      {
        tf: '4h',
        open_time: '2014-05-04T21:00:00.000',
        close_time: '2014-05-05T00:59:59.999',
        ohlc: [1.387, 1.3872, 1.387, 1.3872],
        ticks: 2,
        synthetic: false,
      },
    ]);
    expect(e.counters().EURUSD?.outside_session).toBe(2);
  });

  it.each([
    {
      name: 'spring (US DST starts 2014-03-09)',
      friday: ['2014-03-07T21:58:10.000', '2014-03-07T21:59:50.000', '2014-03-07T22:00:10.000'],
      sunday: '2014-03-09T21:00:30.000',
      monday: ['2014-03-10T20:59:30.000', '2014-03-10T21:00:30.000'],
      end: '2014-03-10T21:01:00.000',
      expected: [
        ['4h', '2014-03-07T18:00:00.000', '2014-03-07T21:59:59.999'],
        ['1d', '2014-03-06T22:00:00.000', '2014-03-07T21:59:59.999'],
        ['4h', '2014-03-09T21:00:00.000', '2014-03-10T00:59:59.999'],
        ['4h', '2014-03-10T17:00:00.000', '2014-03-10T20:59:59.999'],
        ['1d', '2014-03-09T21:00:00.000', '2014-03-10T20:59:59.999'],
      ],
    },
    {
      name: 'autumn (US DST ends 2014-11-02)',
      friday: ['2014-10-31T20:58:10.000', '2014-10-31T20:59:50.000', '2014-10-31T21:00:10.000'],
      sunday: '2014-11-02T22:00:30.000',
      monday: ['2014-11-03T21:59:30.000', '2014-11-03T22:00:30.000'],
      end: '2014-11-03T22:01:00.000',
      expected: [
        ['4h', '2014-10-31T17:00:00.000', '2014-10-31T20:59:59.999'],
        ['1d', '2014-10-30T21:00:00.000', '2014-10-31T20:59:59.999'],
        ['4h', '2014-11-02T22:00:00.000', '2014-11-03T01:59:59.999'],
        ['4h', '2014-11-03T18:00:00.000', '2014-11-03T21:59:59.999'],
        ['1d', '2014-11-02T22:00:00.000', '2014-11-03T21:59:59.999'],
      ],
    },
  ])(
    'DST week, $name: 4h and 1d follow 17:00 New York',
    ({ friday, sunday, monday, end, expected }) => {
      const e = engine(['1m', '4h', '1d']);
      const [f1, f2, fClosed] = friday as [string, string, string];
      const [m1, m2] = monday as [string, string];
      const out: BarEvent[] = [];
      expect(
        feed(e, 'EURUSD', [
          [f1, 1.387],
          [f2, 1.3875],
          [fClosed, 1.3876],
        ]),
      ).toEqual([
        'applied',
        'applied',
        'outside_session', // Friday after 17:00 New York
      ]);
      out.push(...e.onWatermark({ ts: T(sunday), feed: 'alive' }));
      feed(e, 'EURUSD', [[sunday, 1.388]]);
      out.push(...e.onWatermark({ ts: T(m1), feed: 'alive' }));
      feed(e, 'EURUSD', [
        [m1, 1.389],
        [m2, 1.3895],
      ]);
      out.push(...e.onWatermark({ ts: T(end), feed: 'alive' }));
      const htf = out.filter((x) => x.tf !== '1m');
      expect(htf.map((x) => [x.tf, iso(x.bar.open_time), iso(x.bar.close_time)])).toEqual(expected);
      expect(htf.map((x) => [x.bar.open, x.bar.close])).toEqual([
        [1.387, 1.3875],
        [1.387, 1.3875],
        [1.388, 1.388],
        [1.389, 1.389],
        [1.388, 1.389],
      ]);
    },
  );

  it('metals: the 4h window over the 17:00-18:01 New York break is built from the minutes that exist', () => {
    const e = engine(['1m', '1h', '4h', '1d']);
    expect(
      feed(e, 'XAUUSD', [
        ['2014-05-05T20:58:10.000', 1290.1],
        ['2014-05-05T20:59:40.000', 1290.5],
        ['2014-05-05T21:30:00.000', 1291.0], // inside the daily break
        ['2014-05-05T22:01:20.000', 1289.8],
        ['2014-05-05T22:05:10.000', 1290.9],
      ]),
    ).toEqual(['applied', 'applied', 'outside_session', 'applied', 'applied']);
    const out = e.onWatermark({ ts: T('2014-05-06T01:00:00.000'), feed: 'alive' });
    expect(keys(ofTf(out, '1m'))).toEqual([
      'XAUUSD 1m@2014-05-05T20:58:00.000',
      'XAUUSD 1m@2014-05-05T20:59:00.000',
      'XAUUSD 1m@2014-05-05T22:01:00.000',
      'XAUUSD 1m@2014-05-05T22:05:00.000',
    ]);
    expect(summary(out.filter((x) => x.tf !== '1m'))).toEqual([
      {
        tf: '1h',
        open_time: '2014-05-05T20:00:00.000',
        close_time: '2014-05-05T20:59:59.999',
        ohlc: [1290.1, 1290.5, 1290.1, 1290.5],
        ticks: 2,
        synthetic: false,
      },
      {
        tf: '4h',
        open_time: '2014-05-05T17:00:00.000',
        close_time: '2014-05-05T20:59:59.999',
        ohlc: [1290.1, 1290.5, 1290.1, 1290.5],
        ticks: 2,
        synthetic: false,
      },
      {
        tf: '1d',
        open_time: '2014-05-04T21:00:00.000',
        close_time: '2014-05-05T20:59:59.999',
        ohlc: [1290.1, 1290.5, 1290.1, 1290.5],
        ticks: 2,
        synthetic: false,
      },
      {
        tf: '1h',
        open_time: '2014-05-05T22:00:00.000',
        close_time: '2014-05-05T22:59:59.999',
        ohlc: [1289.8, 1290.9, 1289.8, 1290.9],
        ticks: 2,
        synthetic: false,
      },
      {
        tf: '4h',
        open_time: '2014-05-05T21:00:00.000',
        close_time: '2014-05-06T00:59:59.999',
        ohlc: [1289.8, 1290.9, 1289.8, 1290.9],
        ticks: 2,
        synthetic: false,
      },
    ]);
  });

  it('metals: no synthetic bars inside the daily break, nor after it before the first tick', () => {
    const e = engine(['1m'], 60);
    feed(e, 'XAUUSD', [['2014-05-05T20:59:40.000', 1290.5]]);
    const out = e.onWatermark({ ts: T('2014-05-05T22:02:00.000'), feed: 'alive' });
    // the session after the break has no close of its own to carry yet
    expect(keys(out)).toEqual(['XAUUSD 1m@2014-05-05T20:59:00.000']);
    feed(e, 'XAUUSD', [['2014-05-05T22:02:10.000', 1291]]);
    const after = e.onWatermark({ ts: T('2014-05-05T22:05:00.000'), feed: 'alive' });
    expect(keys(after)).toEqual([
      'XAUUSD 1m@2014-05-05T22:02:00.000',
      'XAUUSD 1m@2014-05-05T22:03:00.000', // synthetic again after the session's first tick
      'XAUUSD 1m@2014-05-05T22:04:00.000',
    ]);
    expect(after.map((x) => [x.bar.synthetic, x.bar.close])).toEqual([
      [false, 1291],
      [true, 1291],
      [true, 1291],
    ]);
  });

  it('weekly open: no synthetic minute at Friday close before the first Sunday tick', () => {
    const e = engine(['1m', '1h'], 60);
    feed(e, 'EURUSD', [['2014-05-09T20:58:10.000', 1.3761]]);
    // the week opens 21:00Z Sunday; the first tick comes at 21:04
    feed(e, 'EURUSD', [['2014-05-11T21:04:30.000', 1.37485]]);
    const out = e.onWatermark({ ts: T('2014-05-11T22:00:00.000'), feed: 'alive' });
    const m1 = ofTf(out, '1m');
    expect(m1.filter((x) => x.bar.open_time >= T('2014-05-11T21:00:00.000'))[0]?.bar).toMatchObject(
      { open_time: T('2014-05-11T21:04:00.000'), synthetic: false, open: 1.37485 },
    );
    // Friday's last minute was followed by a synthetic one (20:59), none after the close
    expect(m1.filter((x) => x.bar.synthetic).map((x) => iso(x.bar.open_time))).toContain(
      '2014-05-09T20:59:00.000',
    );
    const sundayHour = ofTf(out, '1h').find(
      (x) => iso(x.bar.open_time) === '2014-05-11T21:00:00.000',
    );
    expect(sundayHour?.bar).toMatchObject({ open: 1.37485, high: 1.37485, low: 1.37485 });
  });
});
