import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  ContractError,
  STREAM_ENTRY_SCHEMAS,
  asPublicStatusPayload,
  decodeStreamEntry,
  encodeStreamEntry,
  encodeTickEntry,
  type StreamBar,
  type StreamTick,
} from '../src';

const tick: StreamTick = {
  symbol: 'EURUSD',
  ts: 1399248000123,
  bid: 1.38756,
  ask: 1.38758,
  recv_ts: 1399248000130,
  source: 'replay',
};

const bar: StreamBar = {
  symbol: 'EURUSD',
  tf: '1m',
  bar: {
    open_time: 1399248000000,
    close_time: 1399248059999,
    open: 1.38756,
    high: 1.3876,
    low: 1.3875,
    close: 1.38759,
    volume: 15,
    tick_count: 15,
    complete: true,
    synthetic: false,
    source: 'tick_agg',
    tf: '1m',
  },
};

function failure(fn: () => unknown): { code: string; schema: string | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ContractError)) throw err;
    return { code: err.code, schema: err.schema, message: err.message };
  }
  throw new Error('expected a ContractError');
}

describe('encodeStreamEntry / decodeStreamEntry', () => {
  test('round trip keeps the data and the two-field layout', () => {
    const fields = encodeStreamEntry('tick', tick);
    expect(fields).toEqual(['type', 'tick', 'data', JSON.stringify(tick)]);
    expect(decodeStreamEntry(fields)).toEqual({ type: 'tick', data: tick });
    expect(decodeStreamEntry(encodeStreamEntry('bar', bar))).toEqual({ type: 'bar', data: bar });
  });

  test('field order does not matter', () => {
    expect(decodeStreamEntry(['data', JSON.stringify(tick), 'type', 'tick']).data).toEqual(tick);
  });

  test('every entry type maps to a stream contract', () => {
    expect(STREAM_ENTRY_SCHEMAS).toEqual({
      tick: 'stream-tick',
      watermark: 'stream-watermark',
      feed_gap: 'stream-feed-gap',
      bar: 'stream-bar',
      bar_batch: 'stream-bar-batch',
      history_bar: 'stream-history-bar',
      history_range: 'stream-history-range',
      service_status: 'stream-service-status',
      public_status: 'stream-public-status',
      control: 'stream-control',
    });
  });

  test.each([
    [['type', 'tick'], "missing field 'data'"],
    [['data', '{}'], "missing field 'type'"],
    [['type', 'tick', 'data'], 'even-length'],
    [['type', 'tick', 'data', '{}', 'x'], 'even-length'],
    [['type', 'tick', 'data', '{"symbol":'], 'data is not JSON'],
    [['type', 'quote', 'data', '{}'], "unknown type 'quote'"],
    [['type', 'tick', 'data', '{}', 'extra', '1'], "unexpected or repeated field 'extra'"],
    [['type', 'tick', 'type', 'tick', 'data', '{}'], "unexpected or repeated field 'type'"],
    [
      ['type', 'tick', 'data', JSON.stringify({ ...tick, bid: 'x' })],
      "stream entry 'tick': /bid: must be number",
    ],
    [
      ['type', 'tick', 'data', JSON.stringify({ ...tick, bid: 1.5, ask: 1.4 })],
      "stream entry 'tick': bid 1.5 > ask 1.4",
    ],
  ] as const)('%j is refused (%s)', (fields, why) => {
    const f = failure(() => decodeStreamEntry(fields as unknown as string[]));
    expect(f.code).toBe('STREAM_ENTRY_INVALID');
    expect(f.message).toContain(why);
  });

  test('the error names the entry type', () => {
    expect(failure(() => decodeStreamEntry(['type', 'tick', 'data', '[]'])).schema).toBe('tick');
  });

  test('bar rails: tf must match, geometry must hold', () => {
    const wrongTf = { ...bar, tf: '5m' as const };
    expect(failure(() => encodeStreamEntry('bar', wrongTf)).message).toContain(
      "bar.tf '1m' differs from tf '5m'",
    );
    const badGeometry = { ...bar, bar: { ...bar.bar, high: 1.38 } };
    expect(failure(() => encodeStreamEntry('bar', badGeometry)).message).toContain('bar geometry');
  });

  test('history bar rails: low <= high on both sides', () => {
    const h = {
      symbol: 'EURUSD',
      tf: '1m' as const,
      open_time: 1399248000000,
      bid_open: 1.1,
      bid_high: 1.2,
      bid_low: 1.0,
      bid_close: 1.15,
      ask_open: 1.1,
      ask_high: 1.0,
      ask_low: 1.2,
      ask_close: 1.15,
      volume: 3,
      source: 'history' as const,
    };
    expect(failure(() => encodeStreamEntry('history_bar', h)).message).toContain(
      'ask_low 1.2 > ask_high 1',
    );
  });

  test('encode refuses NaN instead of writing null', () => {
    expect(failure(() => encodeStreamEntry('tick', { ...tick, bid: NaN })).message).toContain(
      '/bid: must be number',
    );
  });

  test('public status entries carry a V1 payload of their kind', () => {
    const payload = {
      ts: 1764867000.0,
      process: 'stream',
      market: 'open',
      price: 'ok',
      ohlcv: 'ok',
      note: 'ok',
    };
    const entry = decodeStreamEntry(
      encodeStreamEntry('public_status', { kind: 'status', payload }),
    );
    expect(entry.type).toBe('public_status');
    if (entry.type === 'public_status') {
      const typed = asPublicStatusPayload(entry.data);
      expect(typed.kind === 'status' && typed.payload.note).toBe('ok');
    }
    expect(
      failure(() =>
        encodeStreamEntry('public_status', {
          kind: 'status',
          payload: { ...payload, price: 'fine' },
        }),
      ).message,
    ).toContain('/payload/price: must be one of ["ok","stale","down"]');
  });
});

describe('encodeTickEntry (the hot path of the gateway)', () => {
  // the real EUR/USD day of data/: every quote, as the gateway writes it
  const realTicks = (): StreamTick[] => {
    const text = gunzipSync(
      readFileSync(join(__dirname, '..', '..', '..', 'data', 'EURUSD_20140505_ticks.csv.gz')),
    )
      .toString('utf16le')
      .replace(/^\uFEFF/, '');
    const out: StreamTick[] = [];
    for (const line of text.split('\r\n').slice(1)) {
      const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}),([^,]+),([^,]+)$/.exec(
        line,
      );
      if (!m) continue;
      const ts = Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
      out.push({
        symbol: 'EURUSD',
        ts,
        bid: +m[8]!,
        ask: +m[9]!,
        recv_ts: ts + 7,
        source: 'replay',
      });
    }
    return out;
  };

  it('writes the very bytes encodeStreamEntry writes, for every quote of a real day', () => {
    const ticks = realTicks();
    expect(ticks.length).toBeGreaterThan(50_000);
    const differing = ticks.filter(
      (t) => JSON.stringify(encodeTickEntry(t)) !== JSON.stringify(encodeStreamEntry('tick', t)),
    );
    expect(differing).toEqual([]);
  });

  it('writes the same bytes for prices JSON prints oddly (exponents, many digits)', () => {
    for (const [bid, ask] of [
      [1e-7, 2e-7],
      [123456.789, 123456.79],
      [1e21, 1e21],
      [0.1 + 0.2, 0.30000000000000004],
      [2350.12, 2350.37],
    ] as const) {
      const t = { ...tick, bid, ask };
      expect(encodeTickEntry(t)).toEqual(encodeStreamEntry('tick', t));
      expect(decodeStreamEntry(encodeTickEntry(t)).data).toEqual(t);
    }
  });

  it('refuses what encodeStreamEntry refuses, with the same error', () => {
    const bad: unknown[] = [
      { ...tick, symbol: 'eur/usd' },
      { ...tick, symbol: 'EUR"USD' },
      { ...tick, ts: 1399248000.5 },
      { ...tick, ts: 1399248000 },
      { ...tick, recv_ts: Number.NaN },
      { ...tick, bid: -1 },
      { ...tick, ask: Number.POSITIVE_INFINITY },
      { ...tick, bid: 2, ask: 1 },
      { ...tick, source: 'file' },
      { ...tick, extra: 1 },
      { ...tick, bid: '1.1' },
    ];
    for (const t of bad) {
      const fast = (): unknown => encodeTickEntry(t as StreamTick);
      const generic = (): unknown => encodeStreamEntry('tick', t as StreamTick);
      expect(generic).toThrow(ContractError);
      let message = '';
      try {
        generic();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(fast).toThrow(message);
    }
  });
});
