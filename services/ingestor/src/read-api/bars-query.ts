import { ContractError, MAX_EPOCH_MS, normalizeSymbol, parseTimeframe } from '@fxcm/contracts';
import { ApiError } from './api-errors';

/** A validated `GET /bars` request. */
export interface BarsQuery {
  symbol: string;
  tf: string;
  /** Smallest open_time wanted, int ms (inclusive). */
  from: number;
  /** Largest open_time wanted, int ms (inclusive). */
  to: number;
  /** Most bars returned: the newest `limit` in [from, to]. */
  limit: number;
}

/** What the ingestor stores and how much one answer may carry. */
export interface BarsQueryLimits {
  allowedSymbols: ReadonlySet<string>;
  allowedTimeframes: ReadonlySet<string>;
  /** Largest `limit` accepted. */
  maxBars: number;
  /** `limit` when none is given (capped by `maxBars`). */
  defaultLimit: number;
}

type RawQuery = Readonly<Record<string, unknown>>;

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new ApiError('API_PARAM_INVALID', `${name} must be given once`);
  return value;
}

function required(query: RawQuery, name: string): string {
  const value = single(query, name);
  if (value === undefined || value.trim() === '')
    throw new ApiError('API_PARAM_MISSING', `${name} is required`);
  return value;
}

/** Epoch ms as an integer, or an ISO 8601 date-time. */
function parseTime(name: string, text: string): number {
  const isMs = /^[0-9]{1,16}$/.test(text);
  if (!isMs && !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new ApiError('API_PARAM_INVALID', `${name} must be epoch ms or an ISO 8601 date-time`);
  }
  const ms = isMs ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    throw new ApiError(
      'API_PARAM_INVALID',
      `${name} ${JSON.stringify(text)} is not a time in [0, ${MAX_EPOCH_MS}] ms`,
    );
  }
  return ms;
}

function parseLimit(text: string | undefined, limits: BarsQueryLimits): number {
  if (text === undefined) return Math.min(limits.defaultLimit, limits.maxBars);
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < 1)
    throw new ApiError('API_PARAM_INVALID', 'limit must be a whole number >= 1');
  const limit = Number(text);
  if (limit > limits.maxBars)
    throw new ApiError('API_LIMIT_TOO_LARGE', `limit ${limit} > ${limits.maxBars}`);
  return limit;
}

/** Parses with a contracts parser (its refusal becomes API_PARAM_INVALID), then checks the whitelist. */
function parseAllowed(
  text: string,
  parse: (text: string) => string,
  allowed: ReadonlySet<string>,
  unknown: 'API_SYMBOL_UNKNOWN' | 'API_TF_UNKNOWN',
): string {
  let value: string;
  try {
    value = parse(text);
  } catch (err) {
    if (err instanceof ContractError) throw new ApiError('API_PARAM_INVALID', err.message);
    throw err;
  }
  if (!allowed.has(value)) throw new ApiError(unknown, `${value} is not stored here`);
  return value;
}

/** A symbol in either spelling, checked against the whitelist. */
export const parseSymbolParam = (text: string, allowed: ReadonlySet<string>): string =>
  parseAllowed(text, normalizeSymbol, allowed, 'API_SYMBOL_UNKNOWN');

/** A timeframe in any accepted spelling, checked against the whitelist. */
export const parseTimeframeParam = (text: string, allowed: ReadonlySet<string>): string =>
  parseAllowed(text, parseTimeframe, allowed, 'API_TF_UNKNOWN');

/**
 * Validates the query of `GET /bars?symbol&tf&from&to&limit`; throws an {@link ApiError} naming
 * the first bad parameter. Unknown parameters are ignored, as unknown JSON keys are.
 */
export function parseBarsQuery(query: RawQuery, limits: BarsQueryLimits): BarsQuery {
  const symbol = parseSymbolParam(required(query, 'symbol'), limits.allowedSymbols);
  const tf = parseTimeframeParam(required(query, 'tf'), limits.allowedTimeframes);
  const fromText = single(query, 'from');
  const toText = single(query, 'to');
  const from = fromText === undefined ? 0 : parseTime('from', fromText);
  const to = toText === undefined ? MAX_EPOCH_MS : parseTime('to', toText);
  if (from > to) throw new ApiError('API_RANGE_INVALID', `from ${from} is after to ${to}`);
  return { symbol, tf, from, to, limit: parseLimit(single(query, 'limit'), limits) };
}
