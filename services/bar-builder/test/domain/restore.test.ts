import { isBarEngineError, type RestoredBar } from '../../src/domain';
import { engineWith, iso, keys, T, tick, wm } from './engine-harness';

const S = 'EURUSD';

function stored(
  at: string,
  ohlc: [number, number, number, number],
  extra: Partial<RestoredBar> = {},
): RestoredBar {
  const [open, high, low, close] = ohlc;
  return {
    open_time: T(at),
    open,
    high,
    low,
    close,
    volume: 1,
    tick_count: 1,
    synthetic: false,
    source: 'tick_agg',
    ...extra,
  };
}

const RESTORED: RestoredBar[] = [
  stored('2014-05-06T10:00:00', [1.1, 1.12, 1.09, 1.11], {
    volume: 3,
    tick_count: 3,
    avg_spread: 0.0002,
    max_spread: 0.0003,
  }),
  stored('2014-05-06T10:01:00', [1.11, 1.13, 1.1, 1.12], { volume: 2, tick_count: 2 }),
  stored('2014-05-06T10:02:00', [1.12, 1.12, 1.12, 1.12], {
    volume: 0,
    tick_count: 0,
    synthetic: true,
  }),
];

describe('restore from the final 1m bars of the store', () => {
  it('rebuilds previous close, the window in progress and the minutes already final', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m'], openMode: 'previous_close' });
    e.restore(S, RESTORED);
    // a re-delivered tick of a minute stored as final is recognised, not counted late
    expect(tick(e, S, '2014-05-06T10:02:30.000', 1.5)).toBe('already_final');
    expect(tick(e, S, '2014-05-06T10:03:10.000', 1.125)).toBe('applied');
    expect(tick(e, S, '2014-05-06T10:04:20.000', 1.13)).toBe('applied');
    const out = wm(e, '2014-05-06T10:05:00.000');
    expect(keys(out)).toEqual([
      'EURUSD 1m@2014-05-06T10:03:00.000',
      'EURUSD 1m@2014-05-06T10:04:00.000',
      'EURUSD 5m@2014-05-06T10:00:00.000',
    ]);
    expect(out.map((x) => [x.bar.open, x.bar.high, x.bar.low, x.bar.close])).toEqual([
      [1.12, 1.125, 1.12, 1.125], // opens at the restored close (previous_close mode)
      [1.125, 1.13, 1.125, 1.13],
      [1.1, 1.13, 1.09, 1.13],
    ]);
    expect(out[2]?.bar).toMatchObject({
      volume: 7,
      tick_count: 7,
      avg_spread: 0.0002,
      max_spread: 0.0003,
    });
    expect(e.counters()[S]).toMatchObject({ ticks: 3, applied: 2, already_final: 1, late: 0 });
  });

  it('continues the synthetic run of the restored bars', () => {
    const e = engineWith(undefined, { timeframes: ['1m'], maxSynthGapMinutes: 2 });
    e.restore(S, RESTORED); // ends with one synthetic bar
    expect(keys(wm(e, '2014-05-06T10:06:00.000'))).toEqual(['EURUSD 1m@2014-05-06T10:03:00.000']);
  });

  it('does not emit again a window that ended before the restart when given the resume watermark', () => {
    const resumed = engineWith(undefined, { timeframes: ['1m', '5m'] });
    resumed.restore(S, RESTORED, { watermark: T('2014-05-06T10:06:30.000') });
    tick(resumed, S, '2014-05-06T10:06:40.000', 1.2);
    expect(keys(wm(resumed, '2014-05-06T10:07:00.000'))).toEqual([
      'EURUSD 1m@2014-05-06T10:06:00.000',
    ]);
    // minutes before the resume watermark are final: their re-delivered ticks are dropped
    expect(tick(resumed, S, '2014-05-06T10:05:10.000', 1.3)).toBe('late');

    // without it the engine cannot know the 10:00 window was already emitted: it comes again
    const blind = engineWith(undefined, { timeframes: ['1m', '5m'], maxSynthGapMinutes: 0 });
    blind.restore(S, RESTORED);
    tick(blind, S, '2014-05-06T10:06:40.000', 1.2);
    expect(keys(wm(blind, '2014-05-06T10:07:00.000'))).toEqual([
      'EURUSD 5m@2014-05-06T10:00:00.000',
      'EURUSD 1m@2014-05-06T10:06:00.000',
    ]);
  });

  it('says how far back the store must restore for whole windows', () => {
    const e = engineWith(undefined, { timeframes: ['1m', '5m', '4h', '1d'] });
    expect(iso(e.restoreStart(S, T('2014-05-06T10:07:00')))).toBe('2014-05-05T21:00:00.000');
    const short = engineWith(undefined, { timeframes: ['1m', '15m'] });
    expect(iso(short.restoreStart(S, T('2014-05-06T10:07:00')))).toBe('2014-05-06T10:00:00.000');
  });

  it('rejects malformed or unordered bars and a restore after the symbol started', () => {
    const e = engineWith(undefined, { timeframes: ['1m'] });
    const codeOf = (f: () => void): string => {
      try {
        f();
        return 'no error';
      } catch (err) {
        return isBarEngineError(err) ? `${err.code}: ${err.message}` : String(err);
      }
    };
    expect(
      codeOf(() => e.restore(S, [RESTORED[1] as RestoredBar, RESTORED[0] as RestoredBar])),
    ).toMatch(/^BAR_INVALID_RESTORE: .*finals1m\[1\]\.open_time .* is not after/);
    expect(codeOf(() => e.restore(S, [{ ...(RESTORED[0] as RestoredBar), high: 1.0 }]))).toMatch(
      /^BAR_INVALID_RESTORE: .*finals1m\[0\]\.prices break/,
    );
    expect(
      codeOf(() =>
        e.restore(S, [{ ...(RESTORED[0] as RestoredBar), source: 'stream' as 'history' }]),
      ),
    ).toMatch(/finals1m\[0\]\.source must be "tick_agg" or "history"/);
    tick(e, S, '2014-05-06T10:00:10.000', 1.1);
    expect(codeOf(() => e.restore(S, RESTORED))).toMatch(/^BAR_RESTORE_AFTER_START/);
  });
});
