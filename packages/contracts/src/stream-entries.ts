import { ContractError } from './errors';
import type {
  Heartbeat,
  MarketStatus,
  Status,
  StreamBar,
  StreamBarBatch,
  StreamControl,
  StreamFeedGap,
  StreamHistoryBar,
  StreamHistoryRange,
  StreamPublicStatus,
  StreamServiceStatus,
  StreamTick,
  StreamWatermark,
} from './generated/types';
import { WIRE_SYMBOL_PATTERN } from './symbols';
import { validatorFor, describeErrors, type ContractName } from './validators';

/** Entry `type` values of the internal streams and the contract each one's `data` follows. */
export const STREAM_ENTRY_SCHEMAS = {
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
} as const satisfies Record<string, ContractName>;

/** An entry `type` value. */
export type StreamEntryType = keyof typeof STREAM_ENTRY_SCHEMAS;

/** The `data` type of each entry type. */
export interface StreamEntryData {
  tick: StreamTick;
  watermark: StreamWatermark;
  feed_gap: StreamFeedGap;
  bar: StreamBar;
  bar_batch: StreamBarBatch;
  history_bar: StreamHistoryBar;
  history_range: StreamHistoryRange;
  service_status: StreamServiceStatus;
  public_status: StreamPublicStatus;
  control: StreamControl;
}

/** A decoded entry: discriminated by `type`. */
export type StreamEntry = {
  [T in StreamEntryType]: { type: T; data: StreamEntryData[T] };
}[StreamEntryType];

/** A public status payload with its kind, as carried by a `public_status` entry. */
export type PublicStatusPayload =
  | { kind: 'status'; payload: Status }
  | { kind: 'heartbeat'; payload: Heartbeat }
  | { kind: 'market_status'; payload: MarketStatus };

/**
 * Narrows a validated `public_status` entry: its schema already checked the payload against the
 * V1 schema of its kind, so this only restates that in types.
 */
export function asPublicStatusPayload(entry: StreamPublicStatus): PublicStatusPayload {
  return entry as unknown as PublicStatusPayload;
}

/**
 * Largest `(bid − ask) / mid` a tick entry may carry: crossed quotes are real, a crossing this
 * wide is a broken feed.
 */
export const MAX_CROSSED_RATIO = 0.01;

/** True when `t` is a known entry type. */
export function isStreamEntryType(t: unknown): t is StreamEntryType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(STREAM_ENTRY_SCHEMAS, t);
}

/** Rails JSON Schema cannot express; returns the first violation or undefined. */
export function streamEntryRailViolation<T extends StreamEntryType>(
  type: T,
  data: StreamEntryData[T],
): string | undefined {
  switch (type) {
    case 'tick': {
      // Real FXCM quotes cross briefly (bid > ask by a pip or so: about one tick in ten in the
      // 2014 EUR/USD archive) and the bars of record include them. The gateway applies its
      // configurable tolerance; the contract only refuses what no market produces.
      const t = data as StreamTick;
      const crossedBy = (t.bid - t.ask) / ((t.bid + t.ask) / 2);
      return crossedBy <= MAX_CROSSED_RATIO
        ? undefined
        : `bid ${t.bid} > ask ${t.ask} by more than ${MAX_CROSSED_RATIO * 100}% of the mid`;
    }
    case 'bar': {
      const { tf, bar } = data as StreamBar;
      if (bar.tf !== tf) return `bar.tf '${bar.tf}' differs from tf '${tf}'`;
      if (bar.close_time < bar.open_time) return 'bar.close_time < bar.open_time';
      if (bar.low > Math.min(bar.open, bar.close) || bar.high < Math.max(bar.open, bar.close)) {
        return 'bar geometry: need low <= min(open, close) and high >= max(open, close)';
      }
      return undefined;
    }
    case 'bar_batch': {
      const { tf, bars } = data as StreamBarBatch;
      for (let i = 0; i < bars.length; i++) {
        const bar = bars[i]!;
        if (bar.tf !== tf) return `bars[${i}].tf '${bar.tf}' differs from tf '${tf}'`;
        if (bar.complete !== true) return `bars[${i}] is not final`;
        if (i > 0 && bar.open_time <= bars[i - 1]!.open_time)
          return `bars[${i}].open_time is not after bars[${i - 1}]`;
      }
      return undefined;
    }
    case 'history_bar': {
      const h = data as StreamHistoryBar;
      if (h.bid_low > h.bid_high) return `bid_low ${h.bid_low} > bid_high ${h.bid_high}`;
      if (h.ask_low > h.ask_high) return `ask_low ${h.ask_low} > ask_high ${h.ask_high}`;
      return undefined;
    }
    case 'feed_gap': {
      const g = data as StreamFeedGap;
      return g.to >= g.from ? undefined : `to ${g.to} is before from ${g.from}`;
    }
    case 'history_range': {
      const r = data as StreamHistoryRange;
      if (r.from % 60_000 !== 0 || r.to % 60_000 !== 0) return 'from and to must be minute starts';
      return r.to > r.from ? undefined : `to ${r.to} must be after from ${r.from}`;
    }
    default:
      return undefined;
  }
}

function invalid(message: string, type?: string, cause?: unknown): ContractError {
  return new ContractError('STREAM_ENTRY_INVALID', message, {
    ...(type === undefined ? {} : { schema: type }),
    cause,
  });
}

function checkData(type: StreamEntryType, data: unknown): string | undefined {
  const fn = validatorFor(STREAM_ENTRY_SCHEMAS[type]);
  if (!fn(data)) return describeErrors(fn.errors);
  return streamEntryRailViolation(type, data as StreamEntryData[typeof type]);
}

/**
 * Decodes the field list of an internal stream entry (`['type', t, 'data', json]` as XREAD
 * returns it): exactly the two fields `type` and `data`, a known type, JSON data valid against
 * that type's contract and rails. Throws `ContractError` (`STREAM_ENTRY_INVALID`) naming the
 * type and the reason.
 */
export function decodeStreamEntry(fields: readonly string[]): StreamEntry {
  if (!Array.isArray(fields) || fields.length % 2 !== 0) {
    throw invalid('stream entry: fields must be an even-length [name, value, …] list');
  }
  let type: string | undefined;
  let json: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw invalid(`stream entry: field #${i / 2 + 1} is not a string pair`);
    }
    if (name === 'type' && type === undefined) type = value;
    else if (name === 'data' && json === undefined) json = value;
    else
      throw invalid(
        `stream entry: unexpected or repeated field '${name}' (only 'type' and 'data')`,
      );
  }
  if (type === undefined) throw invalid("stream entry: missing field 'type'");
  if (!isStreamEntryType(type)) {
    throw invalid(`stream entry: unknown type '${type}'`, type);
  }
  if (json === undefined) throw invalid(`stream entry '${type}': missing field 'data'`, type);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw invalid(
      `stream entry '${type}': data is not JSON (${(err as Error).message})`,
      type,
      err,
    );
  }
  const problem = checkData(type, data);
  if (problem !== undefined) throw invalid(`stream entry '${type}': ${problem}`, type);
  return { type, data } as StreamEntry;
}

/**
 * Encodes an internal stream entry as the XADD field list `['type', t, 'data', json]` after
 * validating `data` against the type's contract and rails (throws `STREAM_ENTRY_INVALID`).
 */
export function encodeStreamEntry<T extends StreamEntryType>(
  type: T,
  data: StreamEntryData[T],
): [string, string, string, string] {
  if (!isStreamEntryType(type)) throw invalid(`stream entry: unknown type '${String(type)}'`);
  const problem = checkData(type, data);
  if (problem !== undefined) throw invalid(`stream entry '${type}': ${problem}`, type);
  return ['type', type, 'data', JSON.stringify(data)];
}

const TICK_SOURCES: ReadonlySet<string> = new Set(['fxcm-rest', 'sim', 'replay', 'bridge']);
/** Bounds of `epochMs` (vocabulary.schema.json): below is seconds, above is microseconds. */
export const MIN_EPOCH_MS = 946_684_800_000;
export const MAX_EPOCH_MS = 9_999_999_999_999;

/** True for an integer epoch in ms within {@link MIN_EPOCH_MS}..{@link MAX_EPOCH_MS}. */
export function isEpochMs(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= MIN_EPOCH_MS && (v as number) <= MAX_EPOCH_MS;
}

/**
 * {@link encodeStreamEntry} for `tick`, the one entry written tens of thousands of times a
 * second: the same checks written out by hand instead of the generic validator, and the same
 * bytes (`JSON.stringify` of the fields in contract order). A tick that fails any check goes
 * through `encodeStreamEntry`, so the error is the same one.
 */
export function encodeTickEntry(tick: StreamTick): [string, string, string, string] {
  const { symbol, ts, bid, ask, recv_ts, source } = tick;
  const valid =
    typeof symbol === 'string' &&
    WIRE_SYMBOL_PATTERN.test(symbol) &&
    isEpochMs(ts) &&
    isEpochMs(recv_ts) &&
    typeof bid === 'number' &&
    typeof ask === 'number' &&
    Number.isFinite(bid) &&
    Number.isFinite(ask) &&
    bid > 0 &&
    ask > 0 &&
    (bid - ask) / ((bid + ask) / 2) <= MAX_CROSSED_RATIO &&
    TICK_SOURCES.has(source) &&
    Object.keys(tick).length === 6;
  if (!valid) return encodeStreamEntry('tick', tick);
  // A wire symbol is [A-Z0-9] only and a source one of four words: nothing to escape.
  return [
    'type',
    'tick',
    'data',
    `{"symbol":"${symbol}","ts":${ts},"bid":${bid},"ask":${ask},"recv_ts":${recv_ts},"source":"${source}"}`,
  ];
}
