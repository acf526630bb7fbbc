import { calendarFor } from '@fxcm/calendar';
import type { Bar, BarEvent } from '../../src/domain';
import { eurusdDays, loadEurusdDay, type EurusdDay } from '../../bench/fxcm-archive';
import { readHourBars } from '../../bench/lean-hour-file';
import { replayDays, SYMBOL } from '../../bench/reference-replay';

// All 13 real FXCM EUR/USD days of ../shared/fxcm-data/eurusd-2014-05, replayed through the engine
// with the real calendar. The expected higher-timeframe bars are computed here from the reference
// 1m bars and the raw ticks alone (windows, session and the 17:00 New York anchor included), and
// the 1h bars are also compared with FXCM's own hourly file.

const days: EurusdDay[] = eurusdDays().map(loadEurusdDay);
const HOUR = 3_600_000;
const MINUTE = 60_000;
const HTF = ['5m', '15m', '30m', '1h', '4h', '1d'] as const;
type Htf = (typeof HTF)[number];

const newYork = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** New York wall time of `ts`: weekday, hour and the UTC offset (ms, negative west). */
function inNewYork(ts: number): { weekday: string; hour: number; offset: number } {
  const p = Object.fromEntries(newYork.formatToParts(ts).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!);
  return { weekday: p.weekday!, hour: +p.hour!, offset: local - (ts - (ts % MINUTE)) };
}

/** FX trades Sunday 17:00 to Friday 17:00 New York (no holiday falls in these days). */
function fxOpen(ts: number): boolean {
  const { weekday, hour } = inNewYork(ts);
  return !(
    weekday === 'Sat' ||
    (weekday === 'Fri' && hour >= 17) ||
    (weekday === 'Sun' && hour < 17)
  );
}

/** Window `[start, end)` of `tf` containing minute `m`: epoch-aligned, or from 17:00 New York. */
function windowOf(tf: Htf, m: number): [number, number] {
  const len = { '5m': 5 * MINUTE, '15m': 15 * MINUTE, '30m': 30 * MINUTE, '1h': HOUR }[tf as '5m'];
  if (len !== undefined) return [m - (m % len), m - (m % len) + len];
  const { hour, offset } = inNewYork(m);
  const local = m + offset;
  const midnight = local - (local % (24 * HOUR));
  const anchor = (hour >= 17 ? midnight : midnight - 24 * HOUR) + 17 * HOUR - offset;
  if (tf === '1d') return [anchor, anchor + 24 * HOUR];
  const start = anchor + Math.floor((m - anchor) / (4 * HOUR)) * 4 * HOUR;
  return [start, start + 4 * HOUR];
}

interface Expected {
  open_time: number;
  close_time: number;
  ohlc: number[];
  ticks: number;
}

/** The aggregation of the reference 1m bars (open session only) of every window, per tf. */
function expectedWindows(side: 'bid' | 'ask'): Map<Htf, Map<number, Expected>> {
  const ticksPerMinute = new Map<number, number>();
  for (const d of days) {
    for (const ts of d.ticks.ts) {
      const m = ts - (ts % MINUTE);
      ticksPerMinute.set(m, (ticksPerMinute.get(m) ?? 0) + 1);
    }
  }
  const out = new Map<Htf, Map<number, Expected>>(HTF.map((tf) => [tf, new Map()]));
  for (const ref of days.flatMap((d) => d.reference)) {
    if (!fxOpen(ref.open_time)) continue;
    const [o, h, l, c] = ref[side];
    for (const tf of HTF) {
      const [start, end] = windowOf(tf, ref.open_time);
      const w = out.get(tf)!.get(start);
      const n = ticksPerMinute.get(ref.open_time) ?? 0;
      if (w === undefined) {
        out
          .get(tf)!
          .set(start, { open_time: start, close_time: end - 1, ohlc: [o, h, l, c], ticks: n });
      } else {
        // reference bars are read in time order: open stays, close follows
        w.ohlc = [w.ohlc[0]!, Math.max(w.ohlc[1]!, h), Math.min(w.ohlc[2]!, l), c];
        w.ticks += n;
      }
    }
  }
  return out;
}

const shape = (b: Bar): Expected => ({
  open_time: b.open_time,
  close_time: b.close_time,
  ohlc: [b.open, b.high, b.low, b.close],
  ticks: b.tick_count,
});

describe('higher timeframes on 13 real FXCM EUR/USD days', () => {
  it('covers the whole data set, all in New York summer time', () => {
    expect(days).toHaveLength(13);
    const first = days[0]!.ticks.ts[0]!;
    const lastDay = days[days.length - 1]!.ticks;
    const last = lastDay.ts[lastDay.length - 1]!;
    // one offset over the span: the 17:00 anchor is 21:00 UTC throughout
    expect([inNewYork(first).offset, inNewYork(last).offset]).toEqual([-4 * HOUR, -4 * HOUR]);
  });
});

describe.each(['bid', 'ask'] as const)('%s mode, 13 real FXCM EUR/USD days', (side) => {
  const finals = new Map<string, Bar>();
  let duplicates = 0;
  let endWatermark = 0;
  let firstMinute = 0;
  beforeAll(() => {
    // as the service runs it: a window that began before the data is not final (cold start)
    const options = { holdUncoveredWindows: true };
    replayDays(
      days,
      side,
      calendarFor(SYMBOL),
      (events: readonly BarEvent[]) => {
        for (const e of events) {
          if (e.kind !== 'final') throw new Error(`unexpected ${e.kind} event`);
          const key = `${e.tf}@${e.bar.open_time}`;
          if (finals.has(key)) duplicates++;
          finals.set(key, e.bar);
        }
      },
      options,
    );
    const lastDay = days[days.length - 1]!.ticks;
    const last = lastDay.ts[lastDay.length - 1]!;
    endWatermark = last - (last % MINUTE) + MINUTE;
    const first = days[0]!.ticks.ts[0]!;
    firstMinute = first - (first % MINUTE);
  });
  const ofTf = (tf: string): Bar[] => [...finals.values()].filter((b) => b.tf === tf);

  it('every 1m equals the reference, each final once', () => {
    expect(duplicates).toBe(0);
    // every open-session reference minute, exactly; nothing real without a reference
    const reference = days.flatMap((d) => d.reference).filter((r) => fxOpen(r.open_time));
    let minuteMismatches = 0;
    for (const ref of reference) {
      const bar = finals.get(`1m@${ref.open_time}`);
      if (bar === undefined || bar.synthetic) minuteMismatches++;
      else if ([bar.open, bar.high, bar.low, bar.close].some((v, i) => v !== ref[side][i]))
        minuteMismatches++;
    }
    expect(minuteMismatches).toBe(0);
    expect(ofTf('1m').filter((b) => !b.synthetic)).toHaveLength(reference.length);
    expect(reference.length).toBe(15_680);
  });

  it('every 5m…1d final equals the aggregation of the reference minutes of its window', () => {
    const expected = expectedWindows(side);
    const checked: Record<string, number> = {};
    for (const tf of HTF) {
      // windows still open at the end of the data are not final yet, and one that began before
      // the data (the 1d window of 2014-05-01 from 04-30 21:00Z) is never final without warm-up
      const want = [...expected.get(tf)!.values()].filter(
        (w) => w.close_time < endWatermark && w.open_time >= firstMinute,
      );
      const wanted = new Map(want.map((w) => [w.open_time, w]));
      const got = ofTf(tf);
      // nothing synthetic, nothing without reference minutes, and every window present
      const mismatches = got.filter((b) => {
        const w = wanted.get(b.open_time);
        return w === undefined || b.synthetic || JSON.stringify(shape(b)) !== JSON.stringify(w);
      });
      expect({ tf, mismatches: mismatches.slice(0, 3).map(shape) }).toEqual({
        tf,
        mismatches: [],
      });
      expect({ tf, windows: got.length }).toEqual({ tf, windows: want.length });
      for (const b of got) expect(b.volume).toBe(b.tick_count);
      checked[tf] = got.length;
    }
    // the figures docs/bars.md quotes
    expect(checked).toEqual({ '5m': 3168, '15m': 1056, '30m': 528, '1h': 264, '4h': 66, '1d': 10 });
  });

  it('every 1h final equals FXCM’s hourly file', () => {
    const hours = ofTf('1h').sort((a, b) => a.open_time - b.open_time);
    const file = new Map(
      readHourBars(hours[0]!.open_time, endWatermark).map((h) => [h.open_time, h[side]]),
    );
    const mismatches = hours.filter((b) => {
      const h = file.get(b.open_time);
      return h === undefined || [b.open, b.high, b.low, b.close].some((v, i) => v !== h[i]);
    });
    expect(
      mismatches.map((b) => [new Date(b.open_time).toISOString(), b.open, b.high, b.low, b.close]),
    ).toEqual([]);
    expect(hours).toHaveLength(264);
  });
});
