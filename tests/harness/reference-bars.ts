import { readFileSync } from 'node:fs';

/** One row of a reference m1 file (`open_time_ms,bid_open,…,ask_close`). */
export interface ReferenceBar {
  open_time: number;
  bid: { open: number; high: number; low: number; close: number };
  ask: { open: number; high: number; low: number; close: number };
}

/** Reads a reference m1 CSV: the exact aggregation of the matching tick file, per minute. */
export function readReferenceBars(path: string): ReferenceBar[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  if (
    header !==
    'open_time_ms,bid_open,bid_high,bid_low,bid_close,ask_open,ask_high,ask_low,ask_close'
  ) {
    throw new Error(`${path}: unexpected header ${header}`);
  }
  return rows.map((row) => {
    const v = row.split(',').map(Number);
    return {
      open_time: v[0]!,
      bid: { open: v[1]!, high: v[2]!, low: v[3]!, close: v[4]! },
      ask: { open: v[5]!, high: v[6]!, low: v[7]!, close: v[8]! },
    };
  });
}
