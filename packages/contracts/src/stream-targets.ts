import { ContractError } from './errors';
import { normalizeSymbol } from './symbols';
import { parseTimeframe, type Timeframe } from './timeframes';

/** One (symbol, timeframe) the suite streams, in wire spelling. */
export interface StreamTarget {
  /** Normalized symbol ('XAUUSD'). */
  symbol: string;
  /** Wire timeframe ('1m'). */
  tf: Timeframe;
}

/** A target as configuration or commands spell it: 'XAU/USD:m1' or {symbol, tf?}. */
export type StreamTargetSpelling = string | { symbol: string; tf?: string };

function parseOne(entry: StreamTargetSpelling, where: string): StreamTarget {
  let symbol: string;
  let tf: string;
  if (typeof entry === 'string') {
    const colon = entry.lastIndexOf(':');
    symbol = colon === -1 ? entry : entry.slice(0, colon);
    // V1: a pair without ':tf' means m1.
    tf = colon === -1 ? 'm1' : entry.slice(colon + 1);
  } else if (typeof entry === 'object' && entry !== null && typeof entry.symbol === 'string') {
    symbol = entry.symbol;
    tf = entry.tf ?? 'm1';
  } else {
    throw new ContractError(
      'STREAM_TARGETS_INVALID',
      `${where}: expected 'SYMBOL:tf' or {symbol, tf}`,
    );
  }
  try {
    return { symbol: normalizeSymbol(symbol), tf: parseTimeframe(tf) };
  } catch (err) {
    throw new ContractError('STREAM_TARGETS_INVALID', `${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Parses stream targets: the V1 string form `"XAU/USD:m1,EUR/USD:m5"` (FXCM_STREAM_CONFIG; tf
 * defaults to m1, blanks are skipped) or an array of such strings or `{symbol, tf}` objects
 * (either spelling). Returns normalized, de-duplicated targets in first-seen order; throws
 * `STREAM_TARGETS_INVALID` naming the bad entry.
 */
export function parseStreamTargets(
  input: string | readonly StreamTargetSpelling[],
): StreamTarget[] {
  const entries: StreamTargetSpelling[] =
    typeof input === 'string' ? input.split(',') : Array.isArray(input) ? [...input] : [];
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw new ContractError(
      'STREAM_TARGETS_INVALID',
      'stream targets must be a string or an array',
    );
  }
  const seen = new Set<string>();
  const out: StreamTarget[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry === 'string' && entry.trim() === '') return;
    const target = parseOne(
      typeof entry === 'string' ? entry.trim() : entry,
      `target #${i + 1} (${JSON.stringify(entry)})`,
    );
    const key = `${target.symbol}:${target.tf}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(target);
    }
  });
  return out;
}

/**
 * History priority targets (`stream.history_priority_targets`, `XAU/USD:m1`) as the keys
 * `SYMBOL|tf` (wire spelling) the history queue and quota use.
 */
export function historyPriorityKeys(
  input: string | readonly StreamTargetSpelling[],
): ReadonlySet<string> {
  return new Set(parseStreamTargets(input).map((t) => `${t.symbol}|${t.tf}`));
}
