import { encodeOhlcvMessage, type OhlcvBar, type Timeframe } from '@fxcm/contracts';
import { FinalInvariants } from '../src';

const SECRET = 'gate-test-secret';
// Monday 2026-12-07 12:00 UTC: FX open. Saturday 2026-12-05 12:00 UTC: closed.
const OPEN = Date.parse('2026-12-07T12:00:00Z');
const SATURDAY = Date.parse('2026-12-05T12:00:00Z');

function bar(openTime: number, close = 1.1, extra: Partial<OhlcvBar> = {}): OhlcvBar {
  return {
    open_time: openTime,
    close_time: openTime + 59_999,
    open: 1.1,
    high: 1.2,
    low: 1.0,
    close,
    volume: 10,
    complete: true,
    source: 'tick_agg',
    ...extra,
  };
}

const message = (
  bars: OhlcvBar[],
  tf: Timeframe = '1m',
  secret: string | undefined = SECRET,
): string =>
  encodeOhlcvMessage(
    { symbol: 'EURUSD', tf, bars },
    secret === undefined ? {} : { secret, algo: 'sha256' },
  );

function check(...messages: string[]): FinalInvariants {
  const invariants = new FinalInvariants(SECRET);
  for (const text of messages) invariants.take(text);
  return invariants;
}

describe('FinalInvariants', () => {
  it('accepts increasing finals, each once, and ignores previews', () => {
    const result = check(
      message([bar(OPEN)]),
      message([bar(OPEN + 60_000, 1.1, { complete: false })]),
      message([bar(OPEN + 60_000)]),
    );
    expect({ finals: result.finals, faults: result.faults }).toEqual({ finals: 2, faults: [] });
  });

  it('names a final published twice', () => {
    const text = message([bar(OPEN)]);
    expect(check(text, text).faults).toEqual([
      'EURUSD 1m 2026-12-07T12:00:00.000Z: published twice',
    ]);
  });

  it('names a final 1m bar that changed, and a NoMix break', () => {
    expect(check(message([bar(OPEN)]), message([bar(OPEN, 1.15)])).faults).toEqual([
      'EURUSD 1m 2026-12-07T12:00:00.000Z: a final 1m bar changed',
    ]);
    expect(
      check(message([bar(OPEN)]), message([bar(OPEN, 1.1, { source: 'history' })])).faults,
    ).toEqual(['EURUSD 1m 2026-12-07T12:00:00.000Z: NoMix broken (tick_agg then history)']);
  });

  it('counts a revised higher-timeframe final as a revision, not a fault', () => {
    const h1 = (close: number) =>
      message([bar(OPEN, close, { close_time: OPEN + 3_599_999 })], '1h');
    const result = check(h1(1.1), h1(1.12));
    expect({ revisions: result.revisions, faults: result.faults }).toEqual({
      revisions: 1,
      faults: [],
    });
  });

  it('names a final inside a closed interval and one out of order', () => {
    expect(check(message([bar(SATURDAY)])).faults).toEqual([
      'EURUSD 1m 2026-12-05T12:00:00.000Z: a final inside a closed interval',
    ]);
    expect(check(message([bar(OPEN + 60_000)]), message([bar(OPEN)])).faults).toEqual([
      'EURUSD 1m 2026-12-07T12:00:00.000Z: open_time not after the previous final (2026-12-07T12:01:00.000Z)',
    ]);
  });

  it('keeps warmup re-sends apart and refuses a signature that does not verify', () => {
    const warm = message([bar(OPEN, 1.1, { source: 'history_s3' })]);
    expect(check(message([bar(OPEN)]), warm).warmupBars).toBe(1);
    const forged = message([bar(OPEN)], '1m', 'another-secret');
    expect(check(forged).faults).toEqual(['EURUSD 1m: signature does not verify']);
  });
});
