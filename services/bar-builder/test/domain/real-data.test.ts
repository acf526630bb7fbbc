import { calendarFor } from '@fxcm/calendar';
import { createBarEngine, type Bar, type BarEngine, type BarEvent } from '../../src/domain';
import { loadEurusdDay, type EurusdDay, type TickColumns } from '../../bench/fxcm-archive';
import { runReferenceCheck, SYMBOL } from '../../bench/reference-replay';

// Real FXCM EUR/USD ticks (../shared/fxcm-data/eurusd-2014-05) with their exact reference 1m bars.
// Sunday 2014-05-04 (indicative quotes before the 17:00 New York open) and Monday 2014-05-05.
const days: EurusdDay[] = ['20140504', '20140505'].map(loadEurusdDay);
const calendar = calendarFor(SYMBOL);
const SUNDAY_OPEN = Date.parse('2014-05-04T21:00:00Z');

/** Deterministic pseudo-random integers (mulberry32), so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function joined(ds: readonly EurusdDay[]): TickColumns {
  const n = ds.reduce((k, d) => k + d.ticks.length, 0);
  const out: TickColumns = {
    ts: new Float64Array(n),
    bid: new Float64Array(n),
    ask: new Float64Array(n),
    length: n,
  };
  let k = 0;
  for (const d of ds) {
    out.ts.set(d.ticks.ts, k);
    out.bid.set(d.ticks.bid, k);
    out.ask.set(d.ticks.ask, k);
    k += d.ticks.length;
  }
  return out;
}

const ticks = joined(days);
const endWatermark = (t: TickColumns): number => {
  const last = t.ts[t.length - 1] as number;
  return last - (last % 60_000) + 60_000;
};

/** Index and content of the first difference of two event lists (readable on failure). */
function firstDifference(actual: readonly BarEvent[], expected: readonly BarEvent[]) {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = JSON.stringify(actual[i]);
    const b = JSON.stringify(expected[i]);
    if (a !== b) return { index: i, of: expected.length, actual: a, expected: b };
  }
  return null;
}

function newEngine(): BarEngine {
  return createBarEngine({ priceMode: 'mid', calendarFor });
}

/**
 * Feeds ticks [from, to) and calls `watermarkAfter(i)` after tick i: a watermark time (≤ the
 * next tick's time) or null for none. Returns the events.
 */
function feed(
  e: BarEngine,
  t: TickColumns,
  from: number,
  to: number,
  watermarkAfter: (i: number) => number | null,
): BarEvent[] {
  const out: BarEvent[] = [];
  for (let i = from; i < to; i++) {
    e.onTick({
      symbol: SYMBOL,
      ts: t.ts[i] as number,
      bid: t.bid[i] as number,
      ask: t.ask[i] as number,
    });
    const w = watermarkAfter(i);
    if (w !== null) out.push(...e.onWatermark({ ts: w, feed: 'alive' }));
  }
  return out;
}

describe('real FXCM data', () => {
  it.each(['bid', 'ask'] as const)(
    'reproduces every open-session reference bar exactly in %s mode',
    (mode) => {
      const r = runReferenceCheck(days, mode, calendar);
      expect(r.mismatches).toEqual([]);
      expect(r.extraBars).toBe(0);
      expect(r.barsEqual).toBe(r.referenceOpenMinutes);
      // independent counts from the raw data: every tick and reference bar before the Sunday open
      let before = 0;
      for (const ts of ticks.ts) if (ts < SUNDAY_OPEN) before++;
      const refBefore = days
        .flatMap((d) => d.reference)
        .filter((b) => b.open_time < SUNDAY_OPEN).length;
      expect(r.ticksOutsideSession).toBe(before);
      expect(r.referenceClosedMinutes).toBe(refBefore);
      expect(r.barsEqual).toBe(days.reduce((k, d) => k + d.reference.length, 0) - refBefore);
      expect(r.ticks).toBe(ticks.length);
    },
  );

  it('gives byte-identical finals for any batching of watermarks', () => {
    const n = ticks.length;
    const end = endWatermark(ticks);
    const run = (watermarkAfter: (i: number) => number | null): BarEvent[] => {
      const e = newEngine();
      const events = feed(e, ticks, 0, n, watermarkAfter);
      events.push(...e.onWatermark({ ts: end, feed: 'alive' }));
      return events;
    };
    const everyTick = run((i) => ticks.ts[i] as number);
    // the watermark a replay may send before the next tick: that tick's own time
    const aheadOfNext = run((i) => (i + 1 < n ? (ticks.ts[i + 1] as number) : null));
    const draw = rng(20140505);
    let nextAt = 0;
    const randomBatches = run((i) => {
      if (i < nextAt) return null;
      nextAt = i + 1 + draw(5000);
      return ticks.ts[i] as number;
    });
    const onlyAtEnd = run(() => null);
    expect(everyTick.length).toBeGreaterThan(1000);
    expect(firstDifference(aheadOfNext, everyTick)).toBeNull();
    expect(firstDifference(randomBatches, everyTick)).toBeNull();
    expect(firstDifference(onlyAtEnd, everyTick)).toBeNull();
    // byte-identical, not just equal
    expect(JSON.stringify(randomBatches) === JSON.stringify(everyTick)).toBe(true);
  });

  it('gives the same event list for several symbols whatever the cadence', () => {
    // EURUSD's ticks interleaved with a second symbol made from them (20 s later, other prices)
    const n = 30_000;
    const merged: Array<{ symbol: string; ts: number; bid: number; ask: number }> = [];
    for (let i = 0, j = 0; i < n || j < n;) {
      const a = i < n ? (ticks.ts[i] as number) : Infinity;
      const b = j < n ? (ticks.ts[j] as number) + 20_000 : Infinity;
      if (a <= b) {
        merged.push({
          symbol: SYMBOL,
          ts: a,
          bid: ticks.bid[i] as number,
          ask: ticks.ask[i] as number,
        });
        i++;
      } else {
        const k = j++;
        merged.push({
          symbol: 'GBPUSD',
          ts: b,
          bid: (ticks.bid[k] as number) * 1.2,
          ask: (ticks.ask[k] as number) * 1.2,
        });
      }
    }
    const last = (merged[merged.length - 1]?.ts ?? 0) as number;
    const run = (every: (i: number) => boolean): BarEvent[] => {
      const e = newEngine();
      const out: BarEvent[] = [];
      merged.forEach((t, i) => {
        e.onTick(t);
        if (every(i)) out.push(...e.onWatermark({ ts: t.ts, feed: 'alive' }));
      });
      out.push(...e.onWatermark({ ts: last - (last % 60_000) + 60_000, feed: 'alive' }));
      return out;
    };
    const draw = rng(7);
    const dense = run(() => true);
    const sparse = run(() => draw(700) === 0);
    const once = run(() => false);
    expect(firstDifference(sparse, dense)).toBeNull();
    expect(firstDifference(once, dense)).toBeNull();
    expect(JSON.stringify(sparse) === JSON.stringify(dense)).toBe(true);
    expect(dense.some((x) => x.symbol === 'GBPUSD')).toBe(true);
  });

  it('restarts after a crash at random points with the same finals, each once', () => {
    const n = ticks.length;
    const end = endWatermark(ticks);
    const full = newEngine();
    const expected = feed(full, ticks, 0, n, (i) => ticks.ts[i] as number);
    expected.push(...full.onWatermark({ ts: end, feed: 'alive' }));

    const draw = rng(42);
    for (let c = 0; c < 6; c++) {
      const crashAt = 1 + draw(n - 1);
      // before the crash: every final is "published"; the 1m finals are "stored"
      const before = newEngine();
      const published = feed(before, ticks, 0, crashAt, (i) => ticks.ts[i] as number);
      const lastWatermark = ticks.ts[crashAt - 1] as number;
      const stored: Bar[] = published.filter((x) => x.tf === '1m').map((x) => x.bar);

      const after = newEngine();
      const last = stored[stored.length - 1];
      const from = last === undefined ? 0 : after.restoreStart(SYMBOL, last.open_time);
      after.restore(
        SYMBOL,
        stored.filter((b) => b.open_time >= from),
        { watermark: lastWatermark },
      );
      // the stream is re-delivered from a point before the oldest open minute
      const openFrom = lastWatermark - (lastWatermark % 60_000);
      let resumeAt = 0;
      while (resumeAt < crashAt && (ticks.ts[resumeAt] as number) < openFrom) resumeAt++;
      resumeAt = Math.max(0, resumeAt - draw(300));
      published.push(...feed(after, ticks, resumeAt, n, (i) => ticks.ts[i] as number));
      published.push(...after.onWatermark({ ts: end, feed: 'alive' }));

      expect({ crashAt, difference: firstDifference(published, expected) }).toEqual({
        crashAt,
        difference: null,
      });
      expect(after.counters()[SYMBOL]?.late).toBe(0);
    }
  });

  it('keeps a bounded number of open bars while replaying', () => {
    const e = newEngine();
    let most = 0;
    for (let i = 0; i < ticks.length; i++) {
      e.onTick({
        symbol: SYMBOL,
        ts: ticks.ts[i] as number,
        bid: ticks.bid[i] as number,
        ask: ticks.ask[i] as number,
      });
      e.onWatermark({ ts: ticks.ts[i] as number, feed: 'alive' });
      if (i % 1000 === 0) most = Math.max(most, e.status().openBars);
    }
    expect(most).toBeLessThanOrEqual(1);
  });
});
