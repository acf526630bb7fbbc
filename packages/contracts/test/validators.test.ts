import examples from './fixtures/v1-examples.json';
import {
  CONTRACT_NAMES,
  ContractError,
  assertContract,
  checkContract,
  describeErrors,
  schemas,
  validate,
  validatorFor,
  type ContractName,
} from '../src';

// ohlcvPreview, priceTik and status are the verbatim examples of the V1 wire reference;
// the others complete the reference's elided ('…') examples with its documented keys.
const parse = (text: string): Record<string, unknown> =>
  JSON.parse(text) as Record<string, unknown>;

const validBar = {
  open_time: 1765557600000,
  close_time: 1765557659999,
  open: 4278,
  high: 4284,
  low: 4277,
  close: 4281,
  volume: 37,
};

const errorOf = (name: ContractName, value: unknown): string => {
  const r = checkContract(name, value);
  return r.ok ? 'valid' : r.error;
};

describe('V1 examples validate', () => {
  test.each([
    ['ohlcv', examples.ohlcvPreview],
    ['price-tik', examples.priceTik],
    ['status', examples.status],
    ['market-status', examples.marketStatus],
    ['heartbeat', examples.heartbeat],
    ['command-warmup', examples.commandWarmup],
    ['command-warmup', examples.commandWarmupSmc],
    ['command-backfill', examples.commandBackfill],
    ['command-set-universe', examples.commandSetUniverse],
    ['command-envelope', examples.commandEnvelope],
  ] as const)('%s', (name, text) => {
    expect(errorOf(name, parse(text))).toBe('valid');
  });

  test('typed validators narrow and exist for every payload contract', () => {
    const x: unknown = parse(examples.ohlcvPreview);
    expect(validate.ohlcv(x)).toBe(true);
    if (validate.ohlcv(x)) expect(x.bars[0]?.tick_count).toBe(37);
    expect(Object.keys(validate).sort()).toEqual(
      CONTRACT_NAMES.map((n) => n.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())).sort(),
    );
    expect(validate.streamTick).toBe(validatorFor('stream-tick'));
  });
});

describe('producer rails: closed schemas and exact types', () => {
  test('unknown keys are refused at the root and in bars', () => {
    expect(errorOf('ohlcv', { symbol: 'XAUUSD', tf: '1m', bars: [validBar], extra: 1 })).toBe(
      "(root): unknown property 'extra'",
    );
    expect(errorOf('ohlcv', { symbol: 'XAUUSD', tf: '1m', bars: [{ ...validBar, o: 1 }] })).toBe(
      "/bars/0: unknown property 'o'",
    );
    expect(errorOf('price-tik', { ...parse(examples.priceTik), ts: 1 })).toBe(
      "(root): unknown property 'ts'",
    );
  });

  test('bar fields: ints for times and tick_count, numbers for prices', () => {
    expect(errorOf('ohlcv-bar', { ...validBar, open_time: 1765557600000.5 })).toBe(
      '/open_time: must be integer',
    );
    expect(errorOf('ohlcv-bar', { ...validBar, tick_count: 1.5 })).toBe(
      '/tick_count: must be integer',
    );
    expect(errorOf('ohlcv-bar', { ...validBar, open: '4278' })).toBe('/open: must be number');
    expect(errorOf('ohlcv-bar', { ...validBar, open: NaN })).toBe('/open: must be number');
    expect(errorOf('ohlcv-bar', { ...validBar, high: Infinity })).toBe('/high: must be number');
    expect(errorOf('ohlcv-bar', { ...validBar, volume: -1 })).toBe('/volume: must be >= 0');
    const { close: _close, ...noClose } = validBar;
    expect(errorOf('ohlcv-bar', noClose)).toBe("(root): missing required property 'close'");
  });

  test('int-ms fields reject seconds and microseconds', () => {
    expect(errorOf('ohlcv-bar', { ...validBar, open_time: 1765557600 })).toBe(
      '/open_time: must be >= 946684800000',
    );
    expect(errorOf('ohlcv-bar', { ...validBar, close_time: 1765557659999000 })).toBe(
      '/close_time: must be <= 9999999999999',
    );
    expect(errorOf('ohlcv-bar', { ...validBar, open_time: 946684800000 })).toBe('valid');
  });

  test('float-seconds fields reject milliseconds', () => {
    expect(errorOf('price-tik', { ...parse(examples.priceTik), tick_ts: 1768943043610 })).toBe(
      '/tick_ts: must be <= 9999999999',
    );
    expect(errorOf('status', { ...parse(examples.status), ts: 1764867000000 })).toBe(
      '/ts: must be <= 9999999999',
    );
  });

  test('tf is the wire enum; symbols are normalized', () => {
    expect(errorOf('ohlcv', { symbol: 'XAUUSD', tf: 'm1', bars: [validBar] })).toBe(
      '/tf: must be one of ["1m","5m","15m","30m","1h","4h","1d"]',
    );
    expect(errorOf('ohlcv', { symbol: 'XAU/USD', tf: '1m', bars: [validBar] })).toBe(
      '/symbol: must match pattern "^[A-Z0-9]{2,16}$"',
    );
    expect(errorOf('ohlcv', { symbol: 'XAUUSD', tf: '1m', bars: [] })).toBe(
      '/bars: must NOT have fewer than 1 items',
    );
  });

  test('ISO timestamps must be UTC +00:00 and real dates', () => {
    const hb = parse(examples.heartbeat);
    expect(errorOf('heartbeat', { ...hb, ts: '2025-11-30T22:29:00Z' })).toContain(
      '/ts: must match pattern',
    );
    expect(errorOf('heartbeat', { ...hb, ts: '2025-13-30T22:29:00+00:00' })).toBe(
      '/ts: must match format "date-time"',
    );
    expect(errorOf('heartbeat', { ...hb, ts: '2025-11-30T22:29:00.123456+00:00' })).toBe('valid');
  });

  test('heartbeat: state is one of the four; context stays open', () => {
    const hb = parse(examples.heartbeat);
    expect(errorOf('heartbeat', { ...hb, state: 'error' })).toBe(
      '/state: must be one of ["stream","idle","warmup","warmup_cache"]',
    );
    expect(errorOf('heartbeat', { ...hb, context: { whatever: { deep: true } } })).toBe('valid');
    expect(errorOf('heartbeat', { ...hb, context: { ticks_alive: 'yes' } })).toBe(
      '/context/ticks_alive: must be boolean,null',
    );
  });

  test('status: session keys are closed; nulls are not allowed (they are dropped)', () => {
    const st = parse(examples.status);
    expect(errorOf('status', { ...st, note: null })).toBe('/note: must be string');
    expect(
      errorOf('status', {
        ...st,
        session: { tag: 'X', state: 'closed', state_detail: 'weekend', foo: 1 },
      }),
    ).toBe("/session: unknown property 'foo'");
  });
});

describe('V1 commands accept both spellings and smc_v1 extras', () => {
  test.each(['1m', 'm1', 'm15', 'm60', 'H1', 'h1', 'H4', 'd1', 'D1', '1min', '4h', '1d'])(
    'tf %s',
    (tf) => {
      expect(errorOf('command-warmup', { type: 'fxcm_warmup', symbol: 'XAUUSD', tf })).toBe(
        'valid',
      );
    },
  );

  test.each(['XAUUSD', 'XAU/USD', 'eurusd', 'US30', 'BTC-USD'])('symbol %s', (symbol) => {
    expect(errorOf('command-backfill', { type: 'fxcm_backfill', symbol, tf: '1m' })).toBe('valid');
  });

  test('bad spellings and wrong type are refused', () => {
    expect(
      errorOf('command-warmup', { type: 'fxcm_warmup', symbol: 'XAU USD', tf: '1m' }),
    ).toContain('/symbol: must match pattern');
    expect(
      errorOf('command-warmup', { type: 'fxcm_warmup', symbol: 'XAUUSD', tf: 'M1' }),
    ).toContain('/tf: must match pattern');
    expect(errorOf('command-warmup', { type: 'fxcm_backfill', symbol: 'XAUUSD', tf: '1m' })).toBe(
      '/type: must be "fxcm_warmup"',
    );
    expect(
      errorOf('command-warmup', { type: 'fxcm_warmup', symbol: 'XAUUSD', tf: '1m', x: 1 }),
    ).toBe("(root): unknown property 'x'");
  });

  test('envelope: ts in ms, auth closed, sig is 64 hex', () => {
    const env = parse(examples.commandEnvelope);
    expect(errorOf('command-envelope', { ...env, ts: 1765557600 })).toBe(
      '/ts: must be >= 946684800000',
    );
    expect(errorOf('command-envelope', { ...env, auth: { kid: 'k1', sig: 'ABC' } })).toContain(
      '/auth/sig: must match pattern',
    );
    const { auth: _auth, ...unsigned } = env;
    expect(errorOf('command-envelope', unsigned)).toBe('valid');
  });
});

describe('internal stream contracts', () => {
  const tick = {
    symbol: 'EURUSD',
    ts: 1399248000123,
    bid: 1.38756,
    ask: 1.38758,
    recv_ts: 1399248000130,
    source: 'replay',
  };

  test('tick', () => {
    expect(errorOf('stream-tick', tick)).toBe('valid');
    expect(errorOf('stream-tick', { ...tick, bid: 0 })).toBe('/bid: must be > 0');
    expect(errorOf('stream-tick', { ...tick, source: 'kafka' })).toBe(
      '/source: must be one of ["fxcm-rest","sim","replay","bridge"]',
    );
    expect(errorOf('stream-tick', { ...tick, ts: 1399248000.123 })).toContain(
      '/ts: must be integer',
    );
  });

  test('bar requires complete, synthetic, source (tick_agg|history) and tf', () => {
    const bar = { ...validBar, complete: true, synthetic: false, source: 'tick_agg', tf: '1m' };
    expect(errorOf('stream-bar', { symbol: 'XAUUSD', tf: '1m', bar })).toBe('valid');
    const { synthetic: _s, ...noSynthetic } = bar;
    expect(errorOf('stream-bar', { symbol: 'XAUUSD', tf: '1m', bar: noSynthetic })).toBe(
      "/bar: missing required property 'synthetic'",
    );
    expect(
      errorOf('stream-bar', { symbol: 'XAUUSD', tf: '1m', bar: { ...bar, source: 'history_agg' } }),
    ).toBe('/bar/source: must be one of ["tick_agg","history"]');
    expect(errorOf('stream-bar', { symbol: 'XAUUSD', tf: '1m', bar: { ...bar, vwap: 1 } })).toBe(
      "/bar: unknown property 'vwap'",
    );
  });

  test('history bar is 1m and history only', () => {
    const h = {
      symbol: 'EURUSD',
      tf: '1m',
      open_time: 1399248000000,
      bid_open: 1.1,
      bid_high: 1.2,
      bid_low: 1.0,
      bid_close: 1.15,
      ask_open: 1.1,
      ask_high: 1.2,
      ask_low: 1.0,
      ask_close: 1.15,
      volume: 12,
      source: 'history',
      job_id: 'j1',
    };
    expect(errorOf('stream-history-bar', h)).toBe('valid');
    expect(errorOf('stream-history-bar', { ...h, tf: '5m' })).toBe('/tf: must be "1m"');
  });

  test('service status: message max 160 chars, severity enum', () => {
    const rec = {
      service: 'bar-builder',
      instance: 'shard-0',
      ts: 1765557600000,
      state: 'degraded',
      errors: [
        {
          code: 'LATE_TICK',
          severity: 'warning',
          message: 'late',
          ts: 1765557600000,
          symbol: 'XAUUSD',
          tf: '1m',
        },
      ],
      degraded: ['history_backoff'],
      counters: { ticks: 10 },
      detail: { shard: 0 },
    };
    expect(errorOf('stream-service-status', rec)).toBe('valid');
    const long = { ...rec, errors: [{ ...rec.errors[0], message: 'x'.repeat(161) }] };
    expect(errorOf('stream-service-status', long)).toBe(
      '/errors/0/message: must NOT have more than 160 characters',
    );
    const sev = { ...rec, errors: [{ ...rec.errors[0], severity: 'fatal' }] };
    expect(errorOf('stream-service-status', sev)).toBe(
      '/errors/0/severity: must be one of ["info","warning","error","critical"]',
    );
  });

  test('public status payload is checked against the V1 schema of its kind', () => {
    expect(
      errorOf('stream-public-status', { kind: 'status', payload: parse(examples.status) }),
    ).toBe('valid');
    expect(
      errorOf('stream-public-status', { kind: 'heartbeat', payload: parse(examples.status) }),
    ).toContain("/payload: missing required property 'type'");
    expect(
      errorOf('stream-public-status', {
        kind: 'market_status',
        payload: parse(examples.marketStatus),
      }),
    ).toBe('valid');
  });

  test('control targets', () => {
    const c = { cmd: 'pause_symbol', req_id: 'r1', ts: 1765557600000, target: '*', args: {} };
    expect(errorOf('stream-control', c)).toBe('valid');
    expect(errorOf('stream-control', { ...c, target: 'publisher' })).toContain(
      '/target: must be one of',
    );
  });

  test('watermark', () => {
    expect(
      errorOf('stream-watermark', { ts: 1765557600000, feed: 'alive', source: 'replay' }),
    ).toBe('valid');
    expect(
      errorOf('stream-watermark', { ts: 1765557600000, feed: 'paused', source: 'replay' }),
    ).toBe('/feed: must be one of ["alive","dead"]');
  });
});

describe('errors', () => {
  test('assertContract throws CONTRACT_VIOLATION naming the schema and the path', () => {
    let caught: unknown;
    try {
      assertContract('ohlcv', { symbol: 'XAUUSD', tf: '1m', bars: [{ ...validBar, open: 'x' }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ContractError);
    expect((caught as ContractError).code).toBe('CONTRACT_VIOLATION');
    expect((caught as ContractError).schema).toBe('ohlcv');
    expect((caught as ContractError).message).toBe('ohlcv: /bars/0/open: must be number');
  });

  test('describeErrors caps the list and handles empty input', () => {
    expect(describeErrors(null)).toBe('no errors');
    const fn = validatorFor('ohlcv-bar');
    expect(fn({})).toBe(false);
    expect(describeErrors(fn.errors, 2)).toBe(
      "(root): missing required property 'open_time'; (root): missing required property 'close_time'; (+5 more)",
    );
  });

  test('unknown contract names are refused', () => {
    expect(() => validatorFor('nope' as ContractName)).toThrow("unknown contract 'nope'");
  });

  test('every schema file is embedded with its $id', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      expect(schema.$id).toBe(`https://fxcm-suite/contracts/${name}.schema.json`);
    }
  });
});
