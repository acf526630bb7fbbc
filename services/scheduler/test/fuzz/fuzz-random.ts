/**
 * The seeded randomness and the hostile values every fuzz generator of the suite draws from
 * (commands here, stream entries and `fxcm:ohlcv` payloads in `tests/fuzz`): reproducible from
 * a seed, no dependency.
 */
export interface FuzzRandom {
  /** A whole number in [0, n). */
  rand(n: number): number;
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T;
}

/** xorshift32 from `seed` (0 counts as 1). */
export function fuzzRandom(seed: number): FuzzRandom {
  let state = seed >>> 0 || 1;
  const rand = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  return { rand, pick: <T>(xs: readonly T[]): T => xs[rand(xs.length)]! };
}

/**
 * Values that belong in no field: null, booleans, signs, extremes, empty and padded strings,
 * path tricks, NUL, a 300-character string, objects that shadow `toString`/`valueOf`, arrays,
 * and prototype-pollution keys.
 */
export const JUNK_VALUES: readonly unknown[] = [
  null,
  true,
  -1,
  0,
  1e308,
  -1e308,
  1.5,
  '',
  ' ',
  '../../etc',
  '..\\..\\win',
  'EUR/USD/../..',
  '%00',
  '\u0000',
  'x'.repeat(300),
  { toString: 1 },
  { valueOf: 'x' },
  [],
  ['XAUUSD'],
  { __proto__: { polluted: true } },
  'constructor',
  '__proto__',
];
