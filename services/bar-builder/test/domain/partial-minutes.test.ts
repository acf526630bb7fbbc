import { calendarFor } from '@fxcm/calendar';
import { createBarEngine, type BarEngine, type BarEvent, type Timeframe } from '../../src/domain';
import { loadEurusdDay, type ReferenceBar } from '../../bench/fxcm-archive';

// Real FXCM EUR/USD ticks of Monday 2014-05-05; the feed is "killed" mid-minute and comes back
// mid-minute; history (the reference bars: the broker's whole minutes) repairs what it missed.

const day = loadEurusdDay('20140505');
const MINUTE = 60_000;
const S = 'EURUSD';
const GAP_FROM = Date.parse('2014-05-05T12:03:25Z');
const GAP_TO = Date.parse('2014-05-05T12:07:40Z');
const ref = new Map(day.reference.map((r) => [r.open_time, r]));

function engine(timeframes: Timeframe[] = ['1m', '5m']): BarEngine {
  return createBarEngine({
    priceMode: 'bid',
    timeframes,
    calendarFor,
    partialWaitMs: 120_000,
  });
}

function historyOf(r: ReferenceBar) {
  const [bo, bh, bl, bc] = r.bid;
  const [ao, ah, al, ac] = r.ask;
  return {
    symbol: S,
    open_time: r.open_time,
    bid_open: bo,
    bid_high: bh,
    bid_low: bl,
    bid_close: bc,
    ask_open: ao,
    ask_high: ah,
    ask_low: al,
    ask_close: ac,
    volume: 100,
  };
}

/**
 * Feeds the day's ticks with a watermark after each, skipping ticks in [gapFrom, gapTo) (dead
 * watermarks there), marking the gap as the gateway does when `mark` (at the drop: from the drop
 * on; at the resume: up to the first tick), and calling `afterTick(ts)` to let history arrive.
 * Ends one minute after the last tick.
 */
function run(
  e: BarEngine,
  gapFrom: number,
  gapTo: number,
  afterTick: (ts: number) => readonly BarEvent[],
  mark = true,
): BarEvent[] {
  const out: BarEvent[] = [];
  const t = day.ticks;
  let last = 0;
  let down = false;
  for (let i = 0; i < t.length; i++) {
    const ts = t.ts[i]!;
    if (ts >= gapFrom && ts < gapTo) {
      if (!down) {
        if (mark) e.onPartialMinutes({ from: gapFrom, to: gapFrom }); // the drop
        down = true;
      }
      out.push(...e.onWatermark({ ts, feed: 'dead' }));
      continue;
    }
    if (down) {
      if (mark) e.onPartialMinutes({ from: gapFrom, to: ts }); // the resume
      down = false;
    }
    e.onTick({ symbol: S, ts, bid: t.bid[i]!, ask: t.ask[i]! });
    out.push(...e.onWatermark({ ts, feed: 'alive' }));
    out.push(...afterTick(ts));
    last = ts;
  }
  out.push(...e.onWatermark({ ts: last - (last % MINUTE) + MINUTE, feed: 'alive' }));
  return out;
}

const ohlc = (b: { open: number; high: number; low: number; close: number }) => [
  b.open,
  b.high,
  b.low,
  b.close,
];

describe('minutes the feed saw only in part', () => {
  const touched: number[] = [];
  for (let m = GAP_FROM - (GAP_FROM % MINUTE); m < GAP_TO; m += MINUTE) touched.push(m);

  it('every minute touched by a mid-minute gap ends up equal to the history bar, once', () => {
    const e = engine();
    // the gateway's backfill: history for every touched minute, once the resume minute is over
    let asked = false;
    const out = run(e, GAP_FROM, GAP_TO, (ts) => {
      if (asked || ts < touched[touched.length - 1]! + 2 * MINUTE) return [];
      asked = true;
      return touched
        .filter((m) => ref.has(m))
        .flatMap((m) => e.onHistoryBar(historyOf(ref.get(m)!)));
    });
    const finals1m = out.filter((x) => x.tf === '1m' && x.kind === 'final');
    expect(out.filter((x) => x.kind === 'revised')).toEqual([]);
    for (const m of touched) {
      const got = finals1m.filter((x) => x.bar.open_time === m);
      expect({ m, n: got.length, source: got[0]?.bar.source }).toEqual({
        m,
        n: 1,
        source: 'history',
      });
      expect(ohlc(got[0]!.bar)).toEqual(ref.get(m)!.bid);
    }
    // every other minute still equals the reference; nothing was published from a partial minute
    const others = finals1m.filter((x) => !touched.includes(x.bar.open_time) && !x.bar.synthetic);
    expect(others.every((x) => ohlc(x.bar).join() === ref.get(x.bar.open_time)?.bid.join())).toBe(
      true,
    );
    expect(others.length + touched.length).toBe(day.reference.length);
    // the 5m windows over the gap waited for the history bars: equal to the reference minutes
    for (const start of [Date.parse('2014-05-05T12:00:00Z'), Date.parse('2014-05-05T12:05:00Z')]) {
      const w = out.filter((x) => x.tf === '5m' && x.bar.open_time === start);
      const minutes = day.reference.filter(
        (r) => r.open_time >= start && r.open_time < start + 5 * MINUTE,
      );
      expect(w).toHaveLength(1);
      expect(ohlc(w[0]!.bar)).toEqual([
        minutes[0]!.bid[0],
        Math.max(...minutes.map((r) => r.bid[1])),
        Math.min(...minutes.map((r) => r.bid[2])),
        minutes[minutes.length - 1]!.bid[3],
      ]);
    }
    expect(e.counters()[S]).toMatchObject({
      partial_waiting: 2,
      partial_repaired: 2,
      partial_unrepaired: 0,
    });
  });

  it('the first minute after a live start waits for its history bar', () => {
    const e = engine();
    const start = Date.parse('2014-05-05T10:00:30Z');
    const first = start - (start % MINUTE);
    e.onPartialMinutes({ from: first, to: start }); // what the gateway says when it subscribes
    let asked = false;
    const out = run(
      e,
      0,
      start,
      (ts) => {
        if (asked || ts < first + 2 * MINUTE) return [];
        asked = true;
        return e.onHistoryBar(historyOf(ref.get(first)!));
      },
      false,
    ).filter((x) => x.bar.open_time >= first);
    const bars = out.filter((x) => x.tf === '1m' && x.bar.open_time === first);
    expect(bars.map((x) => [x.kind, x.bar.source, ...ohlc(x.bar)])).toEqual([
      ['final', 'history', ...ref.get(first)!.bid],
    ]);
  });

  it('without history in time: the tick bar, flagged unrepaired; a later history bar is one revision', () => {
    const e = engine();
    const late: BarEvent[] = [];
    const out = run(e, GAP_FROM, GAP_TO, () => []);
    const unrepaired = out.filter((x) => x.kind === 'final' && x.unrepaired);
    expect(unrepaired.map((x) => x.bar.open_time)).toEqual([
      touched[0],
      touched[touched.length - 1],
    ]);
    expect(unrepaired.every((x) => x.bar.source === 'tick_agg')).toBe(true);
    for (const m of touched) late.push(...e.onHistoryBar(historyOf(ref.get(m)!)));
    // the two tick-built edges are revised once; the inner minutes (no ticks) are plain fills
    // (which revise the 5m windows already out, as every late fill does)
    const revised1m = late.filter((x) => x.kind === 'revised' && x.tf === '1m');
    expect(revised1m.map((x) => [x.bar.open_time, x.tf])).toEqual([
      [touched[0], '1m'],
      [touched[touched.length - 1], '1m'],
    ]);
    for (const m of touched) e.onHistoryBar(historyOf(ref.get(m)!));
    expect(e.counters()[S]).toMatchObject({ partial_unrepaired: 2, partial_revised: 2 });
  });

  it('a tick-built edge revised by history: every window holding it is rebuilt, equal to the reference minutes', () => {
    // The feed comes back 40 s into 13:00, the first minute of a 5m, 15m, 30m, 1h and 4h window
    // (4h windows start at 13:00Z in summer): the tick bar of 13:00 misses the window's open.
    const from = Date.parse('2014-05-05T12:58:20Z');
    const to = Date.parse('2014-05-05T13:00:40Z');
    const touched = [0, 1, 2].map((k) => Date.parse('2014-05-05T12:58:00Z') + k * MINUTE);
    const e = engine(['1m', '5m', '15m', '30m', '1h', '4h', '1d']);
    const out = run(e, from, to, () => []);
    expect(
      out.filter((x) => x.kind === 'final' && x.unrepaired).map((x) => x.bar.open_time),
    ).toEqual([touched[0], touched[2]]);
    // history comes late, after the day: the two tick-built edges are revised, the rest filled
    for (const m of touched) out.push(...e.onHistoryBar(historyOf(ref.get(m)!)));
    // the last word on every window (its final, or its latest revision)
    const latest = new Map<string, BarEvent>();
    for (const x of out) if (x.tf !== '1m') latest.set(`${x.tf}@${x.bar.open_time}`, x);
    const mismatches: string[] = [];
    const holding = new Set<string>();
    for (const [key, x] of latest) {
      const b = x.bar;
      const minutes = day.reference.filter(
        (r) => r.open_time >= b.open_time && r.open_time <= b.close_time,
      );
      if (touched.some((m) => m >= b.open_time && m <= b.close_time)) holding.add(x.tf);
      const want = [
        minutes[0]!.bid[0],
        Math.max(...minutes.map((r) => r.bid[1])),
        Math.min(...minutes.map((r) => r.bid[2])),
        minutes[minutes.length - 1]!.bid[3],
      ];
      if (ohlc(b).join() !== want.join()) mismatches.push(`${key}: ${ohlc(b)} != ${want}`);
    }
    expect(mismatches).toEqual([]);
    expect([...holding].sort()).toEqual(['15m', '1d', '1h', '30m', '4h', '5m']);
    // each window over an edge was revised by the edge's history bar
    const revisedAt13 = out
      .filter((x) => x.kind === 'revised' && x.bar.open_time === touched[2])
      .map((x) => x.tf);
    expect(revisedAt13).toEqual(['1m', '5m', '15m', '30m', '1h', '4h']);
    expect(e.counters()[S]).toMatchObject({ partial_unrepaired: 2, partial_revised: 2 });
  });
});
