import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sessionStaleMs } from '../src/connection/stale-threshold';

const ARCHIVE = path.resolve(__dirname, '../../../../shared/fxcm-data/eurusd-2014-05');

/** Tick times (epoch ms) of one FXCM archive file (UTF-16LE CSV, `MM/DD/YYYY HH:MM:SS.fff`). */
function tickTimes(file: string): number[] {
  const text = new TextDecoder('utf-16le').decode(gunzipSync(readFileSync(file)));
  const out: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
    if (m) out.push(Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!));
  }
  return out;
}

// FX week in May 2014: Sunday 21:00 UTC to Friday 21:00 UTC; gaps across the close are not quiet.
const weekClosed = (ts: number): boolean => {
  const d = new Date(ts);
  const day = d.getUTCDay();
  const h = d.getUTCHours();
  return day === 6 || (day === 5 && h >= 21) || (day === 0 && h < 21);
};

describe('the per-session stale threshold against the real FXCM EUR/USD ticks', () => {
  it('is longer than every natural gap between ticks of the trading week, by hour', () => {
    const files = readdirSync(ARCHIVE).filter((f) => f.endsWith('_ticks.csv.gz'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    let gaps = 0;
    let longest = 0;
    const tooLong: string[] = [];
    for (const file of files) {
      const times = tickTimes(path.join(ARCHIVE, file));
      for (let i = 1; i < times.length; i++) {
        const prev = times[i - 1]!;
        if (weekClosed(prev)) continue;
        const gap = times[i]! - prev;
        gaps++;
        longest = Math.max(longest, gap);
        if (gap >= sessionStaleMs(prev)) tooLong.push(`${new Date(prev).toISOString()} +${gap} ms`);
      }
    }
    expect(gaps).toBeGreaterThan(1_000_000);
    expect(longest).toBeGreaterThan(30_000); // the old fixed 30 s would have resubscribed
    expect(tooLong).toEqual([]);
  });

  it('stays short in the busy hours, so a dead feed is still found quickly', () => {
    expect(sessionStaleMs(Date.UTC(2014, 4, 6, 13, 30))).toBe(90_000);
    expect(sessionStaleMs(Date.UTC(2014, 4, 6, 3, 0))).toBe(180_000);
    expect(sessionStaleMs(Date.UTC(2014, 4, 6, 22, 0))).toBe(360_000);
  });
});
