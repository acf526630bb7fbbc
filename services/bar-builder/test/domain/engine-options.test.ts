import { createBarEngine, isBarEngineError, type BarEngineOptions } from '../../src/domain';
import { listedCalendar, T } from './engine-harness';

const calendarFor = (): ReturnType<typeof listedCalendar> => listedCalendar();

function errorOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (err) {
    return isBarEngineError(err) ? `${err.code}: ${err.message}` : `other: ${String(err)}`;
  }
}

describe('engine options and calendar failures', () => {
  it('applies the documented defaults', () => {
    const e = createBarEngine({ calendarFor });
    expect(e.options).toMatchObject({
      priceMode: 'mid',
      openMode: 'first_tick',
      timeframes: ['1m', '5m', '15m', '30m', '1h', '4h', '1d'],
      maxSynthGapMinutes: 60,
      futureToleranceMs: Infinity,
      finalMemoryMinutes: 4320,
    });
    expect(createBarEngine({ calendarFor, timeframes: ['1h', '5m'] }).options.timeframes).toEqual([
      '1m',
      '5m',
      '1h',
    ]);
  });

  it.each<[Partial<BarEngineOptions>, RegExp]>([
    [{ priceMode: 'last' as 'mid' }, /priceMode must be "mid", "bid" or "ask", got "last"/],
    [{ openMode: 'zero' as 'first_tick' }, /openMode must be/],
    [{ timeframes: ['2m' as '5m'] }, /unknown timeframe "2m"/],
    [{ maxSynthGapMinutes: -1 }, /maxSynthGapMinutes must be an integer >= 0/],
    [{ futureToleranceMs: Number.NaN }, /futureToleranceMs must be a number >= 0/],
    [{ finalMemoryMinutes: 10 }, /finalMemoryMinutes must be an integer in \[60, 525600\]/],
    [
      { calendarFor: undefined as unknown as BarEngineOptions['calendarFor'] },
      /calendarFor must be a function/,
    ],
  ])('rejects %p', (bad, message) => {
    const text = errorOf(() => createBarEngine({ calendarFor, ...bad }));
    expect(text).toMatch(/^BAR_INVALID_OPTIONS: /);
    expect(text).toMatch(message);
  });

  it('turns a failing calendar into BAR_CALENDAR_FAILED and keeps other symbols going', () => {
    const e = createBarEngine({
      priceMode: 'bid',
      timeframes: ['1m', '4h'],
      calendarFor: (symbol) => {
        if (symbol === 'NOPE') throw new Error('no calendar for NOPE');
        if (symbol === 'ODD')
          return { isOpen: () => true, tradingDayStart: (ts: number) => ts + 60_000 };
        return listedCalendar();
      },
    });
    expect(
      errorOf(() => e.onTick({ symbol: 'NOPE', ts: T('2014-05-06T10:00:00'), bid: 1, ask: 1 })),
    ).toMatch(/^BAR_CALENDAR_FAILED: NOPE: calendarFor threw: no calendar for NOPE/);
    e.onTick({ symbol: 'ODD', ts: T('2014-05-06T10:00:10'), bid: 1, ask: 1 });
    e.onTick({ symbol: 'EURUSD', ts: T('2014-05-06T10:00:10'), bid: 1.1, ask: 1.1 });
    // the broken calendar of ODD does not stop EURUSD; ODD's minute waits and the failure shows
    const out = e.onWatermark({ ts: T('2014-05-06T10:01:00'), feed: 'alive' });
    expect(out.map((x) => `${x.symbol} ${x.tf}`)).toEqual(['EURUSD 1m']);
    expect(e.counters().ODD?.calendar_errors).toBe(1);
    expect(e.status().failing.ODD).toMatch(
      /^ODD: calendar.tradingDayStart\(\d+\) returned \d+, expected a minute start/,
    );
    expect(e.status().openBars).toBe(1);
  });

  it('retries the minutes of a symbol whose calendar failed once, emitting each final once', () => {
    const base = listedCalendar();
    let broken = true;
    const e = createBarEngine({
      priceMode: 'bid',
      timeframes: ['1m', '5m'],
      calendarFor: () => ({
        isOpen: (ts: number) => {
          if (broken && ts >= T('2014-05-06T10:01:00'))
            throw new Error('calendar data unavailable');
          return base.isOpen(ts);
        },
        tradingDayStart: base.tradingDayStart,
      }),
    });
    e.onTick({ symbol: 'EURUSD', ts: T('2014-05-06T10:00:10'), bid: 1.1, ask: 1.1 });
    // 10:00 is final; the synthetic 10:01 needs the calendar, which fails: the symbol stops there
    const first = e.onWatermark({ ts: T('2014-05-06T10:03:00'), feed: 'alive' });
    expect(first.map((x) => `${x.tf}@${x.bar.open_time}`)).toEqual([
      `1m@${T('2014-05-06T10:00:00')}`,
    ]);
    expect(e.status().failing.EURUSD).toMatch(
      /calendar.isOpen\(\d+\) threw: calendar data unavailable/,
    );
    broken = false;
    const second = e.onWatermark({ ts: T('2014-05-06T10:05:00'), feed: 'alive' });
    expect(second.map((x) => `${x.tf}@${x.bar.open_time}`)).toEqual([
      `1m@${T('2014-05-06T10:01:00')}`,
      `1m@${T('2014-05-06T10:02:00')}`,
      `1m@${T('2014-05-06T10:03:00')}`,
      `1m@${T('2014-05-06T10:04:00')}`,
      `5m@${T('2014-05-06T10:00:00')}`,
    ]);
    expect(e.status().failing).toEqual({});
  });

  it('drops history bars beyond the future tolerance', () => {
    const e = createBarEngine({ priceMode: 'bid', calendarFor, futureToleranceMs: 60_000 });
    e.onWatermark({ ts: T('2014-05-06T10:00:00'), feed: 'alive' });
    const bar = {
      bid_open: 1,
      bid_high: 1,
      bid_low: 1,
      bid_close: 1,
      ask_open: 1,
      ask_high: 1,
      ask_low: 1,
      ask_close: 1,
      volume: 1,
    };
    expect(
      e.onHistoryBar({ symbol: 'EURUSD', open_time: T('2014-05-06T10:02:00'), ...bar }),
    ).toEqual([]);
    expect(e.counters().EURUSD?.history_future).toBe(1);
  });
});
