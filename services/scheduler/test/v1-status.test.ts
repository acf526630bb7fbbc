import { deriveV1Status, type StatusInputs } from '../src/v1-status';

const NOW = Date.UTC(2025, 11, 5, 12, 0, 0);
const live: StatusInputs = {
  now: NOW,
  market: 'open',
  feedState: 'streaming',
  lastTickAt: NOW - 2_000,
  lastFinalClose: NOW - 30_000,
  degraded: [],
};

describe('deriveV1Status (the V1 rules)', () => {
  it('is all ok on a live feed with fresh bars; ts is float seconds', () => {
    expect(deriveV1Status(live)).toEqual({
      ts: NOW / 1000,
      process: 'stream',
      market: 'open',
      price: 'ok',
      ohlcv: 'ok',
      note: 'ok',
    });
  });

  it.each([
    [14_999, 'ok'],
    [15_000, 'stale'],
    [59_999, 'stale'],
    [60_000, 'down'],
  ])('price after %i ms of tick silence is %s', (silence, price) => {
    expect(deriveV1Status({ ...live, lastTickAt: NOW - silence }).price).toBe(price);
  });

  it('price is down without any tick and stale when the gateway says stale', () => {
    expect(deriveV1Status({ ...live, lastTickAt: undefined }).price).toBe('down');
    expect(deriveV1Status({ ...live, feedState: 'stale' }).price).toBe('stale');
  });

  // A final 1m bar lands about a second after its close, so the next one is not late until
  // 60 s + the arrival grace after the last close: a healthy feed never shows `delayed`.
  it.each([
    [59_000, 'ok', 'ok'],
    [61_500, 'ok', 'ok'],
    [65_000, 'ok', 'ok'],
    [65_001, 'delayed', 'lag 65s'],
    [179_000, 'delayed', 'lag 179s'],
    [180_000, 'down', 'ohlcv down'],
  ])('ohlcv with the last final bar closing %i ms ago is %s (%s)', (lag, ohlcv, note) => {
    const s = deriveV1Status({ ...live, lastFinalClose: NOW - lag });
    expect([s.ohlcv, s.note]).toEqual([ohlcv, note]);
  });

  it('a live bar in the last 5 s keeps a long lag at delayed, not down', () => {
    expect(
      deriveV1Status({ ...live, lastFinalClose: NOW - 300_000, lastPreviewAt: NOW - 4_000 }).ohlcv,
    ).toBe('delayed');
    expect(
      deriveV1Status({ ...live, lastFinalClose: NOW - 300_000, lastPreviewAt: NOW - 6_000 }).ohlcv,
    ).toBe('down');
  });

  it('maps the feed state to the V1 process', () => {
    expect(deriveV1Status({ ...live, feedState: 'sleeping' }).process).toBe('sleep');
    expect(deriveV1Status({ ...live, feedState: 'error' }).process).toBe('error');
    expect(deriveV1Status({ ...live, feedState: undefined }).process).toBe('idle');
    expect(deriveV1Status({ ...live, feedState: 'sleeping' }).ohlcv).toBe('down');
  });

  it('says why the market is closed: weekend, overnight, or a break', () => {
    const closed = { ...live, market: 'closed' as const };
    expect(deriveV1Status({ ...closed, secondsToNextOpen: 2 * 86_400 }).note).toBe('weekend (2d)');
    expect(deriveV1Status({ ...closed, secondsToNextOpen: 7 * 3_600 }).note).toBe(
      'overnight pause',
    );
    expect(deriveV1Status({ ...closed, secondsToNextOpen: 600 }).note).toBe('market closed');
  });

  it('names active degradations and backoff in the note', () => {
    expect(deriveV1Status({ ...live, degraded: ['bar-builder:cache_read_only'] }).note).toBe(
      'degraded: bar-builder:cache_read_only',
    );
    expect(deriveV1Status({ ...live, backoffSeconds: 6.2 }).note).toBe('backoff FXCM 7s');
  });
});
