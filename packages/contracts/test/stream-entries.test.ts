import {
  ContractError,
  STREAM_ENTRY_SCHEMAS,
  asPublicStatusPayload,
  decodeStreamEntry,
  encodeStreamEntry,
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
