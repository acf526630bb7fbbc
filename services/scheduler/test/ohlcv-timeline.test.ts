import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveV1Status, type StatusInputs } from '../src/v1-status';

// The real day's minutes (data/EURUSD_20140505_m1.csv): each final 1m bar reaches the scheduler
// `ARRIVAL_MS` after its close, as it does through the watermark grace and the streams. The
// status is evaluated every 500 ms of the day, as the telemetry cycle of the e2e runs does.
const ROOT = join(__dirname, '..', '..', '..');
const OPENS = readFileSync(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => Number(line.split(',')[0]));
const ARRIVAL_MS = 1_200;
const STEP_MS = 500;

/** Status at `now` given the finals that have arrived by then. */
function statusAt(now: number, closes: readonly number[]): ReturnType<typeof deriveV1Status> {
  let lastFinalClose: number | undefined;
  for (const close of closes) if (close + ARRIVAL_MS <= now) lastFinalClose = close;
  const inputs: StatusInputs = {
    now,
    market: 'open',
    feedState: 'streaming',
    lastTickAt: now - 1_000,
    lastFinalClose,
    degraded: [],
  };
  return deriveV1Status(inputs);
}

describe('ohlcv over a real day', () => {
  const closes = OPENS.map((open) => open + 59_999);
  // contiguous minutes only: the healthy stretch from the first bar up to the first gap
  const firstGap = closes.findIndex((c, i) => i > 0 && c - closes[i - 1]! > 60_000);
  const healthy = closes.slice(0, firstGap === -1 ? closes.length : firstGap);

  it('is ok in every cycle while each final arrives on time (no flap once a minute)', () => {
    expect(healthy.length).toBeGreaterThan(60);
    const seen = new Map<string, number>();
    for (let now = healthy[0]! + ARRIVAL_MS; now <= healthy.at(-1)! + ARRIVAL_MS; now += STEP_MS) {
      const s = statusAt(now, healthy);
      seen.set(s.ohlcv, (seen.get(s.ohlcv) ?? 0) + 1);
    }
    expect([...seen.keys()]).toEqual(['ok']);
  });

  it('with the feed cut goes delayed, then down, at the V1 thresholds', () => {
    const last = healthy.at(-1)!;
    const transitions: { ohlcv: string; lag: number }[] = [];
    let previous = 'ok';
    for (let now = last + ARRIVAL_MS; now <= last + 300_000; now += STEP_MS) {
      const s = statusAt(now, healthy);
      if (s.ohlcv !== previous) transitions.push({ ohlcv: s.ohlcv, lag: (now - last) / 1_000 });
      previous = s.ohlcv;
    }
    // delayed once the next final is overdue (60 s + 5 s arrival grace), down at 180 s: seen at
    // the first 500 ms cycle past each threshold (the grid starts 1.2 s after the last close)
    expect(transitions).toEqual([
      { ohlcv: 'delayed', lag: 65.2 },
      { ohlcv: 'down', lag: 180.2 },
    ]);
  });
});
