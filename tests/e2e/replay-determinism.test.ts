import { join } from 'node:path';
import { calendarFor } from '@fxcm/calendar';
import { createBarEngine, type BarEvent } from '../../services/bar-builder/src/domain';
import type { TickSink } from '../../services/fxcm-gateway/src/providers/provider';
import { ReplayProvider } from '../../services/fxcm-gateway/src/providers/replay/replay-provider';
import { ROOT } from '../harness/suite';

// The gateway's replay feeding the bar builder's engine at different speeds: the watermarks
// differ (their cadence follows the simulated clock), the final bars must not, to the byte.

const DAY = join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz');

async function finalsAt(speed: number | 'max'): Promise<string> {
  const engine = createBarEngine({ priceMode: 'mid', calendarFor });
  const finals: BarEvent[] = [];
  const sink: TickSink = {
    tick: (t) => void engine.onTick({ symbol: t.symbol, ts: t.ts, bid: t.bid, ask: t.ask }),
    watermark: (ts, feed) => void finals.push(...engine.onWatermark({ ts, feed })),
    state: () => undefined,
  };
  // a simulated wall clock: sleeping moves it on at once, so 1× takes no real day
  let wall = 0;
  const provider = new ReplayProvider({
    files: [DAY],
    speed,
    now: () => wall,
    sleep: async (ms) => {
      wall += ms;
    },
    onBadLine: (err) => {
      throw err;
    },
  });
  await provider.start(sink);
  await provider.finished;
  return JSON.stringify(finals);
}

describe('replay speed does not change the bars', () => {
  it('gives byte-identical final bars at simulated 1x, 100x and max speed', async () => {
    const max = await finalsAt('max');
    expect(JSON.parse(max).length).toBeGreaterThan(1_410); // every minute with ticks, plus higher timeframes
    expect(await finalsAt(100)).toBe(max);
    expect(await finalsAt(1)).toBe(max);
  }, 300_000);
});
