import { ContractError } from './errors';

/** Pattern of a normalized wire symbol (the `symbol` def of contracts/vocabulary.schema.json). */
export const WIRE_SYMBOL_PATTERN = /^[A-Z0-9]{2,16}$/;

/**
 * Normalizes any symbol spelling to the wire form: trims, drops '/' and '-', upper-cases
 * ('XAU/USD' → 'XAUUSD', 'usoil' → 'USOIL'). Throws `SYMBOL_INVALID` when the result is not
 * 2–16 characters of A-Z, 0-9.
 */
export function normalizeSymbol(symbol: string): string {
  if (typeof symbol !== 'string') {
    throw new ContractError('SYMBOL_INVALID', `symbol must be a string, got ${typeof symbol}`);
  }
  const normalized = symbol.trim().replace(/[/-]/g, '').toUpperCase();
  if (normalized === '') throw new ContractError('SYMBOL_INVALID', 'symbol is empty');
  if (!WIRE_SYMBOL_PATTERN.test(normalized)) {
    throw new ContractError(
      'SYMBOL_INVALID',
      `symbol '${symbol}' normalizes to '${normalized}', which is not 2-16 characters of A-Z, 0-9`,
    );
  }
  return normalized;
}

/** True when `s` is already a normalized wire symbol. */
export function isWireSymbol(s: unknown): s is string {
  return typeof s === 'string' && WIRE_SYMBOL_PATTERN.test(s);
}

/**
 * FXCM instrument names that do not follow the 3/3 currency-pair split. Keys are normalized
 * wire symbols. Extend it when a new non-pair instrument is streamed.
 */
export const FXCM_INSTRUMENTS: Readonly<Record<string, string>> = {
  US30: 'US30',
  SPX500: 'SPX500',
  NAS100: 'NAS100',
  GER30: 'GER30',
  GER40: 'GER40',
  UK100: 'UK100',
  FRA40: 'FRA40',
  ESP35: 'ESP35',
  EUSTX50: 'EUSTX50',
  JPN225: 'JPN225',
  HKG33: 'HKG33',
  AUS200: 'AUS200',
  CHN50: 'CHN50',
  US2000: 'US2000',
  USOIL: 'USOil',
  UKOIL: 'UKOil',
  NGAS: 'NGAS',
  COPPER: 'Copper',
  BUND: 'Bund',
  USDOLLAR: 'USDOLLAR',
  XAUUSD: 'XAU/USD',
  XAGUSD: 'XAG/USD',
};

/**
 * FXCM instrument name of a symbol: the mapping table first (US30, USOil, XAU/USD …), else a
 * six-letter symbol splits 3/3 ('EURUSD' → 'EUR/USD'), else the normalized symbol unchanged.
 */
export function toFxcmInstrument(symbol: string): string {
  const normalized = normalizeSymbol(symbol);
  const mapped = FXCM_INSTRUMENTS[normalized];
  if (mapped !== undefined) return mapped;
  if (/^[A-Z]{6}$/.test(normalized)) return `${normalized.slice(0, 3)}/${normalized.slice(3)}`;
  return normalized;
}
