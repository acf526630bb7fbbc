import {
  ContractError,
  TIMEFRAMES,
  isTimeframe,
  normalizeSymbol,
  parseStreamTargets,
  parseTimeframe,
  schemas,
  tfMs,
  toFxcmInstrument,
  toFxcmTimeframe,
} from '../src';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof ContractError ? err.code : 'not a ContractError';
  }
  return undefined;
};

describe('symbols', () => {
  test.each([
    ['XAU/USD', 'XAUUSD'],
    ['xauusd', 'XAUUSD'],
    ['EUR-USD', 'EURUSD'],
    [' eur/usd ', 'EURUSD'],
    ['USOil', 'USOIL'],
    ['US30', 'US30'],
  ])('normalizeSymbol(%j) = %s', (input, expected) => {
    expect(normalizeSymbol(input)).toBe(expected);
  });

  test.each(['', '   ', '/', 'XAU USD', 'ЗОЛОТО', 'X', 'A'.repeat(17), 'XAU_USD'])(
    'normalizeSymbol(%j) fails with SYMBOL_INVALID',
    (input) => {
      expect(codeOf(() => normalizeSymbol(input))).toBe('SYMBOL_INVALID');
    },
  );

  test.each([
    ['EURUSD', 'EUR/USD'],
    ['eur/usd', 'EUR/USD'],
    ['XAUUSD', 'XAU/USD'],
    ['XAGUSD', 'XAG/USD'],
    ['US30', 'US30'],
    ['SPX500', 'SPX500'],
    ['NAS100', 'NAS100'],
    ['GER30', 'GER30'],
    ['UK100', 'UK100'],
    ['JPN225', 'JPN225'],
    ['AUS200', 'AUS200'],
    ['USOIL', 'USOil'],
    ['UKOil', 'UKOil'],
    ['COPPER', 'Copper'],
    ['BTCUSD', 'BTC/USD'],
    ['ABC123', 'ABC123'],
  ])('toFxcmInstrument(%s) = %s', (input, expected) => {
    expect(toFxcmInstrument(input)).toBe(expected);
  });
});

describe('timeframes', () => {
  test('TIMEFRAMES is the timeframe enum of contracts/vocabulary.schema.json', () => {
    expect([...TIMEFRAMES]).toEqual([...schemas.vocabulary.$defs.timeframe.enum]);
  });

  test('tfMs', () => {
    expect(TIMEFRAMES.map(tfMs)).toEqual([
      60000, 300000, 900000, 1800000, 3600000, 14400000, 86400000,
    ]);
  });

  test.each([
    ['1m', '1m'],
    ['m1', '1m'],
    ['1min', '1m'],
    ['5min', '5m'],
    ['m5', '5m'],
    ['m15', '15m'],
    ['m30', '30m'],
    ['m60', '1h'],
    ['h1', '1h'],
    ['H1', '1h'],
    ['60m', '1h'],
    ['1H', '1h'],
    ['h4', '4h'],
    ['H4', '4h'],
    ['m240', '4h'],
    ['d1', '1d'],
    ['D1', '1d'],
    ['1D', '1d'],
    ['m1440', '1d'],
    ['h24', '1d'],
    [' 15m ', '15m'],
  ])('parseTimeframe(%j) = %s', (input, expected) => {
    expect(parseTimeframe(input)).toBe(expected);
  });

  test.each(['', 'M1', '2m', 'm2', 'h2', 'w1', '1w', 'tick', '1mm', 'd7'])(
    'parseTimeframe(%j) fails with TIMEFRAME_INVALID',
    (input) => {
      expect(codeOf(() => parseTimeframe(input))).toBe('TIMEFRAME_INVALID');
    },
  );

  test('toFxcmTimeframe', () => {
    expect(TIMEFRAMES.map(toFxcmTimeframe)).toEqual(['m1', 'm5', 'm15', 'm30', 'H1', 'H4', 'D1']);
    for (const tf of TIMEFRAMES) expect(parseTimeframe(toFxcmTimeframe(tf))).toBe(tf);
  });

  test('isTimeframe', () => {
    expect(isTimeframe('1h')).toBe(true);
    expect(isTimeframe('H1')).toBe(false);
    expect(isTimeframe('constructor')).toBe(false);
  });
});

describe('parseStreamTargets', () => {
  test('V1 string form', () => {
    expect(parseStreamTargets('XAU/USD:m1,EUR/USD:m5')).toEqual([
      { symbol: 'XAUUSD', tf: '1m' },
      { symbol: 'EURUSD', tf: '5m' },
    ]);
  });

  test('tf defaults to m1, blanks skipped, duplicates dropped', () => {
    expect(parseStreamTargets(' XAU/USD , ,XAUUSD:1m, EUR/USD:H1 ,')).toEqual([
      { symbol: 'XAUUSD', tf: '1m' },
      { symbol: 'EURUSD', tf: '1h' },
    ]);
    expect(parseStreamTargets('')).toEqual([]);
  });

  test('array forms', () => {
    expect(
      parseStreamTargets(['XAU/USD:m1', { symbol: 'EUR/USD', tf: 'm15' }, { symbol: 'GBPUSD' }]),
    ).toEqual([
      { symbol: 'XAUUSD', tf: '1m' },
      { symbol: 'EURUSD', tf: '15m' },
      { symbol: 'GBPUSD', tf: '1m' },
    ]);
  });

  test('a bad entry is named', () => {
    expect(() => parseStreamTargets('XAU/USD:m1,EUR/USD:m7')).toThrow(
      /target #2 \("EUR\/USD:m7"\): timeframe 'm7' is not supported/,
    );
    expect(codeOf(() => parseStreamTargets(':m1'))).toBe('STREAM_TARGETS_INVALID');
    expect(codeOf(() => parseStreamTargets([42 as unknown as string]))).toBe(
      'STREAM_TARGETS_INVALID',
    );
  });
});
