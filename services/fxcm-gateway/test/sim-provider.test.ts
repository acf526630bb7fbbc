import { calendarFor } from '@fxcm/calendar';
import { normalizeSymbol } from '@fxcm/contracts';
import { virtualClock } from '../src/connection/clock';
import { untilNextPulse } from '../src/connection/connection-driver';
import type { FeedState, ProviderTick, TickSink } from '../src/providers/provider';
import { quoteList, SimMarket } from '../src/providers/sim/sim-market';
import { SimProvider } from '../src/providers/sim/sim-provider';
import { checkTick } from '../src/tick-rails';

const SYMBOLS = [
  'EUR/USD',
  'GBP/USD',
  'USD/JPY',
  'USD/CHF',
  'AUD/USD',
  'USD/CAD',
  'NZD/USD',
  'EUR/GBP',
  'EUR/JPY',
  'GBP/JPY',
  'EUR/CHF',
  'AUD/JPY',
  'EUR/AUD',
  'GBP/CHF',
  'CAD/JPY',
  'NZD/JPY',
  'AUD/CAD',
  'EUR/CAD',
  'XAU/USD',
  'XAG/USD',
];
const MINUTE = 60_000;

interface Recorded {
  ticks: ProviderTick[];
  watermarks: Array<{ ts: number; feed: 'alive' | 'dead'; afterTicks: number }>;
  states: Array<{ state: FeedState; at: number; code?: string }>;
  /** Spans the provider said it did not observe, `[from, to)`. */
  unobserved: Array<[number, number]>;
}

function recordingSink(now: () => number): { sink: TickSink; rec: Recorded } {
  const rec: Recorded = { ticks: [], watermarks: [], states: [], unobserved: [] };
  return {
    rec,
    sink: {
      tick: (t) => void rec.ticks.push(t),
      watermark: (ts, feed) => void rec.watermarks.push({ ts, feed, afterTicks: rec.ticks.length }),
      unobserved: (from, to) => void rec.unobserved.push([from, to]),
      state: (state, detail) =>
        void rec.states.push({ state, at: now(), ...(detail?.code ? { code: detail.code } : {}) }),
    },
  };
}

async function runUntil(
  provider: SimProvider,
  clock: { now(): number },
  end: number,
): Promise<void> {
  while (clock.now() < end) await new Promise((resolve) => setImmediate(resolve));
  await provider.stop();
}

describe('sim provider: 20 symbols, one hour around the Friday close (accelerated clock)', () => {
  // Friday 2026-11-20 21:30 → 22:30 UTC: New York session until 21:55, then no session, and
  // every calendar (FX and metals) closes at 22:00 for the weekend.
  const start = Date.UTC(2026, 10, 20, 21, 30);
  const close = Date.UTC(2026, 10, 20, 22, 0);
  let rec: Recorded;

  beforeAll(async () => {
    const clock = virtualClock(start);
    const provider = new SimProvider({ symbols: SYMBOLS, seed: 42, clock, stepMs: 100 });
    const recording = recordingSink(clock.now);
    rec = recording.rec;
    await provider.start(recording.sink);
    await runUntil(provider, clock, start + 3_600_000);
  });

  it('sends no quote while the calendar is closed', () => {
    expect(rec.ticks.length).toBeGreaterThan(0);
    const late = rec.ticks.filter((t) => calendarFor(t.symbol).isOpen(t.ts) === false);
    expect(late).toEqual([]);
    expect(Math.max(...rec.ticks.map((t) => t.ts))).toBeLessThan(close);
  });

  it('quotes every symbol at the session intensity (NY 40/min, outside sessions 12/min)', () => {
    const ny = rec.ticks.filter((t) => calendarFor(t.symbol).session(t.ts)?.tag === 'NY_METALS');
    const none = rec.ticks.filter((t) => calendarFor(t.symbol).session(t.ts) === null);
    expect(new Set(rec.ticks.map((t) => normalizeSymbol(t.symbol))).size).toBe(20);
    // 25 minutes of New York session and 5 minutes outside, 20 symbols each.
    const nyRate = ny.length / (25 * 20);
    const noneRate = none.length / (5 * 20);
    expect(nyRate).toBeGreaterThan(40 * 0.95);
    expect(nyRate).toBeLessThan(40 * 1.05);
    expect(noneRate).toBeGreaterThan(12 * 0.8);
    expect(noneRate).toBeLessThan(12 * 1.2);
  });

  it('passes the rails: bid ≤ ask, int ms, realistic spreads', () => {
    expect(rec.ticks.filter((t) => !checkTick(t).ok)).toEqual([]);
    const eurusd = rec.ticks.filter((t) => t.symbol === 'EUR/USD');
    const spreads = eurusd.map((t) => (t.ask - t.bid) / 0.0001);
    expect(Math.min(...spreads)).toBeGreaterThanOrEqual(0.1);
    expect(Math.max(...spreads)).toBeLessThan(2);
  });

  it('keeps the event-time promise and stamps watermarks every 100 ms and at each minute end', () => {
    let lastWm = -Infinity;
    let wmIndex = 0;
    const late: ProviderTick[] = [];
    for (let i = 0; i < rec.ticks.length; i += 1) {
      while (wmIndex < rec.watermarks.length && rec.watermarks[wmIndex]!.afterTicks <= i) {
        lastWm = rec.watermarks[wmIndex]!.ts;
        wmIndex += 1;
      }
      if (rec.ticks[i]!.ts < lastWm) late.push(rec.ticks[i]!);
    }
    expect(late).toEqual([]);
    const gaps = rec.watermarks.slice(1).map((w, i) => w.ts - rec.watermarks[i]!.ts);
    // Every 100 ms, and a watermark exactly on each minute's end (the minute closes at once).
    expect(Math.max(...gaps)).toBe(100);
    expect(Math.min(...gaps)).toBeGreaterThan(0);
    const first = rec.watermarks[0]!.ts;
    const last = rec.watermarks.at(-1)!.ts;
    const stamped = new Set(rec.watermarks.map((w) => w.ts));
    for (let m = Math.ceil(first / MINUTE) * MINUTE; m <= last; m += MINUTE)
      expect(stamped.has(m)).toBe(true);
    // 'dead' only before the first login completes.
    const firstAlive = rec.watermarks.findIndex((w) => w.feed === 'alive');
    expect(firstAlive).toBeLessThanOrEqual(1);
    expect(rec.watermarks.slice(firstAlive).every((w) => w.feed === 'alive')).toBe(true);
  });

  it('reports connecting → … → streaming, then sleeping at the close', () => {
    const states = rec.states.map((s) => s.state);
    expect(states.slice(0, 4)).toEqual(['connecting', 'logged_in', 'subscribed', 'streaming']);
    const sleeping = rec.states.find((s) => s.state === 'sleeping');
    expect(sleeping?.at).toBeGreaterThanOrEqual(close);
    expect(sleeping!.at).toBeLessThan(close + 1_000);
    expect(states.filter((s) => s === 'reconnecting')).toEqual([]);
  });
});

describe('sim provider: timers that fire early', () => {
  it('the loop wakes at a minute end plus grace, or at once when a long pulse ran past it', () => {
    const end = Date.UTC(2026, 10, 18, 12, 1);
    expect(untilNextPulse(end + 500, 100, 1_000, end - 500)).toBe(100);
    expect(untilNextPulse(end + 1_000 - 13, 100, 1_000, end - 13)).toBe(13);
    expect(untilNextPulse(end + 1_000 + 7, 100, 1_000, end - 13)).toBe(0); // the close is due
    expect(untilNextPulse(end + 1_000 + 7, 100, 1_000, end + 7)).toBe(100); // and was written
  });

  it('still stamps a watermark exactly on each minute end (no minute closes a step late)', async () => {
    const start = Date.UTC(2026, 10, 18, 12, 0, 30); // a Wednesday, open
    const base = virtualClock(start);
    // A Node timer can wake a few ms early by the wall clock: every wait here falls 5 ms short.
    const clock = { ...base, sleep: (ms: number) => base.sleep(ms > 5 ? ms - 5 : ms) };
    const provider = new SimProvider({ symbols: SYMBOLS.slice(0, 3), seed: 7, clock, stepMs: 100 });
    const recording = recordingSink(clock.now);
    const sink = {
      ...recording.sink,
      // writing a watermark takes time too (an XADD): 10 ms
      watermark: (ts: number, feed: 'alive' | 'dead') => {
        base.advance(10);
        return recording.sink.watermark(ts, feed);
      },
    };
    await provider.start(sink);
    await runUntil(provider, clock, start + 10 * MINUTE);
    const stamped = new Set(recording.rec.watermarks.map((w) => w.ts));
    const ends = Array.from(
      { length: 9 },
      (_, i) => Math.ceil(start / MINUTE) * MINUTE + i * MINUTE,
    );
    expect(ends.filter((m) => !stamped.has(m))).toEqual([]);
  });
});

describe('sim market', () => {
  it("quotes a load test's flat rate per symbol while open (λ far past Knuth's range)", () => {
    const market = new SimMarket({ seed: 5, ticksPerSecond: 20 });
    let n = 0;
    // Wednesday 03:00-03:10 UTC: the session rate there would be 12 a minute.
    for (let m = Date.UTC(2026, 10, 18, 3, 0); m < Date.UTC(2026, 10, 18, 3, 10); m += MINUTE)
      n += market.ticksInMinute('EURUSD', m).length;
    expect(n / 10).toBeGreaterThan(1_200 * 0.95);
    expect(n / 10).toBeLessThan(1_200 * 1.05);
    // Closed stays closed: Saturday noon.
    expect(market.ticksInMinute('EURUSD', Date.UTC(2026, 10, 21, 12, 0)).length).toBe(0);
  });

  it('is deterministic and serves history built from the same quotes', () => {
    const minute = Date.UTC(2026, 10, 18, 9, 15);
    const a = new SimMarket({ seed: 7 });
    const b = new SimMarket({ seed: 7 });
    expect(a.ticksInMinute('EURUSD', minute)).toEqual(b.ticksInMinute('EURUSD', minute));
    expect(a.ticksInMinute('EURUSD', minute)).not.toEqual(
      new SimMarket({ seed: 8 }).ticksInMinute('EURUSD', minute),
    );
    const ticks = a.ticksInMinute('EURUSD', minute);
    const candle = b.candle('EURUSD', minute)!;
    expect(candle.bidOpen).toBe(ticks.bid[0]);
    expect(candle.askClose).toBe(ticks.ask.at(-1));
    expect(candle.bidHigh).toBe(Math.max(...ticks.bid));
    expect(candle.askLow).toBe(Math.min(...ticks.ask));
    expect(candle.tickQty).toBe(ticks.length);
    expect(quoteList(ticks).at(-1)).toEqual({
      ts: ticks.ts.at(-1),
      bid: ticks.bid.at(-1),
      ask: ticks.ask.at(-1),
    });
    // one quote per ms at most, in time order, inside the minute, never crossed
    for (let i = 0; i < ticks.length; i += 1) {
      expect(ticks.ts[i]! - minute).toBeGreaterThanOrEqual(0);
      expect(ticks.ts[i]! - minute).toBeLessThan(MINUTE);
      if (i > 0) expect(ticks.ts[i]!).toBeGreaterThan(ticks.ts[i - 1]!);
      expect(ticks.ask[i]!).toBeGreaterThanOrEqual(ticks.bid[i]!);
    }
  });

  it('serves history without pushing the live minutes out of its cache', () => {
    const market = new SimMarket({ seed: 4, ticksPerSecond: 20 });
    const live = Date.UTC(2026, 10, 18, 12, 0);
    const current = market.ticksInMinute('EURUSD', live);
    market.prepare('EURUSD', live + MINUTE);
    const next = market.ticksInMinute('EURUSD', live + MINUTE);
    // a warm-up's history: two hours before
    expect(market.candles('EURUSD', live - 120 * MINUTE, live)).toHaveLength(120);
    expect(market.ticksInMinute('EURUSD', live)).toBe(current);
    expect(market.ticksInMinute('EURUSD', live + MINUTE)).toBe(next);
    expect(market.candle('EURUSD', live)!.tickQty).toBe(current.length);
  });

  it('quotes London more densely than the late Asian hour', () => {
    const market = new SimMarket({ seed: 3 });
    const count = (from: number): number => {
      let n = 0;
      for (let m = from; m < from + 30 * MINUTE; m += MINUTE)
        n += market.ticksInMinute('GBPUSD', m).length;
      return n;
    };
    // Wednesday 07:30-08:00 UTC is between Tokyo (ends 07:00) and London (opens 08:00).
    const quiet = count(Date.UTC(2026, 10, 18, 7, 30));
    const london = count(Date.UTC(2026, 10, 18, 8, 0));
    expect(quiet / 30).toBeGreaterThan(12 * 0.7);
    expect(quiet / 30).toBeLessThan(12 * 1.3);
    expect(london / 30).toBeGreaterThan(60 * 0.85);
    expect(london / 30).toBeLessThan(60 * 1.15);
  });
});

describe('sim faults', () => {
  const start = Date.UTC(2026, 10, 18, 10, 0, 0);

  it('disconnect: feed dead, reconnect with backoff, the missed minutes handed to backfill', async () => {
    const clock = virtualClock(start);
    const backfills: Array<[number, number]> = [];
    const provider = new SimProvider({
      symbols: ['EUR/USD', 'GBP/USD'],
      seed: 1,
      clock,
      onBackfill: (from, to) => void backfills.push([from, to]),
    });
    const { sink, rec } = recordingSink(clock.now);
    await provider.start(sink);
    while (clock.now() < start + 2 * MINUTE + 30_000) await new Promise((r) => setImmediate(r));
    provider.inject({ kind: 'disconnect', forMs: 3 * MINUTE });
    const dropAt = clock.now();
    const lastBefore = Math.max(...rec.ticks.map((t) => t.ts));
    await runUntil(provider, clock, start + 8 * MINUTE);

    const states = rec.states.map((s) => s.state);
    expect(states).toContain('reconnecting');
    expect(states.at(-2)).toBe('streaming');
    expect(rec.ticks.filter((t) => t.ts > lastBefore && t.ts < dropAt + 3 * MINUTE)).toEqual([]);
    expect(rec.watermarks.some((w) => w.feed === 'dead')).toBe(true);
    const firstAfter = Math.min(...rec.ticks.filter((t) => t.ts > lastBefore).map((t) => t.ts));
    // the start minute, then every minute the gap touched (the partly seen edges included)
    const startMinute = Math.floor(start / MINUTE) * MINUTE;
    expect(backfills).toEqual([
      [startMinute, startMinute + MINUTE],
      [Math.floor(lastBefore / MINUTE) * MINUTE, (Math.floor(firstAfter / MINUTE) + 1) * MINUTE],
    ]);
    // and the spans it did not observe went to the sink: the start, the drop, the resume
    expect(rec.unobserved.length).toBe(3);
    expect(rec.unobserved[0]![0]).toBe(startMinute);
    expect(rec.unobserved[0]![1]).toBeGreaterThanOrEqual(start);
  });

  it('stale: no quotes while connected, resubscribe brings them back', async () => {
    const clock = virtualClock(start);
    const provider = new SimProvider({
      symbols: ['EUR/USD'],
      seed: 2,
      clock,
      policy: { staleMs: 30_000 },
    });
    const { sink, rec } = recordingSink(clock.now);
    await provider.start(sink);
    while (clock.now() < start + MINUTE) await new Promise((r) => setImmediate(r));
    provider.inject({ kind: 'stale', forMs: 60 * MINUTE });
    await runUntil(provider, clock, start + 4 * MINUTE);
    const states = rec.states.map((s) => s.state);
    expect(states.slice(4)).toEqual(['stale', 'resubscribing', 'streaming', 'finished']);
    expect(rec.ticks.some((t) => t.ts > start + 3 * MINUTE)).toBe(true);
  });

  it('bad ticks reach the sink and the rails reject every one', async () => {
    const clock = virtualClock(start);
    const provider = new SimProvider({ symbols: ['EUR/USD'], seed: 3, clock });
    const { sink, rec } = recordingSink(clock.now);
    await provider.start(sink);
    while (clock.now() < start + 10_000) await new Promise((r) => setImmediate(r));
    const before = rec.ticks.length;
    provider.inject({ kind: 'bad_ticks', count: 12 });
    await runUntil(provider, clock, start + 20_000);
    const rejected = rec.ticks.slice(before).filter((t) => !checkTick(t).ok);
    expect(rejected).toHaveLength(12);
  });

  it('auth: state error with fxcm_auth_failed, then recovers', async () => {
    const clock = virtualClock(start);
    const provider = new SimProvider({ symbols: ['EUR/USD'], seed: 4, clock });
    provider.inject({ kind: 'auth', forMs: 60_000 });
    const { sink, rec } = recordingSink(clock.now);
    await provider.start(sink);
    await runUntil(provider, clock, start + 6 * MINUTE);
    expect(rec.states[1]).toMatchObject({ state: 'error', code: 'fxcm_auth_failed' });
    expect(rec.states.map((s) => s.state)).toContain('streaming');
  });

  it('burst: more quotes per minute while it lasts', async () => {
    const clock = virtualClock(start);
    const provider = new SimProvider({ symbols: ['EUR/USD'], seed: 5, clock });
    provider.inject({ kind: 'burst', forMs: 2 * MINUTE, factor: 5 });
    const { sink, rec } = recordingSink(clock.now);
    await provider.start(sink);
    await runUntil(provider, clock, start + 4 * MINUTE);
    const during = rec.ticks.filter((t) => t.ts < start + 2 * MINUTE).length;
    const after = rec.ticks.filter((t) => t.ts >= start + 2 * MINUTE).length;
    expect(during).toBeGreaterThan(2.5 * after);
  });
});
