import { join } from 'node:path';
import { readReferenceBars } from '../../../tests/harness/reference-bars';
import { ReplayCandleSource } from '../src/providers/replay/replay-candle-source';

// History from the recording: the m1 candles built from the bundled tick day must be FXCM's own
// m1 bars of that day (data/EURUSD_20140505_m1.csv, bid and ask OHLC), minute for minute.
const DATA = join(__dirname, '..', '..', '..', 'data');
const TICKS = join(DATA, 'EURUSD_20140505_ticks.csv.gz');
const REFERENCE = readReferenceBars(join(DATA, 'EURUSD_20140505_m1.csv'));
const MINUTE = 60_000;

describe('ReplayCandleSource', () => {
  const badLines: unknown[] = [];
  const source = (shift = 0, now = Date.now()): ReplayCandleSource =>
    new ReplayCandleSource(
      [TICKS],
      () => shift,
      (e) => badLines.push(e),
      () => now,
    );

  it("gives the recording's m1 candles, equal to FXCM's m1 bars of the day", async () => {
    const from = REFERENCE[0]!.open_time;
    const to = REFERENCE[REFERENCE.length - 1]!.open_time + MINUTE;
    const candles = await source().fetchM1('EUR/USD', from, to);
    expect(candles.map((c) => c.ts)).toEqual(REFERENCE.map((r) => r.open_time));
    const mismatches = candles.filter((c, i) => {
      const r = REFERENCE[i]!;
      return (
        c.bidOpen !== r.bid.open ||
        c.bidHigh !== r.bid.high ||
        c.bidLow !== r.bid.low ||
        c.bidClose !== r.bid.close ||
        c.askOpen !== r.ask.open ||
        c.askHigh !== r.ask.high ||
        c.askLow !== r.ask.low ||
        c.askClose !== r.ask.close
      );
    });
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(candles.every((c) => c.tickQty > 0)).toBe(true);
    expect(badLines).toEqual([]);
  });

  it('answers the asked range only, moved by the replay shift, finished minutes only', async () => {
    const shift = 7 * 24 * 60 * MINUTE;
    const first = REFERENCE[0]!.open_time + shift;
    const candles = await source(shift, first + 10 * MINUTE + 30_000).fetchM1(
      'EURUSD',
      first + 2 * MINUTE,
      first + 60 * MINUTE,
    );
    expect(candles.map((c) => (c.ts - first) / MINUTE)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await source().fetchM1('XAUUSD', first, first + MINUTE)).toEqual([]);
  });
});
