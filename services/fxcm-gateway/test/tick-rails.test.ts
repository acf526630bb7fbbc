import { checkTick, DEFAULT_TICK_RAILS } from '../src/tick-rails';

const base = {
  symbol: 'EUR/USD',
  ts: Date.UTC(2014, 4, 5, 5, 0, 3, 74),
  bid: 1.38756,
  ask: 1.38758,
  recvTs: Date.UTC(2014, 4, 5, 5, 0, 3, 80),
};

describe('checkTick', () => {
  it('normalises the symbol and keeps event and receive time', () => {
    expect(checkTick(base)).toEqual({
      ok: true,
      crossed: false,
      tick: { symbol: 'EURUSD', ts: base.ts, bid: 1.38756, ask: 1.38758, recv_ts: base.recvTs },
    });
  });

  it('accepts a quote crossed within tolerance and flags it (real FXCM data has them)', () => {
    const r = checkTick({ ...base, bid: 1.38741, ask: 1.3874 });
    expect(r).toMatchObject({ ok: true, crossed: true });
  });

  it.each([
    [{ symbol: '' }, 'bad_symbol'],
    [{ symbol: 'EUR USD!' }, 'bad_symbol'],
    [{ ts: 1_399_266_003 }, 'bad_time'], // seconds, not ms
    [{ ts: 1_399_266_003_074_000 }, 'bad_time'], // microseconds
    [{ ts: 1.5e12 + 0.5 }, 'bad_time'],
    [{ bid: Number.NaN }, 'non_finite_price'],
    [{ ask: Number.POSITIVE_INFINITY }, 'non_finite_price'],
    [{ bid: 0 }, 'non_positive_price'],
    [{ bid: 1.5, ask: 1.38 }, 'crossed_beyond_tolerance'],
  ])('rejects %j as %s', (patch, reason) => {
    const r = checkTick({ ...base, ...patch }, DEFAULT_TICK_RAILS);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.detail.length).toBeGreaterThan(5);
  });
});
