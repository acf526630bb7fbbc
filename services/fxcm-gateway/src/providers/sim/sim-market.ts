import { calendarFor, type TradingCalendar } from '@fxcm/calendar';
import { normalizeSymbol } from '@fxcm/contracts';
import type { FxcmCandle } from '../fxcm-rest/candles';

/** How a simulated instrument looks: price level, pip size and typical spread. */
export interface SimInstrument {
  basePrice: number;
  /** Price of one pip (0.0001 for EURUSD, 0.01 for USDJPY and XAUUSD). */
  pip: number;
  /** Typical spread in pips during London hours. */
  spreadPips: number;
}

/** Instruments with known levels; any other symbol gets a level derived from its name. */
export const SIM_INSTRUMENTS: Readonly<Record<string, SimInstrument>> = {
  EURUSD: { basePrice: 1.085, pip: 0.0001, spreadPips: 0.3 },
  GBPUSD: { basePrice: 1.27, pip: 0.0001, spreadPips: 0.6 },
  USDJPY: { basePrice: 151.5, pip: 0.01, spreadPips: 0.4 },
  USDCHF: { basePrice: 0.88, pip: 0.0001, spreadPips: 0.7 },
  AUDUSD: { basePrice: 0.655, pip: 0.0001, spreadPips: 0.5 },
  USDCAD: { basePrice: 1.355, pip: 0.0001, spreadPips: 0.8 },
  NZDUSD: { basePrice: 0.605, pip: 0.0001, spreadPips: 0.9 },
  EURGBP: { basePrice: 0.855, pip: 0.0001, spreadPips: 0.8 },
  EURJPY: { basePrice: 164.3, pip: 0.01, spreadPips: 0.8 },
  GBPJPY: { basePrice: 192.4, pip: 0.01, spreadPips: 1.5 },
  XAUUSD: { basePrice: 2350, pip: 0.01, spreadPips: 25 },
  XAGUSD: { basePrice: 28.5, pip: 0.001, spreadPips: 20 },
  US30: { basePrice: 39000, pip: 1, spreadPips: 2 },
  SPX500: { basePrice: 5200, pip: 0.1, spreadPips: 4 },
  GER30: { basePrice: 18000, pip: 1, spreadPips: 1.5 },
  USOIL: { basePrice: 78, pip: 0.01, spreadPips: 3 },
};

/**
 * Quotes per minute by session tag of the symbol's calendar (`null`: outside every window).
 * Real FXCM EUR/USD runs from a few quotes a minute in the late Asian hours to over a hundred
 * around the London/New York overlap; these are round figures in that range.
 */
export const SESSION_TICKS_PER_MINUTE: Readonly<Record<string, number>> = {
  TOKYO_METALS: 20,
  LDN_METALS: 60,
  NY_METALS: 40,
  none: 12,
};

/** Spread multiplier by session: wider in thin hours. */
const SESSION_SPREAD: Readonly<Record<string, number>> = {
  TOKYO_METALS: 1.4,
  LDN_METALS: 1,
  NY_METALS: 1.1,
  none: 2,
};

/**
 * One minute's quotes of a symbol in time order, as columns: at load-test rates a minute of 500
 * symbols is 600 000 quotes, and one object per quote made the gateway's heap 125 MB of small
 * objects whose major collections took 130–150 ms of CPU every minute or so. Index `i` is one
 * quote.
 */
export interface SimQuotes {
  readonly length: number;
  /** Event time, epoch ms (strictly increasing). */
  readonly ts: Float64Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
}

/** One quote, for code that wants them as objects (tests, recordings). */
export interface SimTick {
  ts: number;
  bid: number;
  ask: number;
}

/** The quotes of a minute as one object each, in time order. */
export function quoteList(quotes: SimQuotes): SimTick[] {
  return Array.from({ length: quotes.length }, (_, i) => ({
    ts: quotes.ts[i]!,
    bid: quotes.bid[i]!,
    ask: quotes.ask[i]!,
  }));
}

const MINUTE = 60_000;

const NO_QUOTES: SimQuotes = {
  length: 0,
  ts: new Float64Array(0),
  bid: new Float64Array(0),
  ask: new Float64Array(0),
};

/** Value-noise scales of the mid price (4 h, 15 min, 1 min) and their weight in it. */
const NOISE_SCALES = [
  { scale: 4 * 3_600_000, weight: 0.004 },
  { scale: 15 * MINUTE, weight: 0.001 },
  { scale: MINUTE, weight: 0.00015 },
] as const;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; the same seed gives the same stream. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform in [0, 1) that depends only on its inputs. */
function hashUniform(seed: number, symbol: string, scale: number, knot: number): number {
  return mulberry32(fnv1a(`${seed}|${symbol}|${scale}|${knot}`))();
}

function poisson(lambda: number, random: () => number): number {
  // Knuth's method underflows past λ ≈ 700 (e^-λ becomes 0); a load test's λ is far above
  // that, where the normal approximation N(λ, λ) is exact to well under a percent.
  if (lambda > 500) {
    const u = Math.max(random(), Number.MIN_VALUE);
    const gauss = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

/** Options of {@link SimMarket}. */
export interface SimMarketOptions {
  seed: number;
  /** Quotes per second per symbol while open, instead of the session rates (load tests). */
  ticksPerSecond?: number;
  /** Calendar of a symbol; defaults to `@fxcm/calendar`'s book. */
  calendarOf?: (symbol: string) => TradingCalendar;
  /** Multiplies the quote intensity (bursts), by symbol and minute; default 1. */
  intensity?: (symbol: string, minuteStart: number) => number;
}

/**
 * A deterministic market: the quotes of a symbol in a minute are a pure function of the seed,
 * the symbol and the minute, so live ticks, history candles and reruns all agree. Prices follow
 * smooth value noise at 4 h, 15 min and 1 min scales around the instrument's level; quote counts
 * are Poisson with the session's intensity; nothing is quoted while the calendar is closed.
 */
export class SimMarket {
  private readonly calendarOf: (symbol: string) => TradingCalendar;
  /**
   * The last two minutes computed per symbol: a live loop asks for the current one many times
   * and prepares the next one ahead ({@link prepare}).
   */
  private readonly recent = new Map<string, Array<{ start: number; ticks: SimQuotes }>>();

  constructor(private readonly opts: SimMarketOptions) {
    this.calendarOf = opts.calendarOf ?? calendarFor;
  }

  /** The instrument description used for `symbol`. */
  instrument(symbol: string): SimInstrument {
    const key = normalizeSymbol(symbol);
    const known = SIM_INSTRUMENTS[key];
    if (known) return known;
    // An unknown pair: a level in [0.5, 2.5) from its name, FX pip and spread.
    return { basePrice: 0.5 + 2 * hashUniform(0, key, 0, 0), pip: 0.0001, spreadPips: 1 };
  }

  /** Expected quotes per minute for `symbol` at `ts` (0 while closed). */
  ticksPerMinute(symbol: string, ts: number): number {
    const calendar = this.calendarOf(symbol);
    if (!calendar.isOpen(ts)) return 0;
    const tag = calendar.session(ts)?.tag ?? 'none';
    const base = this.opts.ticksPerSecond
      ? this.opts.ticksPerSecond * 60
      : (SESSION_TICKS_PER_MINUTE[tag] ?? SESSION_TICKS_PER_MINUTE['none']!);
    return base * (this.opts.intensity?.(symbol, Math.floor(ts / MINUTE) * MINUTE) ?? 1);
  }

  /** Mid price at `ts` before quote noise. */
  midAt(symbol: string, ts: number): number {
    return this.midOfMinute(normalizeSymbol(symbol), Math.floor(ts / MINUTE) * MINUTE)(ts);
  }

  /**
   * The mid-price function of one minute of `key`: every noise scale is a whole number of
   * minutes aligned on the epoch, so the knots a minute's quotes lie between are the same for
   * all of them and are hashed once per minute instead of once per quote.
   */
  private midOfMinute(key: string, start: number): (ts: number) => number {
    const inst = this.instrument(key);
    const knots = NOISE_SCALES.map(({ scale, weight }) => {
      const k = Math.floor(start / scale);
      const a = hashUniform(this.opts.seed, key, scale, k) * 2 - 1;
      const b = hashUniform(this.opts.seed, key, scale, k + 1) * 2 - 1;
      return { scale, weight, k, a, b };
    });
    return (ts) => {
      let sum = 1;
      for (const { scale, weight, k, a, b } of knots) {
        const f = ts / scale - k;
        const w = (1 - Math.cos(Math.PI * f)) / 2;
        sum += weight * (a + (b - a) * w);
      }
      return inst.basePrice * sum;
    };
  }

  /** The quotes of `symbol` in the minute starting at `minuteStart`, in time order. */
  ticksInMinute(symbol: string, minuteStart: number): SimQuotes {
    const key = normalizeSymbol(symbol);
    const start = Math.floor(minuteStart / MINUTE) * MINUTE;
    const recent = this.recent.get(key) ?? [];
    const cached = recent.find((m) => m.start === start);
    if (cached) return cached.ticks;
    const ticks = this.generateMinute(key, start);
    this.recent.set(key, [...recent.slice(-1), { start, ticks }]);
    return ticks;
  }

  /**
   * Computes a minute's quotes now so a later {@link ticksInMinute} finds them ready: at load-test
   * rates a minute of hundreds of symbols takes seconds to compute, which a live loop spreads
   * over the minute before instead of spending it at the minute's start.
   */
  prepare(symbol: string, minuteStart: number): void {
    this.ticksInMinute(symbol, minuteStart);
  }

  private generateMinute(key: string, start: number): SimQuotes {
    const calendar = this.calendarOf(key);
    const random = mulberry32(fnv1a(`${this.opts.seed}|${key}|ticks|${start}`));
    const lambda = this.ticksPerMinute(key, start);
    if (lambda === 0 && !calendar.isOpen(start + MINUTE - 1)) return NO_QUOTES;
    const count = poisson(Math.max(lambda, 1), random);
    // a typed array sorts numerically
    const offsets = Int32Array.from({ length: count }, () => Math.floor(random() * MINUTE)).sort();
    const inst = this.instrument(key);
    const midAt = this.midOfMinute(key, start);
    const tag = calendar.session(start)?.tag ?? 'none';
    const spreadBase = inst.spreadPips * inst.pip * (SESSION_SPREAD[tag] ?? 2);
    const digits = Math.max(0, Math.round(-Math.log10(inst.pip)) + 1);
    const round = (x: number): number => Number(x.toFixed(digits));
    const ts = new Float64Array(count);
    const bid = new Float64Array(count);
    const ask = new Float64Array(count);
    let n = 0;
    let lastTs = -1;
    for (const offset of offsets) {
      const at = start + offset;
      const noiseDraw = random();
      const spreadDraw = random();
      if (at === lastTs || !calendar.isOpen(at)) continue;
      lastTs = at;
      const mid = midAt(at) + (noiseDraw - 0.5) * inst.pip * 0.6;
      const spread = Math.max(inst.pip / 10, spreadBase * (0.8 + 0.4 * spreadDraw));
      const low = round(mid - spread / 2);
      ts[n] = at;
      bid[n] = low;
      ask[n] = Math.max(low, round(mid + spread / 2));
      n += 1;
    }
    return { length: n, ts: ts.subarray(0, n), bid: bid.subarray(0, n), ask: ask.subarray(0, n) };
  }

  /** The m1 candle of a minute built from the same quotes (undefined when none). */
  candle(symbol: string, minuteStart: number): FxcmCandle | undefined {
    // History reaches far back: it must not push the live minutes out of the cache.
    const key = normalizeSymbol(symbol);
    const start = Math.floor(minuteStart / MINUTE) * MINUTE;
    const ticks =
      this.recent.get(key)?.find((m) => m.start === start)?.ticks ??
      this.generateMinute(key, start);
    const n = ticks.length;
    if (n === 0) return undefined;
    let bidHigh = -Infinity;
    let bidLow = Infinity;
    let askHigh = -Infinity;
    let askLow = Infinity;
    for (let i = 0; i < n; i += 1) {
      bidHigh = Math.max(bidHigh, ticks.bid[i]!);
      bidLow = Math.min(bidLow, ticks.bid[i]!);
      askHigh = Math.max(askHigh, ticks.ask[i]!);
      askLow = Math.min(askLow, ticks.ask[i]!);
    }
    return {
      ts: Math.floor(minuteStart / MINUTE) * MINUTE,
      bidOpen: ticks.bid[0]!,
      bidHigh,
      bidLow,
      bidClose: ticks.bid[n - 1]!,
      askOpen: ticks.ask[0]!,
      askHigh,
      askLow,
      askClose: ticks.ask[n - 1]!,
      tickQty: ticks.length,
    };
  }

  /** m1 candles with open time in `[fromMs, toMs)`. */
  candles(symbol: string, fromMs: number, toMs: number): FxcmCandle[] {
    const out: FxcmCandle[] = [];
    for (let m = Math.ceil(fromMs / MINUTE) * MINUTE; m < toMs; m += MINUTE) {
      const c = this.candle(symbol, m);
      if (c) out.push(c);
    }
    return out;
  }
}
