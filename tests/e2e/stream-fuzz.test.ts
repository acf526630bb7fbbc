import { join } from 'node:path';
import { runFuzz } from '../fuzz/fuzz-run';
import { readReferenceBars } from '../harness/reference-bars';
import { ROOT } from '../harness/suite';
import { expectExactlyTheReference } from '../harness/suite-run';

// The short form of `pnpm fuzz`: 5,000 malformed entries over every internal stream (ticks,
// history, bars, status, control) and the ingestor's fxcm:ohlcv while the real day replays.
// No service may crash, no pending list may keep anything, every entry must be rejected once
// per consumer and counted under a registry code, and the day's bars must be the reference.

const REFERENCE = readReferenceBars(join(ROOT, 'data', 'EURUSD_20140505_m1.csv'));
const COUNT = Number(process.env.FXCM_FUZZ_ENTRIES ?? 5_000);

describe('stream fuzz (short form)', () => {
  it(`${COUNT} malformed entries: 0 crashes, 0 pending, every rejection counted, bars exact`, async () => {
    const lines: string[] = [];
    const result = await runFuzz({
      count: COUNT,
      speed: '3000',
      say: (line) => lines.push(line),
      inspect: (run) => expectExactlyTheReference(run, REFERENCE),
    });
    console.log(`${lines.join('\n')}\n${result.summary}`);
    expect(result.writtenMidReplay).toBe(true);
    expect(result.crashes).toEqual([]);
    expect(result.pending).toEqual([]);
    expect(result.unregistered).toEqual([]);
    expect(result.counted).toBe(result.expected);
    for (const n of Object.values(result.byTarget)) expect(n).toBeGreaterThan(0);
    expect(result.summary).toBe(`${COUNT} entries, 0 crashes, 0 pending, 0 wrong bars`);
  }, 300_000);
});
