import { join } from 'node:path';
import type { ProviderTick, TickSink } from '../src/providers/provider';
import { ReplayProvider, replayShift } from '../src/providers/replay/replay-provider';

const DAY = join(__dirname, '..', '..', '..', 'data', 'EURUSD_20140505_ticks.csv.gz');
const MINUTE = 60_000;

type Event = { kind: 'tick'; tick: ProviderTick } | { kind: 'wm'; ts: number };

function recorder(): { sink: TickSink; events: Event[]; states: string[] } {
  const events: Event[] = [];
  const states: string[] = [];
  return {
    events,
    states,
    sink: {
      tick: (tick) => void events.push({ kind: 'tick', tick }),
      watermark: (ts) => void events.push({ kind: 'wm', ts }),
      state: (s) => void states.push(s),
    },
  };
}

describe('ReplayProvider', () => {
  it('replays the real day at max speed with watermarks that never overtake a later tick', async () => {
    const { sink, events, states } = recorder();
    const provider = new ReplayProvider({
      files: [DAY],
      speed: 'max',
      onBadLine: (e) => {
        throw e;
      },
    });
    await provider.start(sink);
    await provider.finished;
    const ticks = events.filter((e) => e.kind === 'tick');
    expect(ticks).toHaveLength(58_143);
    expect(states).toEqual(['connecting', 'streaming', 'finished']);

    let watermark = -Infinity;
    for (const e of events) {
      if (e.kind === 'wm') {
        expect(e.ts).toBeGreaterThanOrEqual(watermark);
        watermark = e.ts;
      } else {
        expect(e.tick.ts).toBeGreaterThanOrEqual(watermark);
        expect(e.tick.symbol).toBe('EURUSD');
      }
    }
    // the last watermark closes the last minute of the recording
    const lastTick = ticks[ticks.length - 1]!;
    if (lastTick.kind !== 'tick') throw new Error('unreachable');
    expect(watermark).toBe((Math.floor(lastTick.tick.ts / MINUTE) + 1) * MINUTE);
  });

  it('at max speed into a sink that never pushes back, gives the event loop a turn every 512 ticks', async () => {
    const { sink, events } = recorder();
    // ticks delivered before each turn of the event loop (a check phase runs once per turn)
    const atTurn: number[] = [];
    const turns = setInterval(() => atTurn.push(events.length), 0);
    const provider = new ReplayProvider({ files: [DAY], speed: 'max', onBadLine: () => undefined });
    await provider.start(sink);
    await provider.finished;
    clearInterval(turns);
    const ticks = events.filter((e) => e.kind === 'tick').length;
    expect(ticks).toBe(58_143);
    // I/O and timers ran all along the replay, not only once it was over
    const during = atTurn.filter((n) => n > 0 && n < events.length);
    expect(during.length).toBeGreaterThan(ticks / 512 / 4);
    const gaps = during.slice(1).map((n, i) => n - during[i]!);
    // never more than a turn's ticks (and the watermarks between them) without a turn
    expect(Math.max(...gaps)).toBeLessThan(512 * 2);
  });

  it('paces by a simulated clock and emits the same ticks as at max speed', async () => {
    let wall = 1_000_000;
    const { sink, events } = recorder();
    // 100,000x real time on a fake wall clock that advances 10 ms per reading
    const provider = new ReplayProvider({
      files: [DAY],
      speed: 100_000,
      watermarkEveryMs: 5_000,
      now: () => (wall += 10),
      onBadLine: (e) => {
        throw e;
      },
    });
    await provider.start(sink);
    await provider.finished;
    const ticks = events.flatMap((e) => (e.kind === 'tick' ? [e.tick.ts] : []));
    expect(ticks).toHaveLength(58_143);
    const wms = events.flatMap((e) => (e.kind === 'wm' ? [e.ts] : []));
    expect(wms.length).toBeGreaterThan(1_410); // minute watermarks plus simulated-clock ones
    expect(wms.every((w, i) => i === 0 || w >= wms[i - 1]!)).toBe(true);
  });

  it('shifts by whole minutes to land at now, or by whole weeks, keeping every tick in its minute', async () => {
    const NOW = Date.UTC(2026, 10, 21, 12, 34, 56, 789); // a Saturday
    const FIRST = Date.UTC(2014, 4, 5, 5, 0, 3, 74); // the bundled day's first tick, a Monday
    expect(replayShift('none', FIRST, NOW)).toBe(0);
    expect(FIRST + replayShift('now', FIRST, NOW)).toBe(Date.UTC(2026, 10, 21, 12, 34, 3, 74));
    const weeks = replayShift('weeks', FIRST, NOW);
    expect(weeks % (7 * 86_400_000)).toBe(0);
    expect(new Date(FIRST + weeks).getUTCDay()).toBe(1); // still a Monday
    expect(FIRST + weeks).toBeLessThanOrEqual(NOW);
    expect(NOW - (FIRST + weeks)).toBeLessThan(7 * 86_400_000);

    const { sink, events } = recorder();
    const provider = new ReplayProvider({
      files: [DAY],
      speed: 'max',
      shift: 'now',
      now: () => NOW,
      onBadLine: () => undefined,
    });
    await provider.start(sink);
    await provider.finished;
    const first = events.find((e) => e.kind === 'tick');
    expect(first?.kind === 'tick' && first.tick.ts).toBe(Date.UTC(2026, 10, 21, 12, 34, 3, 74));
    expect(first?.kind === 'tick' && first.tick.recvTs).toBe(Date.UTC(2026, 10, 21, 12, 34, 3, 74));
  });

  it('stop() ends a paced replay early and is idempotent', async () => {
    const { sink, events } = recorder();
    const provider = new ReplayProvider({ files: [DAY], speed: 1, onBadLine: () => undefined });
    await provider.start(sink);
    await Promise.all([provider.stop(), provider.stop()]);
    expect(events.filter((e) => e.kind === 'tick').length).toBeLessThan(58_143);
  });
});

describe('ReplayProvider and the dynamic universe', () => {
  it('delivers only the symbols set, from the moment they are set, with the watermarks unchanged', async () => {
    const all = recorder();
    const full = new ReplayProvider({ files: [DAY], speed: 'max', onBadLine: () => undefined });
    await full.start(all.sink);
    await full.finished;

    const events: Event[] = [];
    let ticks = 0;
    let watermarks = 0;
    const provider: ReplayProvider = new ReplayProvider({
      files: [DAY],
      speed: 'max',
      onBadLine: () => undefined,
    });
    await provider.start({
      tick: async (tick) => {
        events.push({ kind: 'tick', tick });
        if (++ticks === 1_000) await provider.setSymbols(['XAU/USD']); // EUR/USD unsubscribed
      },
      watermark: async (ts) => {
        events.push({ kind: 'wm', ts });
        if (++watermarks === 600) await provider.setSymbols(['EURUSD', 'XAUUSD']); // back
      },
      state: () => undefined,
    });
    await provider.finished;

    const wms = (list: Event[]) => list.filter((e) => e.kind === 'wm');
    expect(wms(events)).toEqual(wms(all.events));
    // the ticks are the full day's minus those between the two changes
    const resumedAt = (wms(events)[599] as { ts: number }).ts;
    let seen = 0;
    const expected = all.events.filter(
      (e) => e.kind === 'tick' && (++seen <= 1_000 || e.tick.ts >= resumedAt),
    );
    const got = events.filter((e) => e.kind === 'tick');
    expect(got.length).toBeLessThan(58_143);
    expect(got).toEqual(expected);
  });
});
