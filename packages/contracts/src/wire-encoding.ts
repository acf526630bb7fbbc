import { ContractError } from './errors';
import type {
  Heartbeat,
  MarketStatus,
  OhlcvBar,
  PriceTik,
  Status,
  Timeframe,
} from './generated/types';
import { DEFAULT_HMAC_ALGO, hmacHex, parseHmacAlgo, type HmacAlgo, type HmacSecret } from './hmac';
import {
  PyFloat,
  PyInt,
  pyFloatRepr,
  pyStringRepr,
  renderPythonJson,
  type PyValue,
} from './python-json';
import { checkContract, type ContractName } from './validators';

/** Bar fields always written as Python floats (`4278.0`). */
export const OHLCV_BAR_FLOAT_FIELDS = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'bar_range',
  'body_size',
  'upper_wick',
  'lower_wick',
  'avg_spread',
  'max_spread',
] as const;

/** Bar fields always written as ints. */
export const OHLCV_BAR_INT_FIELDS = ['open_time', 'close_time', 'tick_count'] as const;

// V1 key order of a bar on the wire (the consumer does not care; byte-compatibility does).
const BAR_KEY_ORDER: readonly (keyof OhlcvBar)[] = [
  'open_time',
  'close_time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'tick_count',
  'bar_range',
  'body_size',
  'upper_wick',
  'lower_wick',
  'avg_spread',
  'max_spread',
  'complete',
  'synthetic',
  'source',
  'tf',
];
const FLOAT_FIELDS = new Set<string>(OHLCV_BAR_FLOAT_FIELDS);
const INT_FIELDS = new Set<string>(OHLCV_BAR_INT_FIELDS);
// The same keys by code point (all ASCII): the bar order of the signed canonical base.
const BAR_KEY_SORTED: readonly string[] = [...BAR_KEY_ORDER].sort();
// `"key":` of every bar key (plain ASCII: nothing to escape).
const KEY_PREFIX = new Map<string, string>(BAR_KEY_ORDER.map((k) => [k, `${pyStringRepr(k)}:`]));

function violation(schema: string, message: string): ContractError {
  return new ContractError('CONTRACT_VIOLATION', `${schema}: ${message}`, { schema });
}

function requireFinite(schema: string, where: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw violation(schema, `${where} must be a finite number, got ${String(v)}`);
  }
}

function finiteFloat(schema: string, where: string, v: unknown): PyFloat {
  requireFinite(schema, where, v);
  return new PyFloat(v as number);
}

function validated<K extends ContractName>(name: K, value: unknown): void {
  const result = checkContract(name, value);
  if (!result.ok) throw violation(name, result.error);
}

/** What the producer publishes on fxcm:ohlcv (before signing). */
export interface OhlcvMessageInput {
  /** Normalized symbol. */
  symbol: string;
  /** Timeframe of every bar. */
  tf: Timeframe;
  /** Bars, strictly ascending open_time. */
  bars: readonly OhlcvBar[];
  /** Producer path ('stream', 'tick_agg', 'history_agg', 'history_s3'); not signed. */
  source?: string;
}

/** Signing options: no (or an empty) secret means an unsigned message, as in V1. */
export interface OhlcvSigning {
  /** `FXCM_HMAC_SECRET`. */
  secret?: HmacSecret | null;
  /** `FXCM_HMAC_ALGO`, default sha256. */
  algo?: HmacAlgo;
}

/**
 * The values of a validated bar rendered once, as Python writes them, by key: the message and
 * its signed base list the same values in two key orders.
 */
function renderBarValues(bar: OhlcvBar): Map<string, string> {
  const out = new Map<string, string>();
  const record = bar as unknown as Record<string, unknown>;
  for (const key of BAR_KEY_ORDER) {
    const v = record[key];
    if (v === undefined) continue;
    if (FLOAT_FIELDS.has(key)) out.set(key, pyFloatRepr(v as number));
    else if (INT_FIELDS.has(key)) out.set(key, PyInt.of(v as number).digits);
    else out.set(key, renderPythonJson(v as PyValue));
  }
  return out;
}

/** One bar object from its rendered values, keys in `order`. */
function barObject(values: ReadonlyMap<string, string>, order: readonly string[]): string {
  let out = '';
  for (const key of order) {
    const v = values.get(key);
    if (v !== undefined) out += `${out === '' ? '{' : ','}${KEY_PREFIX.get(key)!}${v}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

function ohlcvRails(msg: OhlcvMessageInput): void {
  let previous: number | undefined;
  msg.bars.forEach((bar, i) => {
    if (previous !== undefined && bar.open_time <= previous) {
      throw violation(
        'ohlcv',
        `bars[${i}].open_time ${bar.open_time} is not after the previous bar's`,
      );
    }
    previous = bar.open_time;
    if (bar.close_time < bar.open_time)
      throw violation('ohlcv', `bars[${i}]: close_time < open_time`);
    if (bar.low > bar.high)
      throw violation('ohlcv', `bars[${i}]: low ${bar.low} > high ${bar.high}`);
    if (bar.tf !== undefined && bar.tf !== msg.tf) {
      throw violation('ohlcv', `bars[${i}].tf '${bar.tf}' differs from tf '${msg.tf}'`);
    }
  });
}

/**
 * Renders an fxcm:ohlcv message as the V1 producer did: root keys in the order symbol, tf, bars,
 * source, sig; bar prices, volume and metrics always Python floats (`4278.0`, `1e-05`); times
 * and tick_count ints. With a secret, `sig` is the HMAC of exactly the canonical string a Python
 * consumer rebuilds from this text. Validates against the `ohlcv` contract and its rails
 * (ascending open_time, low <= high, bar tf = tf, finite numbers): throws `CONTRACT_VIOLATION`.
 */
export function encodeOhlcvMessage(msg: OhlcvMessageInput, signing: OhlcvSigning = {}): string {
  // Non-finite numbers are refused before the schema sees them: NaN must never reach the wire.
  (Array.isArray(msg.bars) ? msg.bars : []).forEach((bar: OhlcvBar, i: number) => {
    for (const key of OHLCV_BAR_FLOAT_FIELDS) {
      const v = (bar as unknown as Record<string, unknown>)[key];
      if (v !== undefined) requireFinite('ohlcv', `bars[${i}].${key}`, v);
    }
  });
  const plain: Record<string, unknown> = { symbol: msg.symbol, tf: msg.tf, bars: msg.bars };
  if (msg.source !== undefined) plain['source'] = msg.source;
  validated('ohlcv', plain);
  ohlcvRails(msg);

  // What renderPythonJson writes for {symbol, tf, bars[, source][, sig]} and, signed, for the
  // base {symbol, tf, bars} with sorted keys (bars < symbol < tf): each value rendered once.
  const values = msg.bars.map(renderBarValues);
  const symbol = pyStringRepr(msg.symbol);
  const tf = pyStringRepr(msg.tf);
  let text = `{"symbol":${symbol},"tf":${tf},"bars":[${values.map((v) => barObject(v, BAR_KEY_ORDER)).join(',')}]`;
  if (msg.source !== undefined) text += `,"source":${pyStringRepr(msg.source)}`;
  const secret = signing.secret;
  if (secret !== undefined && secret !== null && secret.length > 0) {
    const algo = parseHmacAlgo(signing.algo ?? DEFAULT_HMAC_ALGO);
    const base = `{"bars":[${values.map((v) => barObject(v, BAR_KEY_SORTED)).join(',')}],"symbol":${symbol},"tf":${tf}}`;
    text += `,"sig":${pyStringRepr(hmacHex(base, secret, algo))}`;
  }
  return `${text}}`;
}

/**
 * Renders an fxcm:price_tik snapshot: keys symbol, bid, ask, mid, tick_ts, snap_ts, numbers as
 * Python floats (times are float epoch seconds). Validates against `price-tik`.
 */
export function encodePriceTik(tik: PriceTik): string {
  for (const key of ['bid', 'ask', 'mid', 'tick_ts', 'snap_ts'] as const) {
    requireFinite('price-tik', key, tik[key]);
  }
  validated('price-tik', tik);
  return renderPythonJson(
    new Map<string, PyValue>([
      ['symbol', tik.symbol],
      ['bid', new PyFloat(tik.bid)],
      ['ask', new PyFloat(tik.ask)],
      ['mid', new PyFloat(tik.mid)],
      ['tick_ts', new PyFloat(tik.tick_ts)],
      ['snap_ts', new PyFloat(tik.snap_ts)],
    ]),
  );
}

/** Public payloads other than bars and prices, by kind. */
export interface PublicPayloads {
  status: Status;
  heartbeat: Heartbeat;
  market_status: MarketStatus;
}

/** A public payload kind (also the `kind` of a `public_status` stream entry). */
export type PublicKind = keyof PublicPayloads;

/** Contract of each public kind. */
export const PUBLIC_KIND_SCHEMAS = {
  status: 'status',
  heartbeat: 'heartbeat',
  market_status: 'market-status',
} as const satisfies Record<PublicKind, ContractName>;

// Paths whose numbers are float seconds/prices in V1 and so always render as Python floats.
// '*' matches any object key, '[]' any array item.
const FLOAT_PATHS: Readonly<Record<PublicKind, readonly string[]>> = {
  status: [
    'ts',
    'session.seconds_to_close',
    'session.seconds_to_next_open',
    'session.symbols.[].high',
    'session.symbols.[].low',
    'session.symbols.[].avg',
  ],
  heartbeat: [
    'sleep_seconds',
    ...[
      'lag_seconds',
      'cycle_seconds',
      'ohlcv_live_age_seconds',
      'next_open_seconds',
      'history_backoff_seconds',
      'redis_backoff_seconds',
      'stream_targets.[].staleness_seconds',
      'stream_targets.[].live_age_seconds',
      'session.next_open_seconds',
      'session.stats.*.symbols.[].range',
      'session.stats.*.symbols.[].high',
      'session.stats.*.symbols.[].low',
      'session.stats.*.symbols.[].avg',
      'price_stream.interval_seconds',
      'price_stream.last_snap_ts',
      'price_stream.last_tick_ts',
      'price_stream.tick_silence_seconds',
      'price_stream.symbols_state.[].tick_silence_seconds',
      'tick_cadence.tick_silence_seconds',
      'tick_cadence.multiplier',
      'tick_cadence.cadence_seconds.*',
      'tick_cadence.next_poll_in_seconds.*',
      'history.next_slot_seconds',
      'diag.backoff.*.sleep_seconds',
      'diag.backoff.*.remaining_seconds',
    ].map((p) => `context.${p}`),
  ],
  market_status: [
    'next_open_in_seconds',
    'session.next_open_seconds',
    'session.stats.*.symbols.[].range',
    'session.stats.*.symbols.[].high',
    'session.stats.*.symbols.[].low',
    'session.stats.*.symbols.[].avg',
  ],
};

function matchesPath(pattern: readonly string[], path: readonly string[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((seg, i) => seg === path[i] || (seg === '*' && path[i] !== '[]'))
  );
}

/**
 * Converts a plain JSON-like value to a {@link PyValue}: numbers on a float path become floats,
 * other integral numbers ints, other numbers floats; `undefined` members are dropped (and
 * `null` ones too when `dropNulls`).
 */
function toPy(
  schema: string,
  value: unknown,
  path: string[],
  floatPaths: readonly (readonly string[])[],
  dropNulls: boolean,
): PyValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    const where = path.join('.') || '(root)';
    if (floatPaths.some((p) => matchesPath(p, path))) return finiteFloat(schema, where, value);
    if (!Number.isFinite(value)) throw violation(schema, `${where} must be finite, got ${value}`);
    return Number.isInteger(value) && !Object.is(value, -0) ? PyInt.of(value) : new PyFloat(value);
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => toPy(schema, item, [...path, '[]'], floatPaths, dropNulls));
  }
  if (typeof value === 'object') {
    const out = new Map<string, PyValue>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || (dropNulls && v === null)) continue;
      out.set(k, toPy(schema, v, [...path, k], floatPaths, dropNulls));
    }
    return out;
  }
  throw violation(schema, `${path.join('.') || '(root)'}: cannot encode a ${typeof value}`);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

/**
 * Renders a public status/heartbeat/market_status payload as the V1 producer did: keys in the
 * given order, float-seconds fields (status.ts, seconds_to_close, seconds_to_next_open,
 * next_open_in_seconds, sleep_seconds, session prices) as Python floats, other integral
 * numbers as ints. For `status`, null-valued keys are dropped (V1). Validates against the
 * kind's contract: throws `CONTRACT_VIOLATION`.
 */
export function encodePublic<K extends PublicKind>(kind: K, payload: PublicPayloads[K]): string {
  const schema = PUBLIC_KIND_SCHEMAS[kind];
  if (schema === undefined) throw violation(String(kind), `unknown public kind '${String(kind)}'`);
  const dropNulls = kind === 'status';
  const value = dropNulls ? withoutNulls(payload) : payload;
  const floatPaths = FLOAT_PATHS[kind].map((p) => p.split('.'));
  // Convert first: it names a non-finite field more clearly than the schema would.
  const py = toPy(schema, value, [], floatPaths, dropNulls);
  validated(schema, value);
  return renderPythonJson(py);
}
