/**
 * Test-only reader of a QuantConnect Lean hourly zip (one CSV, rows `yyyyMMdd HH:mm,…`, bar
 * start in the file's data time zone) → the set of UTC bar starts.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';

/** Bar starts (UTC epoch ms) of every row; `offsetMs` is the data zone's fixed offset (UTC-05 → -5 h). */
export function readLeanHourStarts(zipPath: string, offsetMs: number): Set<number> {
  const entries = Object.values(unzipSync(readFileSync(zipPath)));
  if (entries.length !== 1)
    throw new Error(`${zipPath}: expected one CSV, found ${entries.length}`);
  const text = Buffer.from(entries[0]!).toString('utf8');
  const starts = new Set<number>();
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const m = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2}),/.exec(line);
    if (!m) throw new Error(`${zipPath}: bad row ${JSON.stringify(line.slice(0, 40))}`);
    const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
    starts.add(Date.UTC(y, mo - 1, d, h, mi) - offsetMs);
  }
  return starts;
}
