import {
  decodeStreamEntry,
  ContractError,
  type StreamEntryData,
  type StreamEntryType,
} from '@fxcm/contracts';
import { ACCEPTED_KINDS as BAR_BUILDER_INPUTS } from '../../services/bar-builder/src/input-admission';
import { fuzzRandom, JUNK_VALUES } from '../../services/scheduler/test/fuzz/fuzz-random';

/**
 * Deterministic hostile input for the internal streams and for the ingestor's public input
 * (`fxcm:ohlcv`): missing and repeated fields, unknown and wrong kinds, data that is not JSON,
 * wrong types, NaN, huge values, dates in 1970 and 2100, and exact duplicates. Every entry is
 * built to be refused on sight by every consumer of its stream ({@link refusedOnSight}), so a
 * run can account for each one.
 */

/** The internal streams a malformed entry is written to. */
export type EntryTarget = 'ticks' | 'history' | 'bars' | 'status' | 'control';

/** One malformed entry: the stream it goes to, its XADD field list, and what was broken. */
export interface MalformedEntry {
  target: EntryTarget;
  fields: string[];
  category: string;
}

/** One malformed `fxcm:ohlcv` message and what was broken. */
export interface MalformedMessage {
  text: string;
  category: string;
  /** Signed with the suite's secret: it gets past the signature and fails the rails. */
  signed: boolean;
}

/**
 * Entry kinds every consumer of a stream accepts. On bars and status streams a consumer skips
 * the kinds meant for another (the scheduler reads only bars, the publisher only public
 * statuses), so a valid entry of another kind is not a rejection there: only ticks, history and
 * control get entries of the wrong kind.
 */
export const ACCEPTED_KINDS: Readonly<Record<EntryTarget, readonly StreamEntryType[]>> = {
  ...BAR_BUILDER_INPUTS,
  bars: ['bar', 'bar_batch'],
  status: ['service_status', 'public_status'],
  control: ['control'],
};
const WRONG_KIND_TARGETS: readonly EntryTarget[] = ['ticks', 'history', 'control'];
/** Targets whose consumer refuses entries dated too far ahead of the wall clock. */
const FUTURE_RAIL_TARGETS: readonly EntryTarget[] = ['ticks', 'history'];

/** 2100-01-01T00:00:00Z: within the contracts' epoch-ms bounds, far beyond any tolerance. */
export const Y2100 = 4_102_444_800_000;
const Y1970 = [0, 1_000, 86_400_000, 946_684_799_999];
const TIME_KEYS = ['ts', 'recv_ts', 'open_time', 'from', 'to', 'close_time'];

/** A valid data object of every entry kind the generator mutates, at minute `at` and `price`. */
export function entryTemplates(
  at: number,
  price: number,
): { [T in Exclude<StreamEntryType, 'bar_batch' | 'public_status'>]: StreamEntryData[T] } {
  const p = Math.round(price * 1e5) / 1e5;
  return {
    tick: {
      symbol: 'EURUSD',
      ts: at + 1_000,
      bid: p,
      ask: p + 0.0002,
      recv_ts: at + 1_001,
      source: 'replay',
    },
    watermark: { ts: at, feed: 'alive', source: 'replay' },
    feed_gap: { from: at, to: at + 20_000, source: 'replay' },
    history_bar: {
      symbol: 'EURUSD',
      tf: '1m',
      open_time: at,
      bid_open: p,
      bid_high: p + 0.0001,
      bid_low: p - 0.0001,
      bid_close: p,
      ask_open: p + 0.0002,
      ask_high: p + 0.0003,
      ask_low: p + 0.0001,
      ask_close: p + 0.0002,
      volume: 3,
      source: 'history',
    },
    history_range: {
      symbol: 'EURUSD',
      tf: '1m',
      from: at,
      to: at + 60_000,
      bars: 1,
      source: 'history',
    },
    bar: {
      symbol: 'EURUSD',
      tf: '1m',
      bar: {
        open_time: at,
        close_time: at + 59_999,
        open: p,
        high: p + 0.0001,
        low: p - 0.0001,
        close: p,
        volume: 3,
        tick_count: 3,
        complete: true,
        synthetic: false,
        source: 'tick_agg',
        tf: '1m',
      },
    },
    service_status: {
      service: 'fxcm-gateway',
      instance: 'fuzz',
      ts: at,
      state: 'ok',
      errors: [],
      degraded: [],
    },
    control: { cmd: 'noop', req_id: 'fuzz', ts: at, target: '*', args: {} },
  };
}

/**
 * True when every consumer of `target` refuses these fields on sight: they do not decode, or
 * (ticks, history, control) the kind does not belong there, or (ticks, history) the entry is
 * dated more than `toleranceMs` ahead of `now`. Pure.
 */
export function refusedOnSight(
  target: EntryTarget,
  fields: readonly string[],
  now: number,
  toleranceMs: number,
): boolean {
  let entry;
  try {
    entry = decodeStreamEntry(fields);
  } catch (err) {
    if (err instanceof ContractError) return true;
    throw err;
  }
  if (WRONG_KIND_TARGETS.includes(target) && !ACCEPTED_KINDS[target].includes(entry.type)) {
    return true;
  }
  if (FUTURE_RAIL_TARGETS.includes(target)) {
    const data = entry.data as unknown as Record<string, unknown>;
    const times = TIME_KEYS.map((k) => data[k]).filter((v): v is number => typeof v === 'number');
    if (times.some((t) => t > now + toleranceMs)) return true;
  }
  return false;
}

const TARGETS: readonly EntryTarget[] = [
  'ticks',
  'ticks',
  'ticks',
  'history',
  'history',
  'bars',
  'bars',
  'status',
  'status',
  'control',
];
const KIND_OF: Record<EntryTarget, readonly (keyof ReturnType<typeof entryTemplates>)[]> = {
  ticks: ['tick', 'watermark', 'feed_gap'],
  history: ['history_bar', 'history_range'],
  bars: ['bar'],
  status: ['service_status'],
  control: ['control'],
};
const BASE_FIELDS = ['open_time', 'close_time', 'open', 'high', 'low', 'close', 'volume'];
const NON_NUMBERS = JUNK_VALUES.filter((v) => typeof v !== 'number');
const NOT_JSON = ['', '{', '[1,2', "{'a':1}", 'NaN', 'Infinity', 'undefined', '{"bid":NaN}', 'nul'];

/**
 * `count` malformed entries over the five internal streams, from `seed`. `templates` are valid
 * entries (see {@link entryTemplates}) the mutations start from; `now` and `toleranceMs` are the
 * consumers' future rail, so an entry that would slip through is made invalid instead.
 */
export function* malformedEntries(
  count: number,
  seed: number,
  templates: ReturnType<typeof entryTemplates>,
  now: number,
  toleranceMs: number,
): Generator<MalformedEntry> {
  const { rand, pick } = fuzzRandom(seed);
  const allKinds = Object.keys(templates) as (keyof typeof templates)[];
  let previous: MalformedEntry | undefined;
  for (let i = 0; i < count; i++) {
    const target = pick(TARGETS);
    const kind = pick(KIND_OF[target]);
    const data = structuredClone(templates[kind]) as unknown as Record<string, unknown>;
    const keysOf = Object.keys(data);
    let category: string;
    let fields: string[];
    switch (rand(12)) {
      case 0:
        category = 'missing_data_field';
        fields = ['type', kind];
        break;
      case 1:
        category = 'missing_type_field';
        fields = ['data', JSON.stringify(data)];
        break;
      case 2:
        category = 'unknown_type';
        fields = [
          'type',
          pick([`junk_${rand(1_000_000)}`, '', 'TICK', ' tick', '__proto__']),
          'data',
          JSON.stringify(data),
        ];
        break;
      case 3:
        category = 'not_json';
        fields = ['type', kind, 'data', pick(NOT_JSON)];
        break;
      case 4:
        category = 'missing_key';
        delete data[pick(keysOf)];
        fields = ['type', kind, 'data', JSON.stringify(data)];
        break;
      case 5:
        category = 'wrong_type';
        data[pick(keysOf)] = pick(JUNK_VALUES);
        fields = ['type', kind, 'data', JSON.stringify(data)];
        break;
      case 6: {
        category = 'nan';
        const key = pick(keysOf);
        // JSON has no NaN: as a bare token the data is not JSON, as a string it is the wrong type.
        fields = [
          'type',
          kind,
          'data',
          rand(2) === 0
            ? JSON.stringify({ ...data, [key]: '__NAN__' }).replace(
                '"__NAN__"',
                pick(['NaN', '-Infinity']),
              )
            : JSON.stringify({ ...data, [key]: pick(['NaN', 'Infinity', 'nan']) }),
        ];
        break;
      }
      case 7: {
        category = 'huge_value';
        const key = pick(keysOf);
        data[key] = pick<unknown>([
          1e308,
          -1e308,
          2 ** 64,
          Number.MAX_SAFE_INTEGER + 2,
          'X'.repeat(65_536),
          Array.from({ length: 10_000 }, () => 1),
        ]);
        fields = ['type', kind, 'data', JSON.stringify(data)];
        break;
      }
      case 8: {
        const late = rand(2) === 0;
        category = late ? 'date_1970' : 'date_2100';
        const stamp = late ? pick(Y1970) : Y2100 + rand(1_000) * 60_000;
        for (const key of TIME_KEYS) if (key in data) data[key] = stamp;
        if (typeof data.bar === 'object' && data.bar !== null) {
          (data.bar as Record<string, unknown>).open_time = stamp;
          (data.bar as Record<string, unknown>).close_time = stamp + 59_999;
        }
        fields = ['type', kind, 'data', JSON.stringify(data)];
        break;
      }
      case 9:
        category = 'repeated_field';
        fields = pick([
          ['type', kind, 'type', kind, 'data', JSON.stringify(data)],
          ['type', kind, 'data', JSON.stringify(data), 'data', JSON.stringify(data)],
          ['type', kind, 'data', JSON.stringify(data), 'id', String(rand(1e9))],
        ]);
        break;
      case 10: {
        category = 'wrong_kind';
        // A valid entry of a kind that has no business on this stream.
        const other = pick(allKinds.filter((k) => !ACCEPTED_KINDS[target].includes(k)));
        fields = ['type', other, 'data', JSON.stringify(templates[other])];
        break;
      }
      default:
        if (previous !== undefined) {
          yield { ...previous, category: 'duplicate' };
          continue;
        }
        category = 'not_json';
        fields = ['type', kind, 'data', pick(NOT_JSON)];
    }
    // Whatever slipped through (a junk value the contract happens to allow, a wrong kind on a
    // stream whose consumers skip it, a 2100 bar) is made invalid: an unexpected extra field.
    if (!refusedOnSight(target, fields, now, toleranceMs)) {
      fields = [...fields, 'fuzz', category];
      category = `${category}+extra_field`;
    }
    previous = { target, fields, category };
    yield previous;
  }
}

/**
 * `count` malformed `fxcm:ohlcv` messages from `seed`: not JSON, not an object, unsigned,
 * forged signatures, and — signed with `sign` so they reach the rails — bars from 1970 and
 * 2100, broken geometry, wrong types, NaN and huge values under a timeframe or symbol the rails
 * refuse. None of them is a valid signed `1m` message, so a judge that counts only signed 1m
 * bars sees none of them. `bar` is a valid 1m bar the mutations start from.
 */
export function* malformedOhlcv(
  count: number,
  seed: number,
  bar: { open_time: number; open: number },
  sign: (text: string) => string,
): Generator<MalformedMessage> {
  const { rand, pick } = fuzzRandom(seed);
  const good = {
    open_time: bar.open_time,
    close_time: bar.open_time + 59_999,
    open: bar.open,
    high: bar.open + 0.0001,
    low: bar.open - 0.0001,
    close: bar.open,
    volume: 3,
    complete: true,
  };
  const signed = (msg: Record<string, unknown>): string => {
    const text = JSON.stringify(msg);
    return JSON.stringify({ ...msg, sig: sign(text) });
  };
  const badBars = (): unknown[] => {
    const b: Record<string, unknown> = { ...good };
    switch (rand(6)) {
      case 0:
        b.open_time = pick(Y1970);
        break;
      case 1:
        b.open_time = Y2100;
        break;
      case 2:
        b.low = (b.high as number) + 1;
        break;
      case 3:
        b[pick(BASE_FIELDS)] = pick(NON_NUMBERS);
        break;
      case 4:
        b[pick(BASE_FIELDS)] = pick(['NaN', 'Infinity', '-Infinity']);
        break;
      default:
        // 5,001 bars (over the 5,000 limit) now and then: a 500 kB message
        return rand(20) === 0
          ? Array.from({ length: 5_001 }, () => good)
          : pick([[], [good, good]]);
    }
    return [b];
  };
  for (let i = 0; i < count; i++) {
    switch (rand(7)) {
      case 0:
        yield { category: 'not_json', signed: false, text: pick(NOT_JSON) };
        break;
      case 1:
        yield {
          category: 'not_object',
          signed: false,
          text: pick(['[]', '1', '"x"', 'null', 'true']),
        };
        break;
      case 2:
        yield {
          category: 'unsigned',
          signed: false,
          text: JSON.stringify({
            symbol: 'EURUSD',
            tf: '1m',
            source: 'stream',
            bars: rand(2) ? [good] : badBars(),
          }),
        };
        break;
      case 3:
        yield {
          category: 'forged',
          signed: false,
          text: JSON.stringify({
            symbol: 'EURUSD',
            tf: '1m',
            source: 'stream',
            bars: [good],
            sig: pick([
              'a'.repeat(64),
              '',
              'x',
              sign(JSON.stringify({ symbol: 'EURUSD', tf: '5m', bars: [] })),
            ]),
          }),
        };
        break;
      case 4:
        yield {
          category: 'signed_tf_refused',
          signed: true,
          text: signed({
            symbol: 'EURUSD',
            tf: pick(['7m', '0m', '1y', 'h25', '2d']),
            bars: [good],
          }),
        };
        break;
      case 5:
        yield {
          category: 'signed_symbol_refused',
          signed: true,
          text: signed({
            symbol: pick(['GBPUSD', 'XAU/USD', '../../etc', 'x'.repeat(300)]),
            tf: '5m',
            bars: [good],
          }),
        };
        break;
      default:
        yield {
          category: 'signed_bad_bars',
          signed: true,
          text: signed({ symbol: 'EURUSD', tf: '5m', bars: badBars() }),
        };
    }
  }
}
