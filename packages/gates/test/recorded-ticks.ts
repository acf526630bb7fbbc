import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..', '..');

/** The first `n` quotes of the bundled FXCM EUR/USD day from 13:00 UTC, as the gateway writes them. */
export function recordedTicks(
  n: number,
): { symbol: string; ts: number; bid: number; ask: number }[] {
  const text = gunzipSync(readFileSync(join(ROOT, 'data', 'EURUSD_20140505_ticks.csv.gz')))
    .toString('utf16le')
    .split(/\r?\n/)
    .slice(1);
  const rows = text
    .map((row) =>
      /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}),([\d.]+),([\d.]+)/.exec(row),
    )
    .filter((m) => m !== null)
    .map((m) => {
      const [, mo, d, y, h, mi, s, ms, bid, ask] = m.map(Number) as number[];
      return {
        symbol: 'EURUSD',
        ts: Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!),
        bid: bid!,
        ask: ask!,
      };
    })
    .filter((t) => t.ts >= Date.UTC(2014, 4, 5, 13));
  return rows.slice(0, n);
}
