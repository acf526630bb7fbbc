import { readFileSync } from 'node:fs';
import examples from './fixtures/v1-examples.json';
import {
  ContractError,
  encodeOhlcvMessage,
  encodePriceTik,
  encodePublic,
  verifyOhlcvSignature,
  type HmacAlgo,
  type Heartbeat,
  type MarketStatus,
  type Ohlcv,
  type OhlcvBar,
  type PriceTik,
  type Status,
} from '../src';

interface Vector {
  name: string;
  secret: string;
  algo: HmacAlgo;
  message: string;
  valid: boolean;
}
const vectors = new Map(
  readFileSync('/work/shared/vectors/ohlcv-hmac.jsonl', 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Vector)
    .map((v) => [v.name, v]),
);

function failure(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ContractError) return err;
    throw err;
  }
  throw new Error('expected a ContractError');
}

const bar: OhlcvBar = {
  open_time: 1765557600000,
  close_time: 1765557659999,
  open: 4278,
  high: 4284,
  low: 4277,
  close: 4281,
  volume: 37,
};

describe('encodeOhlcvMessage writes what the Python producer wrote', () => {
  // The vector messages were rendered and signed by CPython; our encoder, fed the same values
  // as JS numbers, must produce the same bytes (floats as 4278.0, 1e-05, 1e+16 …).
  test.each([
    'integral_floats',
    'fx_prices',
    'tiny_and_huge',
    'preview_with_metrics',
    'negative_zero_and_bools',
    'sha512',
    'long_float_repr',
    'source_not_signed',
  ])('vector %s', (name) => {
    const v = vectors.get(name)!;
    const parsed = JSON.parse(v.message) as Ohlcv;
    const input = {
      symbol: parsed.symbol,
      tf: parsed.tf,
      bars: parsed.bars,
      ...(parsed.source === undefined ? {} : { source: parsed.source }),
    };
    expect(encodeOhlcvMessage(input, { secret: v.secret, algo: v.algo })).toBe(v.message);
  });

  test('the V1 preview example (unsigned) is reproduced with keys in the V1 bar order', () => {
    const parsed = JSON.parse(examples.ohlcvPreview) as Ohlcv;
    const text = encodeOhlcvMessage({
      symbol: 'XAUUSD',
      tf: '1m',
      bars: parsed.bars,
      source: 'tick_agg',
    });
    // Same bar bytes as the example; the root follows the signed-message order (source after bars).
    expect(text).toBe(
      examples.ohlcvPreview
        .replace('"source":"tick_agg","bars":', '"bars":')
        .replace(/}$/, ',"source":"tick_agg"}'),
    );
  });

  test('no secret, null or empty secret: unsigned', () => {
    for (const secret of [undefined, null, '']) {
      expect(
        encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [bar] }, { secret }),
      ).not.toContain('"sig"');
    }
  });

  test('every algorithm round-trips through verifyOhlcvSignature', () => {
    for (const algo of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
      const text = encodeOhlcvMessage(
        { symbol: 'EURUSD', tf: '5m', bars: [bar] },
        { secret: 'k', algo },
      );
      expect(verifyOhlcvSignature(text, 'k', algo)).toBe(true);
      expect(verifyOhlcvSignature(text, 'other', algo)).toBe(false);
    }
  });

  test('refuses non-finite prices (never NaN on the wire)', () => {
    const e = failure(() =>
      encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [{ ...bar, close: NaN }] }),
    );
    expect(e.code).toBe('CONTRACT_VIOLATION');
    expect(e.schema).toBe('ohlcv');
    expect(e.message).toBe('ohlcv: bars[0].close must be a finite number, got NaN');
    expect(
      failure(() =>
        encodeOhlcvMessage({
          symbol: 'XAUUSD',
          tf: '1m',
          bars: [{ ...bar, avg_spread: Infinity }],
        }),
      ).message,
    ).toContain('bars[0].avg_spread must be a finite number');
  });

  test('refuses rail violations', () => {
    const next = { ...bar, open_time: bar.open_time + 60000, close_time: bar.close_time + 60000 };
    expect(
      failure(() => encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [next, bar] })).message,
    ).toContain("bars[1].open_time 1765557600000 is not after the previous bar's");
    expect(
      failure(() => encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [bar, bar] })).message,
    ).toContain('is not after');
    expect(
      failure(() =>
        encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '1m', bars: [{ ...bar, low: 4290 }] }),
      ).message,
    ).toContain('low 4290 > high 4284');
    expect(
      failure(() =>
        encodeOhlcvMessage({ symbol: 'XAUUSD', tf: '5m', bars: [{ ...bar, tf: '1m' }] }),
      ).message,
    ).toContain("bars[0].tf '1m' differs from tf '5m'");
    expect(
      failure(() => encodeOhlcvMessage({ symbol: 'XAU/USD', tf: '1m', bars: [bar] })).message,
    ).toContain('/symbol: must match pattern');
    expect(
      failure(() =>
        encodeOhlcvMessage({
          symbol: 'XAUUSD',
          tf: '1m',
          bars: [{ ...bar, vwap: 1 } as unknown as OhlcvBar],
        }),
      ).message,
    ).toBe("ohlcv: /bars/0: unknown property 'vwap'");
  });

  test('refuses an unknown algorithm', () => {
    expect(
      failure(() =>
        encodeOhlcvMessage(
          { symbol: 'XAUUSD', tf: '1m', bars: [bar] },
          { secret: 'k', algo: 'md5' as HmacAlgo },
        ),
      ).code,
    ).toBe('HMAC_ALGO_UNSUPPORTED');
  });
});

describe('encodePriceTik', () => {
  test('reproduces the V1 example byte for byte', () => {
    const tik = JSON.parse(examples.priceTik) as PriceTik;
    expect(encodePriceTik(tik)).toBe(examples.priceTik);
  });

  test('writes integral values as floats and refuses ms times', () => {
    expect(
      encodePriceTik({
        symbol: 'XAUUSD',
        bid: 4757,
        ask: 4758,
        mid: 4757.5,
        tick_ts: 1768943043,
        snap_ts: 1768943045,
      }),
    ).toBe(
      '{"symbol":"XAUUSD","bid":4757.0,"ask":4758.0,"mid":4757.5,"tick_ts":1768943043.0,"snap_ts":1768943045.0}',
    );
    expect(
      failure(() =>
        encodePriceTik({
          symbol: 'XAUUSD',
          bid: 1,
          ask: 1,
          mid: 1,
          tick_ts: 1768943043610,
          snap_ts: 1768943045,
        }),
      ).message,
    ).toBe('price-tik: /tick_ts: must be <= 9999999999');
  });
});

describe('encodePublic', () => {
  test('status: reproduces the V1 example byte for byte', () => {
    const status = JSON.parse(examples.status) as Status;
    expect(encodePublic('status', status)).toBe(examples.status);
  });

  test('status: null keys are dropped, integral seconds become floats', () => {
    const status = {
      ts: 1764867000,
      process: 'idle',
      market: 'closed',
      price: 'down',
      ohlcv: 'down',
      note: 'weekend (2d)',
      session: {
        tag: 'NY_METALS',
        state: 'closed',
        state_detail: 'weekend',
        seconds_to_next_open: 172800,
        name: null,
      },
    } as unknown as Status;
    expect(encodePublic('status', status)).toBe(
      '{"ts":1764867000.0,"process":"idle","market":"closed","price":"down","ohlcv":"down","note":"weekend (2d)",' +
        '"session":{"tag":"NY_METALS","state":"closed","state_detail":"weekend","seconds_to_next_open":172800.0}}',
    );
  });

  test('market_status: reproduces the fixture byte for byte', () => {
    const ms = JSON.parse(examples.marketStatus) as MarketStatus;
    expect(encodePublic('market_status', ms)).toBe(examples.marketStatus);
  });

  test('heartbeat: reproduces the fixture byte for byte (context nulls kept, ints stay ints)', () => {
    const hb = JSON.parse(examples.heartbeat) as Heartbeat;
    expect(encodePublic('heartbeat', hb)).toBe(examples.heartbeat);
  });

  test('refuses invalid payloads and non-finite numbers', () => {
    const hb = JSON.parse(examples.heartbeat) as Heartbeat;
    expect(
      failure(() => encodePublic('heartbeat', { ...hb, state: 'error' as Heartbeat['state'] }))
        .message,
    ).toBe('heartbeat: /state: must be one of ["stream","idle","warmup","warmup_cache"]');
    expect(failure(() => encodePublic('heartbeat', { ...hb, sleep_seconds: NaN })).message).toBe(
      'heartbeat: sleep_seconds must be a finite number, got NaN',
    );
    expect(
      failure(() => encodePublic('heartbeat', { ...hb, context: { lag_seconds: Infinity } }))
        .message,
    ).toBe('heartbeat: context.lag_seconds must be a finite number, got Infinity');
  });
});
