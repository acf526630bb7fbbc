import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeSymbol } from '@fxcm/contracts';
import { virtualClock } from '../src/connection/clock';
import type { ProviderTick, TickSink } from '../src/providers/provider';
import { ReplayProvider } from '../src/providers/replay/replay-provider';
import { SimProvider } from '../src/providers/sim/sim-provider';
import { archiveTime, TickRecorder } from '../src/recording/tick-recorder';

const MINUTE = 60_000;

describe('TickRecorder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fxcm-recorder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('formats archive time stamps', () => {
    expect(archiveTime(Date.UTC(2014, 4, 5, 0, 0, 0, 7))).toBe('05/05/2014 00:00:00.007');
  });

  it('records what a provider delivered in a form the replay provider reads back unchanged', async () => {
    // Three simulated minutes across midnight UTC: each symbol gets one file per day.
    const start = Date.UTC(2026, 10, 18, 23, 58, 30);
    const clock = virtualClock(start);
    const recorder = new TickRecorder({ dir });
    const recorded: ProviderTick[] = [];
    const sink: TickSink = {
      tick: (t) => {
        recorded.push(t);
        recorder.record(t);
      },
      watermark: () => undefined,
      state: () => undefined,
    };
    const sim = new SimProvider({ symbols: ['EUR/USD', 'USD/JPY'], seed: 8, clock });
    await sim.start(sink);
    while (clock.now() < start + 3 * MINUTE) await new Promise((r) => setImmediate(r));
    await sim.stop();
    await recorder.close();

    expect(readdirSync(dir).sort()).toEqual([
      expect.stringMatching(/^EURUSD_20261118T2358\d\d_ticks\.csv\.gz$/),
      expect.stringMatching(/^EURUSD_20261119T0000\d\d_ticks\.csv\.gz$/),
      expect.stringMatching(/^USDJPY_20261118T2358\d\d_ticks\.csv\.gz$/),
      expect.stringMatching(/^USDJPY_20261119T0000\d\d_ticks\.csv\.gz$/),
    ]);

    const replayed: ProviderTick[] = [];
    const replay = new ReplayProvider({
      files: readdirSync(dir).map((f) => join(dir, f)),
      speed: 'max',
      onBadLine: (err) => {
        throw err;
      },
    });
    await replay.start({
      tick: (t) => void replayed.push(t),
      watermark: () => undefined,
      state: () => undefined,
    });
    await replay.finished;
    const key = (t: ProviderTick): string =>
      `${normalizeSymbol(t.symbol)} ${t.ts} ${t.bid} ${t.ask}`;
    expect(recorded.length).toBeGreaterThan(50);
    expect(replayed.map(key).sort()).toEqual(recorded.map(key).sort());
  });
});
