import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredBar } from '../../src/store';

/** The real FXCM EUR/USD reference 1m bars (see /work/shared/fxcm-data/README.md). */
export const FXCM_DATA = join(__dirname, '../../../../../shared/fxcm-data/eurusd-2014-05');

/** One row of a reference m1 file, with the raw text of every field kept. */
export interface ReferenceRow {
  text: string[];
  openTime: number;
  bid: [number, number, number, number];
  ask: [number, number, number, number];
}

/** Rows of `EURUSD_<day>_m1.csv`. */
export function referenceRows(day: string): ReferenceRow[] {
  const lines = readFileSync(join(FXCM_DATA, `EURUSD_${day}_m1.csv`), 'utf8')
    .trim()
    .split(/\r?\n/);
  return lines.slice(1).map((line) => {
    const text = line.split(',');
    const n = text.map(Number);
    return {
      text,
      openTime: n[0]!,
      bid: [n[1]!, n[2]!, n[3]!, n[4]!],
      ask: [n[5]!, n[6]!, n[7]!, n[8]!],
    };
  });
}

/**
 * The reference bars as history bars in `bid` price mode. The files carry no volume, so
 * volume and spreads come from the same row: volume = |close spread| in points, avg_spread =
 * close spread, max_spread = the largest of the four spreads.
 */
export function referenceBars(day: string): StoredBar[] {
  return referenceRows(day).map((row) => barOf(row));
}

/** The stored bar a reference row stands for (see {@link referenceBars}). */
export function barOf(row: ReferenceRow): StoredBar {
  const spreads = row.ask.map((a, i) => a - row.bid[i]!);
  return {
    open_time: row.openTime,
    close_time: row.openTime + 59_999,
    open: row.bid[0],
    high: row.bid[1],
    low: row.bid[2],
    close: row.bid[3],
    volume: Math.abs(Math.round(spreads[3]! * 1e5)),
    tick_count: 0,
    complete: true,
    synthetic: false,
    source: 'history',
    avg_spread: spreads[3]!,
    max_spread: Math.max(...spreads),
  };
}
