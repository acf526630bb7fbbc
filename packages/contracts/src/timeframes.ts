import { ContractError } from './errors';
import type { Timeframe } from './generated/types';

export type { Timeframe } from './generated/types';

/** Wire timeframes, shortest first (the `timeframe` enum of contracts/vocabulary.schema.json). */
export const TIMEFRAMES = [
  '1m',
  '5m',
  '15m',
  '30m',
  '1h',
  '4h',
  '1d',
] as const satisfies readonly Timeframe[];

const MINUTE_MS = 60_000;

const TF_MS: Readonly<Record<Timeframe, number>> = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};

const FXCM_TF: Readonly<Record<Timeframe, string>> = {
  '1m': 'm1',
  '5m': 'm5',
  '15m': 'm15',
  '30m': 'm30',
  '1h': 'H1',
  '4h': 'H4',
  '1d': 'D1',
};

const BY_MINUTES = new Map<number, Timeframe>(TIMEFRAMES.map((tf) => [TF_MS[tf] / MINUTE_MS, tf]));

/** True when `s` is a wire timeframe ('1m' … '1d'). */
export function isTimeframe(s: unknown): s is Timeframe {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(TF_MS, s);
}

/** Length of a timeframe in milliseconds. */
export function tfMs(tf: Timeframe): number {
  const ms = TF_MS[tf];
  if (ms === undefined)
    throw new ContractError('TIMEFRAME_INVALID', `unknown timeframe '${String(tf)}'`);
  return ms;
}

// Wire ('1m', '60m', '1h', '1d', '1min') and FXCM ('m1', 'm60', 'H1', 'h4', 'D1') spellings.
// Upper-case 'M' is FXCM's month, so it is deliberately not accepted.
const SUFFIX_FORM = /^([0-9]{1,4})(m|min|h|H|d|D)$/;
const PREFIX_FORM = /^(m|h|H|d|D)([0-9]{1,4})$/;

/**
 * Parses any accepted timeframe spelling into the wire timeframe: '1m', 'm1', '1min' → '1m';
 * 'm60', 'h1', 'H1', '60m' → '1h'; 'h4', 'H4', 'm240' → '4h'; 'd1', 'D1' → '1d'; generic mN/hN.
 * Throws `TIMEFRAME_INVALID` for anything else or a duration that is not a wire timeframe.
 */
export function parseTimeframe(s: string): Timeframe {
  const text = typeof s === 'string' ? s.trim() : '';
  if (isTimeframe(text)) return text;
  let count: string | undefined;
  let unit: string | undefined;
  const suffix = SUFFIX_FORM.exec(text);
  const prefix = PREFIX_FORM.exec(text);
  if (suffix) [, count, unit] = suffix;
  else if (prefix) [, unit, count] = prefix;
  if (count === undefined || unit === undefined) {
    throw new ContractError(
      'TIMEFRAME_INVALID',
      `timeframe '${String(s)}' is not a known spelling (e.g. 1m, m1, 1h, H1, m60, 4h, H4, 1d, D1)`,
    );
  }
  const perUnit = unit.startsWith('m') ? 1 : unit.toLowerCase() === 'h' ? 60 : 1440;
  const tf = BY_MINUTES.get(Number(count) * perUnit);
  if (tf === undefined) {
    throw new ContractError(
      'TIMEFRAME_INVALID',
      `timeframe '${s}' is not supported (supported: ${TIMEFRAMES.join(', ')})`,
    );
  }
  return tf;
}

/** FXCM spelling of a wire timeframe: 1m→m1, 5m→m5, 15m→m15, 30m→m30, 1h→H1, 4h→H4, 1d→D1. */
export function toFxcmTimeframe(tf: Timeframe): string {
  const fx = FXCM_TF[tf];
  if (fx === undefined)
    throw new ContractError('TIMEFRAME_INVALID', `unknown timeframe '${String(tf)}'`);
  return fx;
}
